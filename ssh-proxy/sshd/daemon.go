package sshd

import (
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"code.cloudfoundry.org/lager/v3"
	"golang.org/x/crypto/ssh"
)

// SessionKeepalive is how often a running session checks that its client
// is still there (upstream's 15 s).
const SessionKeepalive = 15 * time.Second

// shellCandidates are tried in order for the session shell.
var shellCandidates = []string{"/bin/bash", "/usr/local/bin/bash", "/bin/sh", "bash", "sh"}

// locateShell returns the first shell that exists, or "/bin/sh".
func locateShell() string {
	for _, candidate := range shellCandidates {
		if path, err := exec.LookPath(candidate); err == nil {
			return path
		}
	}
	return "/bin/sh"
}

// Daemon handles SSH connections: the handshake, global requests and
// channels.
type Daemon struct {
	logger   lager.Logger
	config   *ssh.ServerConfig
	sessions *sessionConfig
	dialer   net.Dialer
}

// NewDaemon returns a daemon using config for handshakes. baseEnv is every
// session's initial environment (the daemon's own with -inheritDaemonEnv).
func NewDaemon(logger lager.Logger, config *ssh.ServerConfig, baseEnv map[string]string) *Daemon {
	return &Daemon{
		logger: logger,
		config: config,
		sessions: &sessionConfig{
			shellPath:  locateShell(),
			baseEnv:    baseEnv,
			keepalive:  SessionKeepalive,
			daemonHome: os.Getenv("HOME"),
			daemonUser: os.Getenv("USER"),
		},
	}
}

// DaemonEnvironment returns the process environment without PATH, for
// -inheritDaemonEnv.
func DaemonEnvironment() map[string]string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "PATH" {
			env[k] = v
		}
	}
	return env
}

// HandleConnection serves one client connection until it closes.
func (d *Daemon) HandleConnection(netConn net.Conn) {
	logger := d.logger.Session("handle-connection", lager.Data{"remote": netConn.RemoteAddr().String()})
	defer netConn.Close()

	conn, channels, requests, err := ssh.NewServerConn(netConn, d.config)
	if err != nil {
		logger.Error("handshake-failed", err)
		return
	}
	logger.Info("authenticated", lager.Data{"user": conn.User()})
	forwards := newForwards()
	defer forwards.closeAll()

	go d.handleGlobalRequests(logger, conn, requests, forwards)
	for newChannel := range channels {
		switch newChannel.ChannelType() {
		case "session":
			go d.handleSession(logger, newChannel)
		case "direct-tcpip":
			go d.handleDirectTCPIP(logger, newChannel)
		default:
			logger.Info("rejecting-channel", lager.Data{"type": newChannel.ChannelType()})
			_ = newChannel.Reject(ssh.UnknownChannelType, newChannel.ChannelType())
		}
	}
	_ = conn.Wait()
	logger.Info("closed")
}

func (d *Daemon) handleSession(logger lager.Logger, newChannel ssh.NewChannel) {
	channel, requests, err := newChannel.Accept()
	if err != nil {
		logger.Error("session-accept-failed", err)
		return
	}
	newSession(d.sessions, logger, channel).serve(requests)
}

// handleGlobalRequests answers tcpip-forward and cancel-tcpip-forward and
// refuses everything else.
func (d *Daemon) handleGlobalRequests(logger lager.Logger, conn ssh.Conn, requests <-chan *ssh.Request, forwards *forwards) {
	for req := range requests {
		switch req.Type {
		case "tcpip-forward":
			forwards.start(logger, conn, req)
		case "cancel-tcpip-forward":
			forwards.cancel(logger, req)
		default:
			if req.WantReply {
				_ = req.Reply(false, nil)
			}
		}
	}
}

// pipe copies both ways between an SSH channel and a TCP connection,
// passing each side's EOF on as a half-close, until both directions end.
func pipe(channel ssh.Channel, conn net.Conn) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		_, _ = io.Copy(conn, channel)
		if tcp, ok := conn.(*net.TCPConn); ok {
			_ = tcp.CloseWrite()
		} else {
			_ = conn.Close()
		}
	}()
	go func() {
		defer wg.Done()
		_, _ = io.Copy(channel, conn)
		_ = channel.CloseWrite()
	}()
	wg.Wait()
	_ = conn.Close()
	_ = channel.Close()
}
