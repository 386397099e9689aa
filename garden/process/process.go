// Package process owns a running container process on the host side: the
// foreground runc command that carries it, its stdio (pipes or a pty), the
// fan-out of its output to attached clients, signals, and its exit status.
package process

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"code.cloudfoundry.org/garden"
)

// outputGrace bounds how long Wait waits for a process's output after it
// exits (background children may keep the pipes open forever).
const outputGrace = 2 * time.Second

// Process is one process started in a container through a foreground runc
// command. It implements garden.Process.
type Process struct {
	id      string
	pidFile string
	cmd     *exec.Cmd

	stdout, stderr fanout
	stdin          io.WriteCloser
	tty            *os.File

	done     chan struct{}
	exitCode int
	onExit   func()
}

// Options describe how to start a process.
type Options struct {
	ID      string
	Cmd     *exec.Cmd // foreground runc exec/run; stdio is set here
	PidFile string    // where runc writes the process's host pid
	TTY     *garden.TTYSpec
	IO      garden.ProcessIO
	OnExit  func() // called once after the process has exited
}

// Start starts opts.Cmd with stdio wired to opts.IO.
func Start(opts Options) (*Process, error) {
	p := &Process{id: opts.ID, pidFile: opts.PidFile, cmd: opts.Cmd, done: make(chan struct{}), onExit: opts.OnExit}
	p.stdout.attach(opts.IO.Stdout)
	p.stderr.attach(opts.IO.Stderr)

	var copiers sync.WaitGroup
	var childEnds []*os.File
	if opts.TTY != nil {
		master, slave, err := openPTY()
		if err != nil {
			return nil, err
		}
		if ws := opts.TTY.WindowSize; ws != nil {
			_ = setWindowSize(master, ws.Columns, ws.Rows)
		}
		p.tty, p.stdin = master, master
		p.cmd.Stdin, p.cmd.Stdout, p.cmd.Stderr = slave, slave, slave
		childEnds = append(childEnds, slave)
		copiers.Add(1)
		go func() { defer copiers.Done(); _, _ = io.Copy(&p.stdout, master) }()
	} else {
		inR, inW, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		outR, outW, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		errR, errW, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		p.stdin = inW
		p.cmd.Stdin, p.cmd.Stdout, p.cmd.Stderr = inR, outW, errW
		childEnds = append(childEnds, inR, outW, errW)
		copiers.Add(2)
		go func() { defer copiers.Done(); _, _ = io.Copy(&p.stdout, outR); outR.Close() }()
		go func() { defer copiers.Done(); _, _ = io.Copy(&p.stderr, errR); errR.Close() }()
	}
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := p.cmd.Start(); err != nil {
		for _, f := range childEnds {
			f.Close()
		}
		p.stdin.Close()
		return nil, fmt.Errorf("starting runc: %w", err)
	}
	for _, f := range childEnds {
		f.Close()
	}
	p.feedStdin(opts.IO.Stdin, true)

	go func() {
		err := p.cmd.Wait()
		p.exitCode = exitCode(p.cmd, err)
		outputDone := make(chan struct{})
		go func() { copiers.Wait(); close(outputDone) }()
		select {
		case <-outputDone:
		case <-time.After(outputGrace):
		}
		p.stdin.Close()
		close(p.done)
		if p.onExit != nil {
			p.onExit()
		}
	}()
	return p, nil
}

func exitCode(cmd *exec.Cmd, err error) int {
	if err == nil {
		return 0
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return exitErr.ExitCode()
	}
	return 255
}

// feedStdin copies r into the process's stdin. When primary is set, the end
// of r closes the process's stdin (a pty gets an end-of-transmission byte).
func (p *Process) feedStdin(r io.Reader, primary bool) {
	if r == nil {
		return
	}
	go func() {
		_, _ = io.Copy(p.stdin, r)
		if !primary {
			return
		}
		select {
		case <-p.done:
			return
		default:
		}
		if p.tty != nil {
			_, _ = p.tty.Write([]byte{4})
			return
		}
		p.stdin.Close()
	}()
}

// Attach adds another client's stdio to the process.
func (p *Process) Attach(pio garden.ProcessIO) {
	p.stdout.attach(pio.Stdout)
	p.stderr.attach(pio.Stderr)
	p.feedStdin(pio.Stdin, false)
}

// ID implements garden.Process.
func (p *Process) ID() string { return p.id }

// Done is closed once the process has exited and its output is flushed.
func (p *Process) Done() <-chan struct{} { return p.done }

// Exited reports whether the process has finished.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Wait implements garden.Process: the exit status, once the process exits.
func (p *Process) Wait() (int, error) {
	<-p.done
	return p.exitCode, nil
}

// SetTTY implements garden.Process: it resizes the process's terminal.
func (p *Process) SetTTY(spec garden.TTYSpec) error {
	if p.tty == nil || spec.WindowSize == nil {
		return nil
	}
	if err := setWindowSize(p.tty, spec.WindowSize.Columns, spec.WindowSize.Rows); err != nil {
		return fmt.Errorf("resizing tty: %w", err)
	}
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(syscall.SIGWINCH) // runc copies the new size into the container
	}
	return nil
}

// Signal implements garden.Process. The signal goes straight to the
// process's host pid.
func (p *Process) Signal(sig garden.Signal) error {
	var s syscall.Signal
	switch sig {
	case garden.SignalTerminate:
		s = syscall.SIGTERM
	case garden.SignalKill:
		s = syscall.SIGKILL
	default:
		return fmt.Errorf("unsupported signal %d", sig)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if p.Exited() {
			return nil
		}
		if pid, err := readPid(p.pidFile); err == nil {
			if err := syscall.Kill(pid, s); err != nil && !errors.Is(err, syscall.ESRCH) {
				return fmt.Errorf("signalling process %s: %w", p.id, err)
			}
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("signalling process %s: it never reported its pid", p.id)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func readPid(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return 0, errors.New("empty pid file")
	}
	return strconv.Atoi(s)
}
