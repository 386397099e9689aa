package sshd

import (
	"os"
	"os/exec"
	"sort"
	"sync"
	"syscall"
	"time"

	"code.cloudfoundry.org/lager/v3"
	"golang.org/x/crypto/ssh"
)

// KeepaliveRequest is the channel request sent to detect a vanished client.
const KeepaliveRequest = "keepalive@cloudfoundry.org"

// sessionConfig is what every session of a daemon shares.
type sessionConfig struct {
	shellPath  string
	baseEnv    map[string]string // the daemon's env with -inheritDaemonEnv, else empty
	keepalive  time.Duration
	daemonHome string
	daemonUser string
}

// ptyRequest is the pty-req payload (RFC 4254 section 6.2).
type ptyRequest struct {
	Term     string
	Columns  uint32
	Rows     uint32
	Width    uint32
	Height   uint32
	Modelist string
}

// session is one `session` channel: at most one command, its environment,
// and its optional pseudo-terminal.
type session struct {
	cfg     *sessionConfig
	logger  lager.Logger
	channel ssh.Channel

	mu      sync.Mutex
	env     map[string]string
	pty     *ptyRequest
	master  *os.File // pty master while a command runs on a terminal
	cmd     *exec.Cmd
	started bool
	exited  bool
	closed  bool
}

func newSession(cfg *sessionConfig, logger lager.Logger, channel ssh.Channel) *session {
	env := make(map[string]string, len(cfg.baseEnv))
	for k, v := range cfg.baseEnv {
		env[k] = v
	}
	return &session{cfg: cfg, logger: logger.Session("session-channel"), channel: channel, env: env}
}

// serve handles the channel's requests until the channel closes.
func (s *session) serve(requests <-chan *ssh.Request) {
	s.logger.Info("starting")
	defer s.logger.Info("finished")
	for req := range requests {
		s.logger.Debug("received-request", lager.Data{"type": req.Type})
		var ok bool
		switch req.Type {
		case "env":
			ok = s.handleEnv(req.Payload)
		case "signal":
			ok = s.handleSignal(req.Payload)
		case "pty-req":
			ok = s.handlePtyReq(req.Payload)
		case "window-change":
			ok = s.handleWindowChange(req.Payload)
		case "exec":
			var msg struct{ Command string }
			if ssh.Unmarshal(req.Payload, &msg) != nil {
				break // refused below
			}
			if scpCommand.MatchString(msg.Command) {
				s.serveBuiltin(req, "scp", func() error { return runSCP(msg.Command, s.channel, s.channel) })
			} else {
				s.run(req, true, s.cfg.shellPath, "-c", msg.Command)
			}
			continue
		case "shell":
			s.run(req, true, s.cfg.shellPath)
			continue
		case "subsystem":
			s.handleSubsystem(req)
			continue
		}
		if req.WantReply {
			_ = req.Reply(ok, nil)
		}
	}
	s.clientGone()
}

func (s *session) handleEnv(payload []byte) bool {
	var msg struct{ Name, Value string }
	if err := ssh.Unmarshal(payload, &msg); err != nil {
		s.logger.Error("env-unmarshal-failed", err)
		return false
	}
	s.mu.Lock()
	s.env[msg.Name] = msg.Value
	s.mu.Unlock()
	return true
}

func (s *session) handleSignal(payload []byte) bool {
	var msg struct{ Signal string }
	if err := ssh.Unmarshal(payload, &msg); err != nil {
		s.logger.Error("signal-unmarshal-failed", err)
		return false
	}
	sig, known := sshToSyscall[ssh.Signal(msg.Signal)]
	s.mu.Lock()
	defer s.mu.Unlock()
	if known && s.cmd != nil && s.cmd.Process != nil && !s.exited {
		if err := s.cmd.Process.Signal(sig); err != nil {
			s.logger.Error("process-signal-failed", err, lager.Data{"signal": msg.Signal})
		}
	}
	return true
}

func (s *session) handlePtyReq(payload []byte) bool {
	var msg ptyRequest
	if err := ssh.Unmarshal(payload, &msg); err != nil {
		s.logger.Error("pty-req-unmarshal-failed", err)
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pty = &msg
	s.env["TERM"] = msg.Term
	return true
}

func (s *session) handleWindowChange(payload []byte) bool {
	var msg struct{ Columns, Rows, WidthPx, HeightPx uint32 }
	if err := ssh.Unmarshal(payload, &msg); err != nil {
		s.logger.Error("window-change-unmarshal-failed", err)
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pty != nil {
		s.pty.Columns, s.pty.Rows, s.pty.Width, s.pty.Height = msg.Columns, msg.Rows, msg.WidthPx, msg.HeightPx
	}
	if s.master != nil {
		if err := setWindowSize(s.master, msg.Columns, msg.Rows, msg.WidthPx, msg.HeightPx); err != nil {
			s.logger.Error("set-window-size-failed", err)
		}
	}
	return true
}

// handleSubsystem serves "sftp" with the built-in SFTP server and refuses
// any other subsystem.
func (s *session) handleSubsystem(req *ssh.Request) {
	var msg struct{ Subsystem string }
	if err := ssh.Unmarshal(req.Payload, &msg); err != nil || msg.Subsystem != "sftp" {
		s.logger.Info("unsupported-subsystem", lager.Data{"subsystem": msg.Subsystem})
		_ = req.Reply(false, nil)
		return
	}
	s.serveBuiltin(req, "sftp", func() error { return serveSFTP(s.channel) })
}

// serveBuiltin runs one of the daemon's own programs (sftp, scp) as the
// session's command; a failure exits with status 1.
func (s *session) serveBuiltin(req *ssh.Request, name string, serve func() error) {
	s.mu.Lock()
	if s.started || s.closed {
		s.mu.Unlock()
		_ = req.Reply(false, nil)
		return
	}
	s.started = true
	s.mu.Unlock()
	_ = req.Reply(true, nil)
	s.logger.Info("builtin-started", lager.Data{"program": name})
	go func() {
		err := serve()
		if err != nil {
			s.logger.Error("builtin-failed", err, lager.Data{"program": name})
		}
		s.finishBuiltin(err)
	}()
}

// environment is the command's environment: a default PATH and LANG, the
// session's variables, and the daemon's HOME and USER (which clients cannot
// override).
func (s *session) environment() []string {
	env := []string{"PATH=/bin:/usr/bin", "LANG=en_US.UTF8"}
	keys := make([]string, 0, len(s.env))
	for k := range s.env {
		if k != "HOME" && k != "USER" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+s.env[k])
	}
	return append(env, "HOME="+s.cfg.daemonHome, "USER="+s.cfg.daemonUser)
}

// clientGone runs when the client closed the channel: a command still
// running gets SIGHUP, as it would from a terminal hang-up.
func (s *session) clientGone() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil && s.cmd.Process != nil && !s.exited {
		_ = s.cmd.Process.Signal(syscall.SIGHUP)
	}
	s.closeLocked()
}

func (s *session) closeLocked() {
	if s.closed {
		return
	}
	s.closed = true
	_ = s.channel.Close()
}
