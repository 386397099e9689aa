// Package localrun brings up a whole Diego on one machine for development:
// it writes every daemon's config under one state folder (.diego/), starts
// each daemon as its own process in dependency order, waits for each to be
// ready, prefixes and saves their logs, and stops them in reverse order.
package localrun

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ReadyCheck reports whether a started component is ready to serve.
type ReadyCheck func(ctx context.Context) error

// TCPReady is ready once addr accepts a TCP connection.
func TCPReady(addr string) ReadyCheck {
	return func(ctx context.Context) error {
		d := net.Dialer{Timeout: time.Second}
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return err
		}
		return conn.Close()
	}
}

// TLSReady is ready once addr completes a TLS handshake with cfg (a
// plain TCP probe would make TLS servers log handshake errors).
func TLSReady(addr string, cfg *tls.Config) ReadyCheck {
	return func(ctx context.Context) error {
		d := tls.Dialer{NetDialer: &net.Dialer{Timeout: time.Second}, Config: cfg}
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return err
		}
		return conn.Close()
	}
}

// UnixReady is ready once the socket at path accepts a connection.
func UnixReady(path string) ReadyCheck {
	return func(ctx context.Context) error {
		d := net.Dialer{Timeout: time.Second}
		conn, err := d.DialContext(ctx, "unix", path)
		if err != nil {
			return err
		}
		return conn.Close()
	}
}

// Component is one daemon of the local Diego.
type Component struct {
	Name       string         // unique, used for the log prefix and file names
	Binary     string         // name of the binary in the bin folder
	Args       []string       // extra arguments after -config FILE
	Config     map[string]any // written as JSON to config/<Name>.json; nil: no -config
	Ready      ReadyCheck
	ReadyAt    string        // shown in the status line
	StartAfter time.Duration // optional pause before the readiness wait
	// Cleanup, when set, are arguments (after -config FILE) of a second run
	// of the binary once the component has stopped, e.g. garden -teardown.
	Cleanup []string
}

// running is a started component.
type running struct {
	c          Component
	configPath string
	cmd        *exec.Cmd
	done       chan struct{}
	err        error
}

// Supervisor starts components and stops them.
type Supervisor struct {
	BinDir  string
	Root    string    // the state folder
	Out     io.Writer // where prefixed logs and status lines go
	Quiet   bool      // keep daemon logs in files only
	mu      sync.Mutex
	started []*running
	width   int
}

// Start writes c's config, starts it and waits until it is ready or ctx ends.
func (s *Supervisor) Start(ctx context.Context, c Component) error {
	bin := filepath.Join(s.BinDir, c.Binary)
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%s: binary %s missing (run make build): %w", c.Name, bin, err)
	}
	if c.Ready != nil {
		probe, cancel := context.WithTimeout(ctx, 2*time.Second)
		inUse := c.Ready(probe) == nil
		cancel()
		if inUse {
			return fmt.Errorf("%s: %s is already answering: is another Diego (or an old make run) still running? Stop it first", c.Name, c.ReadyAt)
		}
	}
	args := []string{}
	configPath := ""
	if c.Config != nil {
		path, err := writeConfig(s.Root, c.Name, c.Config)
		if err != nil {
			return err
		}
		configPath = path
		args = append(args, "-config", path)
	}
	args = append(args, c.Args...)
	logFile, err := os.OpenFile(filepath.Join(s.Root, "logs", c.Name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, args...)
	// Own process group: a terminal's Ctrl-C reaches only us, and we stop
	// the daemons in reverse order ourselves.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("%s: %w", c.Name, err)
	}
	r := &running{c: c, configPath: configPath, cmd: cmd, done: make(chan struct{})}
	var copying sync.WaitGroup
	for _, pipe := range []io.Reader{stdout, stderr} {
		copying.Add(1)
		go func() {
			defer copying.Done()
			s.copyLines(c.Name, pipe, logFile)
		}()
	}
	go func() {
		copying.Wait()
		r.err = cmd.Wait()
		logFile.Close()
		close(r.done)
	}()
	s.mu.Lock()
	s.started = append(s.started, r)
	s.mu.Unlock()

	begin := time.Now()
	if err := waitReady(ctx, r); err != nil {
		return fmt.Errorf("%s did not become ready: %w (log: %s)", c.Name, err, filepath.Join(s.Root, "logs", c.Name+".log"))
	}
	s.Status("ready", c.Name, fmt.Sprintf("%-28s pid %-7d %.1fs", c.ReadyAt, cmd.Process.Pid, time.Since(begin).Seconds()))
	return nil
}

func waitReady(ctx context.Context, r *running) error {
	if r.c.Ready == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var last error
	for {
		select {
		case <-r.done:
			return fmt.Errorf("exited: %v", r.err)
		default:
		}
		if last = r.c.Ready(ctx); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%v (last check: %v)", ctx.Err(), last)
		case <-r.done:
			return fmt.Errorf("exited: %v", r.err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Status prints one aligned status line.
func (s *Supervisor) Status(state, name, detail string) {
	fmt.Fprintf(s.Out, "  %-8s %-16s %s\n", state, name, detail)
}

func (s *Supervisor) copyLines(name string, r io.Reader, file io.Writer) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(file, line)
		if !s.Quiet {
			s.mu.Lock()
			fmt.Fprintf(s.Out, "%-14s| %s\n", name, line)
			s.mu.Unlock()
		}
	}
}

// Exited returns a channel that receives the name of the first component
// that exits on its own.
func (s *Supervisor) Exited() <-chan string {
	ch := make(chan string, 1)
	s.mu.Lock()
	list := append([]*running(nil), s.started...)
	s.mu.Unlock()
	for _, r := range list {
		go func() {
			<-r.done
			select {
			case ch <- r.c.Name:
			default:
			}
		}()
	}
	return ch
}

// StopAll stops every started component in reverse start order: SIGTERM,
// then SIGKILL after grace.
func (s *Supervisor) StopAll(grace time.Duration) {
	s.mu.Lock()
	list := append([]*running(nil), s.started...)
	s.mu.Unlock()
	for i := len(list) - 1; i >= 0; i-- {
		r := list[i]
		select {
		case <-r.done:
			s.Status("exited", r.c.Name, describeExit(r.err))
		default:
			_ = syscall.Kill(-r.cmd.Process.Pid, syscall.SIGTERM)
			select {
			case <-r.done:
			case <-time.After(grace):
				_ = syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
				<-r.done
			}
			s.Status("stopped", r.c.Name, "")
		}
		s.cleanup(r)
	}
}

// cleanup runs a stopped component's cleanup command, if it has one.
func (s *Supervisor) cleanup(r *running) {
	if len(r.c.Cleanup) == 0 {
		return
	}
	args := append([]string{"-config", r.configPath}, r.c.Cleanup...)
	out, err := exec.Command(r.cmd.Path, args...).CombinedOutput()
	if err != nil {
		s.Status("cleanup", r.c.Name, fmt.Sprintf("failed: %v: %s", err, strings.TrimSpace(string(out))))
		return
	}
	s.Status("cleaned", r.c.Name, strings.Join(r.c.Cleanup, " "))
}

func describeExit(err error) string {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.String()
	}
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

func writeConfig(root, name string, cfg map[string]any) (string, error) {
	path := filepath.Join(root, "config", name+".json")
	data, err := marshalIndent(cfg)
	if err != nil {
		return "", fmt.Errorf("%s config: %w", name, err)
	}
	return path, os.WriteFile(path, data, 0o644)
}

// Shell quotes a value for an `export` line.
func Shell(v string) string {
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

// Signal sends sig to the named component's process group and, when wait is
// set, waits up to timeout for it to exit.
func (s *Supervisor) Signal(name string, sig syscall.Signal, wait bool, timeout time.Duration) error {
	s.mu.Lock()
	var r *running
	for _, c := range s.started {
		if c.c.Name == name {
			r = c
		}
	}
	s.mu.Unlock()
	if r == nil {
		return fmt.Errorf("no component named %s", name)
	}
	if err := syscall.Kill(-r.cmd.Process.Pid, sig); err != nil {
		return err
	}
	if !wait {
		return nil
	}
	select {
	case <-r.done:
		return nil
	case <-time.After(timeout):
		return fmt.Errorf("%s did not exit within %s", name, timeout)
	}
}
