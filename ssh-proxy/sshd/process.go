package sshd

import (
	"errors"
	"fmt"
	"io"
	"os/exec"
	"syscall"
	"time"

	"code.cloudfoundry.org/lager/v3"
	"golang.org/x/crypto/ssh"
)

// ptyDrainTimeout bounds how long terminal output is forwarded after the
// command exits; a background job still holding the terminal must not keep
// the session open forever.
const ptyDrainTimeout = 2 * time.Second

// run starts path with args as the session's one command, on the session's
// pseudo-terminal when one was requested and allowPty is set, and replies
// to req. When the command ends the exit status (or signal) is sent and the
// channel closed.
func (s *session) run(req *ssh.Request, allowPty bool, path string, args ...string) {
	s.mu.Lock()
	if s.started || s.closed {
		s.mu.Unlock()
		s.logger.Info("command-refused", lager.Data{"reason": "a command was already started"})
		_ = req.Reply(false, nil)
		return
	}
	s.started = true
	cmd := exec.Command(path, args...)
	cmd.Env = s.environment()
	s.cmd = cmd
	_ = req.Reply(true, nil)

	var drained <-chan struct{}
	var err error
	if s.pty != nil && allowPty {
		drained, err = s.startOnTerminal(cmd, *s.pty)
	} else {
		err = s.startWithPipes(cmd)
	}
	s.mu.Unlock()

	if err != nil {
		s.logger.Error("command-start-failed", err, lager.Data{"path": path})
		_, _ = fmt.Fprintf(s.channel.Stderr(), "failed to start %s: %v\n", path, err)
		s.finish(err)
		return
	}
	s.logger.Info("command-started", lager.Data{"path": path, "pid": cmd.Process.Pid, "pty": drained != nil})

	stopKeepalive := make(chan struct{})
	go s.keepalive(stopKeepalive)
	go func() {
		err := cmd.Wait()
		s.mu.Lock()
		s.exited = true
		s.mu.Unlock()
		close(stopKeepalive)
		if drained != nil {
			select {
			case <-drained:
			case <-time.After(ptyDrainTimeout):
			}
		}
		s.finish(err)
	}()
}

// startWithPipes connects the command to the channel: stdout, stderr as
// extended data, and stdin until the client sends EOF.
func (s *session) startWithPipes(cmd *exec.Cmd) error {
	cmd.Stdout = s.channel
	cmd.Stderr = s.channel.Stderr()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() {
		_, _ = io.Copy(stdin, s.channel)
		_ = stdin.Close()
	}()
	return nil
}

// startOnTerminal runs the command as a session leader on a new
// pseudo-terminal sized and configured as the pty-req asked. The returned
// channel closes once the terminal's output has all been forwarded.
func (s *session) startOnTerminal(cmd *exec.Cmd, req ptyRequest) (<-chan struct{}, error) {
	master, tty, err := openPTY()
	if err != nil {
		return nil, err
	}
	if err := applyModes(tty, []byte(req.Modelist)); err != nil {
		s.logger.Error("terminal-modes-failed", err)
	}
	if err := setWindowSize(master, req.Columns, req.Rows, req.Width, req.Height); err != nil {
		s.logger.Error("set-window-size-failed", err)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	err = cmd.Start()
	_ = tty.Close() // the child has its own copy
	if err != nil {
		_ = master.Close()
		return nil, err
	}
	s.master = master
	go func() { _, _ = io.Copy(master, s.channel) }()
	drained := make(chan struct{})
	go func() {
		_, _ = io.Copy(s.channel, master) // ends with EIO once no process holds the terminal
		close(drained)
	}()
	return drained, nil
}

// keepalive asks the client for a reply every interval; when the client is
// gone the command gets SIGHUP.
func (s *session) keepalive(stop <-chan struct{}) {
	if s.cfg.keepalive <= 0 {
		return
	}
	ticker := time.NewTicker(s.cfg.keepalive)
	defer ticker.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ticker.C:
			if _, err := s.channel.SendRequest(KeepaliveRequest, true, nil); err != nil {
				s.logger.Info("keepalive-failed", lager.Data{"error": err.Error()})
				s.mu.Lock()
				if s.cmd != nil && s.cmd.Process != nil && !s.exited {
					_ = s.cmd.Process.Signal(syscall.SIGHUP)
				}
				s.mu.Unlock()
				return
			}
		}
	}
}

// finish reports how the command ended and closes the channel.
func (s *session) finish(err error) {
	_ = s.channel.CloseWrite()
	reqType, payload := exitMessage(err)
	if _, sendErr := s.channel.SendRequest(reqType, false, payload); sendErr != nil {
		s.logger.Error("send-exit-message-failed", sendErr)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.master != nil {
		_ = s.master.Close()
		s.master = nil
	}
	s.closeLocked()
}

// finishBuiltin ends a built-in program's session with status 0 or 1.
func (s *session) finishBuiltin(err error) {
	status := uint32(0)
	if err != nil {
		status = 1
	}
	_ = s.channel.CloseWrite()
	_, _ = s.channel.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{status}))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closeLocked()
}

// exitMessage is the exit-status or exit-signal request (RFC 4254 section
// 6.10) describing err as returned by exec.Cmd.Wait or Start.
func exitMessage(err error) (string, []byte) {
	if err == nil {
		return "exit-status", ssh.Marshal(struct{ Status uint32 }{0})
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok {
			if ws.Signaled() {
				return "exit-signal", ssh.Marshal(struct {
					Signal     string
					CoreDumped bool
					Error      string
					Lang       string
				}{Signal: string(signalName(ws.Signal())), CoreDumped: ws.CoreDump()})
			}
			return "exit-status", ssh.Marshal(struct{ Status uint32 }{uint32(ws.ExitStatus())})
		}
	}
	return "exit-status", ssh.Marshal(struct{ Status uint32 }{255})
}
