package proxy

import (
	"errors"
	"io"
	"sync"

	"code.cloudfoundry.org/lager/v3"
	"golang.org/x/crypto/ssh"
)

// forwardGlobalRequests sends every global request arriving from one side
// to conn (the other side) and relays the answer, until reqs closes.
func forwardGlobalRequests(logger lager.Logger, conn ssh.Conn, reqs <-chan *ssh.Request) {
	logger = logger.Session("proxy-global-requests")
	logger.Debug("started")
	defer logger.Debug("completed")
	for req := range reqs {
		logger.Debug("request", lager.Data{"type": req.Type, "want-reply": req.WantReply})
		ok, payload, err := conn.SendRequest(req.Type, req.WantReply, req.Payload)
		if err != nil {
			logger.Error("send-request-failed", err)
			// Answer anyway so the requester is not left waiting.
			if req.WantReply {
				_ = req.Reply(false, nil)
			}
			continue
		}
		if req.WantReply {
			if err := req.Reply(ok, payload); err != nil {
				logger.Debug("failed-to-reply", lager.Data{"error": err.Error()})
			}
		}
	}
}

// forwardChannels opens, on conn, a twin of every channel the other side
// opens and splices the pair, until chans closes; then it closes conn so
// the whole session ends with either side.
func forwardChannels(logger lager.Logger, conn ssh.Conn, chans <-chan ssh.NewChannel) {
	logger = logger.Session("proxy-channels")
	logger.Debug("started")
	defer func() {
		logger.Debug("completed")
		_ = conn.Close()
	}()
	for newChannel := range chans {
		spliceChannel(logger, conn, newChannel)
	}
}

// spliceChannel opens newChannel's twin on conn, accepts newChannel, and
// copies data, stderr and channel requests both ways. A refusal from conn
// is passed back with its reason.
func spliceChannel(logger lager.Logger, conn ssh.Conn, newChannel ssh.NewChannel) {
	kind := newChannel.ChannelType()
	logger = logger.Session("channel", lager.Data{"channel-type": kind})
	target, targetReqs, err := conn.OpenChannel(kind, newChannel.ExtraData())
	if err != nil {
		logger.Error("failed-to-open-channel", err)
		var openErr *ssh.OpenChannelError
		if errors.As(err, &openErr) {
			_ = newChannel.Reject(openErr.Reason, openErr.Message)
		} else {
			_ = newChannel.Reject(ssh.ConnectionFailed, err.Error())
		}
		return
	}
	source, sourceReqs, err := newChannel.Accept()
	if err != nil {
		logger.Error("failed-to-accept-channel", err)
		_ = target.Close()
		return
	}

	toTarget := pump(logger.Session("to-target"), target, source)
	toSource := pump(logger.Session("to-source"), source, target)
	// Requests from the source are answered to the source: before closing
	// the source, wait for those answers, and likewise for the target.
	fromSource, fromTarget := newInflight(), newInflight()
	go forwardChannelRequests(logger.Session("to-target"), sourceReqs, target, toTarget, fromSource, fromTarget)
	go forwardChannelRequests(logger.Session("to-source"), targetReqs, source, toSource, fromTarget, fromSource)
}

// inflight counts requests whose answers are still to be relayed.
type inflight struct {
	mu      sync.Mutex
	idle    *sync.Cond
	pending int
}

func newInflight() *inflight {
	f := &inflight{}
	f.idle = sync.NewCond(&f.mu)
	return f
}

func (f *inflight) add(delta int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pending += delta
	if f.pending == 0 {
		f.idle.Broadcast()
	}
}

func (f *inflight) wait() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for f.pending > 0 {
		f.idle.Wait()
	}
}

// pump copies src's data and stderr into dst and half-closes dst once src
// has sent EOF on both. The returned WaitGroup is done when copying ends.
func pump(logger lager.Logger, dst, src ssh.Channel) *sync.WaitGroup {
	var copies sync.WaitGroup
	copies.Add(2)
	copyStream := func(name string, w io.Writer, r io.Reader) {
		defer copies.Done()
		if _, err := io.Copy(w, r); err != nil {
			logger.Debug("copy-ended", lager.Data{"stream": name, "error": err.Error()})
		}
	}
	go copyStream("stdout", dst, src)
	go copyStream("stderr", dst.Stderr(), src.Stderr())
	var done sync.WaitGroup
	done.Add(1)
	go func() {
		defer done.Done()
		copies.Wait()
		_ = dst.CloseWrite()
	}()
	return &done
}

// forwardChannelRequests relays channel requests (pty-req, exec, env,
// exit-status, ...) to channel, counting them in mine until answered. It
// stops after relaying exit-status, or when reqs closes, and then closes
// channel once the data copied into it has been written and the requests
// it made (counted in theirs) have been answered, so neither output nor an
// answer is cut off by the close.
func forwardChannelRequests(logger lager.Logger, reqs <-chan *ssh.Request, channel ssh.Channel,
	copied *sync.WaitGroup, mine, theirs *inflight) {
	defer func() {
		copied.Wait()
		theirs.wait()
		_ = channel.Close()
	}()
	for req := range reqs {
		logger.Debug("request", lager.Data{"type": req.Type, "want-reply": req.WantReply})
		mine.add(1)
		ok, err := channel.SendRequest(req.Type, req.WantReply, req.Payload)
		if err != nil {
			logger.Debug("send-request-failed", lager.Data{"type": req.Type, "error": err.Error()})
			ok = false
		}
		if req.WantReply {
			_ = req.Reply(ok, nil)
		}
		mine.add(-1)
		if err == nil && req.Type == "exit-status" {
			return
		}
	}
}
