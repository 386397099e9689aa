package sshd

import (
	"errors"
	"net"
	"strconv"
	"sync"

	"code.cloudfoundry.org/lager/v3"
	"golang.org/x/crypto/ssh"
)

// handleDirectTCPIP connects a direct-tcpip channel (local port forwarding,
// RFC 4254 section 7.2) to its target, as seen from inside the container.
func (d *Daemon) handleDirectTCPIP(logger lager.Logger, newChannel ssh.NewChannel) {
	var msg struct {
		TargetAddr string
		TargetPort uint32
		OriginAddr string
		OriginPort uint32
	}
	if err := ssh.Unmarshal(newChannel.ExtraData(), &msg); err != nil {
		_ = newChannel.Reject(ssh.ConnectionFailed, "Failed to parse open channel message")
		return
	}
	target := net.JoinHostPort(msg.TargetAddr, strconv.FormatUint(uint64(msg.TargetPort), 10))
	logger = logger.Session("direct-tcpip", lager.Data{"target": target})
	conn, err := d.dialer.Dial("tcp", target)
	if err != nil {
		logger.Info("dial-failed", lager.Data{"error": err.Error()})
		_ = newChannel.Reject(ssh.ConnectionFailed, err.Error())
		return
	}
	channel, requests, err := newChannel.Accept()
	if err != nil {
		_ = conn.Close()
		logger.Error("accept-failed", err)
		return
	}
	go ssh.DiscardRequests(requests)
	pipe(channel, conn)
}

// forwards are one connection's remote-forwarding listeners (RFC 4254
// section 7.1), keyed by the address the client asked for.
type forwards struct {
	mu        sync.Mutex
	listeners map[string]net.Listener
}

func newForwards() *forwards { return &forwards{listeners: map[string]net.Listener{}} }

type forwardRequest struct {
	Address string
	Port    uint32
}

// start listens where the client asked and opens a forwarded-tcpip channel
// back to it for each accepted connection. Port 0 picks a free port, which
// the reply reports.
func (f *forwards) start(logger lager.Logger, conn ssh.Conn, req *ssh.Request) {
	var msg forwardRequest
	if err := ssh.Unmarshal(req.Payload, &msg); err != nil {
		_ = req.Reply(false, nil)
		return
	}
	listener, err := net.Listen("tcp", net.JoinHostPort(msg.Address, strconv.FormatUint(uint64(msg.Port), 10)))
	if err != nil {
		logger.Info("tcpip-forward-listen-failed", lager.Data{"error": err.Error()})
		_ = req.Reply(false, nil)
		return
	}
	port := uint32(listener.Addr().(*net.TCPAddr).Port)
	key := net.JoinHostPort(msg.Address, strconv.FormatUint(uint64(port), 10))
	f.mu.Lock()
	f.listeners[key] = listener
	f.mu.Unlock()
	logger.Info("tcpip-forward", lager.Data{"listening": listener.Addr().String()})

	var reply []byte
	if msg.Port == 0 {
		reply = ssh.Marshal(struct{ Port uint32 }{port})
	}
	_ = req.Reply(true, reply)
	go acceptForwarded(logger, conn, listener, msg.Address, port)
}

func acceptForwarded(logger lager.Logger, conn ssh.Conn, listener net.Listener, addr string, port uint32) {
	for {
		tcpConn, err := listener.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				logger.Error("tcpip-forward-accept-failed", err)
			}
			return
		}
		go func() {
			origin := tcpConn.RemoteAddr().(*net.TCPAddr)
			payload := ssh.Marshal(struct {
				Addr       string
				Port       uint32
				OriginAddr string
				OriginPort uint32
			}{addr, port, origin.IP.String(), uint32(origin.Port)})
			channel, requests, err := conn.OpenChannel("forwarded-tcpip", payload)
			if err != nil {
				logger.Info("forwarded-tcpip-open-failed", lager.Data{"error": err.Error()})
				_ = tcpConn.Close()
				return
			}
			go ssh.DiscardRequests(requests)
			pipe(channel, tcpConn)
		}()
	}
}

// cancel stops the listener a tcpip-forward request started.
func (f *forwards) cancel(logger lager.Logger, req *ssh.Request) {
	var msg forwardRequest
	if err := ssh.Unmarshal(req.Payload, &msg); err != nil {
		_ = req.Reply(false, nil)
		return
	}
	key := net.JoinHostPort(msg.Address, strconv.FormatUint(uint64(msg.Port), 10))
	f.mu.Lock()
	listener, ok := f.listeners[key]
	delete(f.listeners, key)
	f.mu.Unlock()
	if !ok {
		logger.Info("cancel-tcpip-forward-unknown", lager.Data{"address": key})
		_ = req.Reply(false, nil)
		return
	}
	_ = listener.Close()
	_ = req.Reply(true, nil)
}

// closeAll stops every listener when the connection ends.
func (f *forwards) closeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for key, l := range f.listeners {
		_ = l.Close()
		delete(f.listeners, key)
	}
}
