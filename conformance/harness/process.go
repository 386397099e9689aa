package harness

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// EnvBin names the directory holding the binaries under test.
const EnvBin = "DIEGO_BIN"

// Binary returns the path of our binary name in $DIEGO_BIN (default: the
// repository's bin/, one level above this module), failing the test when
// it is not built.
func Binary(t testing.TB, name string) string {
	t.Helper()
	dir := os.Getenv(EnvBin)
	if dir == "" {
		wd, _ := os.Getwd()
		for d := wd; d != filepath.Dir(d); d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "conformance", "go.mod")); err == nil {
				dir = filepath.Join(d, "bin")
				break
			}
		}
	}
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s not found (%v): build it (make build) and set %s to the bin directory", name, err, EnvBin)
	}
	return path
}

// FreePort returns a 127.0.0.1 TCP address nobody listens on right now.
func FreePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// WriteJSON writes v as JSON to a temporary file and returns its path.
func WriteJSON(t testing.TB, name string, v any) string {
	t.Helper()
	raw, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Process is a running binary.
type Process struct {
	Name   string
	cmd    *exec.Cmd
	out    *lockedBuffer
	exited chan struct{}
	err    error
	once   sync.Once
}

// Start runs $DIEGO_BIN/name -config <config as JSON> plus any extra
// args, and stops it at cleanup. Its output is kept (Output) and shown in
// the test log when the test fails.
func Start(t testing.TB, name string, config any, args ...string) *Process {
	t.Helper()
	cfgPath := WriteJSON(t, name+".json", config)
	cmd := exec.Command(Binary(t, name), append([]string{"-config", cfgPath}, args...)...)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	p := &Process{Name: name, cmd: cmd, out: out, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.Stop(t)
		if t.Failed() {
			t.Logf("--- %s output ---\n%s", name, p.Output())
		}
	})
	return p
}

// Stop sends SIGTERM and waits up to 15 s, then kills. It is idempotent
// and returns the exit error (nil for a clean exit).
func (p *Process) Stop(t testing.TB) error {
	t.Helper()
	p.once.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(15 * time.Second):
			t.Errorf("%s ignored SIGTERM for 15 s; killing it", p.Name)
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p.err
}

// Exited is closed when the process has exited.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// Output returns everything the process wrote so far.
func (p *Process) Output() string { return p.out.String() }

// WaitForListen waits until addr accepts TCP connections, failing the
// test if the process exits first or timeout passes.
func (p *Process) WaitForListen(t testing.TB, addr string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return
		}
		select {
		case <-p.exited:
			t.Fatalf("%s exited (%v) before listening on %s:\n%s", p.Name, p.err, addr, p.Output())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not listening on %s after %s:\n%s", p.Name, addr, timeout, p.Output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Eventually polls cond every 50 ms until it holds, failing after timeout.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return fmt.Sprint(b.buf.String())
}
