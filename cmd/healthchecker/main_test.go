package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// binary is bin/healthchecker built once for every test.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "healthchecker-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "healthchecker")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building healthchecker:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// statusServer answers every request with the current status and counts them.
type statusServer struct {
	status   atomic.Int32
	requests atomic.Int32
	mu       sync.Mutex
	last     *http.Request
}

func newStatusServer(status int) *statusServer {
	s := &statusServer{}
	s.status.Store(int32(status))
	return s
}

func (s *statusServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.last = r.Clone(r.Context())
	s.mu.Unlock()
	s.requests.Add(1)
	w.WriteHeader(int(s.status.Load()))
}

func (s *statusServer) lastRequest() *http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// proc is a running healthchecker.
type proc struct {
	cmd    *exec.Cmd
	stdout *syncBuffer
	stderr *syncBuffer
	done   chan struct{}
	err    error
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func start(t *testing.T, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(binary, args...), stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		if !p.exited() {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("stdout:\n%s\nstderr:\n%s", p.stdout, p.stderr)
		}
	})
	return p
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait returns the exit code, failing the test if the process outlives the deadline.
func (p *proc) wait(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(within):
		t.Fatalf("healthchecker still running after %v", within)
	}
	var exitErr *exec.ExitError
	if errors.As(p.err, &exitErr) {
		return exitErr.ExitCode()
	}
	if p.err != nil {
		t.Fatal(p.err)
	}
	return 0
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// writeConfig writes a config with short intervals; endpoint is the YAML of
// the healthcheck_endpoint block's keys, one per line.
func writeConfig(t *testing.T, dir string, endpoint ...string) (configPath, counterPath string) {
	t.Helper()
	counterPath = filepath.Join(dir, "counters", "failures.count")
	if err := os.MkdirAll(filepath.Dir(counterPath), 0o755); err != nil {
		t.Fatal(err)
	}
	yaml := fmt.Sprintf(`component_name: test-healthchecker
failure_counter_file: %s
log_level: debug
healthcheck_poll_interval: 50ms
healthcheck_timeout: 1s
start_response_delay_interval: 10ms
startup_delay_buffer: 10ms
healthcheck_endpoint:
  %s
`, counterPath, strings.Join(endpoint, "\n  "))
	configPath = filepath.Join(dir, "healthchecker.yml")
	if err := os.WriteFile(configPath, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return configPath, counterPath
}

func tcpEndpoint(t *testing.T, serverURL string, extra ...string) []string {
	t.Helper()
	host, port, err := net.SplitHostPort(strings.TrimPrefix(serverURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{"host: " + host, "port: " + port, "path: /health"}, extra...)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return string(b)
}

func TestHealthyEndpointKeepsItRunningUntilSIGTERM(t *testing.T) {
	srv := newStatusServer(http.StatusOK)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	cfgPath, counter := writeConfig(t, t.TempDir(), tcpEndpoint(t, ts.URL)...)
	if err := os.WriteFile(counter, []byte("3\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	p := start(t, "-c", cfgPath)
	eventually(t, "five polls", func() bool { return srv.requests.Load() >= 5 })
	if p.exited() {
		t.Fatalf("exited while the endpoint was healthy: %v", p.err)
	}
	if got := readFile(t, counter); got != "0\n" {
		t.Errorf("failure counter = %q, want a healthy poll to reset it to %q", got, "0\n")
	}
	if r := srv.lastRequest(); r.Method != http.MethodGet || r.URL.Path != "/health" || r.Header.Get("Authorization") != "" {
		t.Errorf("request = %s %s auth %q, want GET /health without auth", r.Method, r.URL.Path, r.Header.Get("Authorization"))
	}
	if !strings.Contains(p.stdout.String(), "Verifying endpoint") {
		t.Errorf("no debug poll lines in stdout")
	}

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 10*time.Second); code != 0 {
		t.Errorf("exit code after SIGTERM = %d, want 0", code)
	}
}

func TestFailingEndpointMakesItExitAndCountTheFailure(t *testing.T) {
	srv := newStatusServer(http.StatusOK)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	cfgPath, counter := writeConfig(t, t.TempDir(), tcpEndpoint(t, ts.URL)...)

	p := start(t, "-c", cfgPath)
	eventually(t, "a healthy poll", func() bool { return readFile(t, counter) == "0\n" })
	srv.status.Store(http.StatusInternalServerError)

	if code := p.wait(t, 10*time.Second); code != 2 {
		t.Errorf("exit code = %d, want 2 (upstream's)", code)
	}
	if got := readFile(t, counter); got != "1\n" {
		t.Errorf("failure counter = %q, want %q", got, "1\n")
	}
	out := p.stdout.String()
	for _, want := range []string{"Error running healthcheck", "500 received from healthcheck endpoint (200 expected)"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q", want)
		}
	}
}

func TestUnreachableEndpointMakesItExit(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "http://" + l.Addr().String()
	l.Close() // nothing listens there any more
	cfgPath, counter := writeConfig(t, t.TempDir(), tcpEndpoint(t, addr)...)
	if err := os.WriteFile(counter, []byte("9\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	p := start(t, "-config", cfgPath)
	if code := p.wait(t, 10*time.Second); code != 2 {
		t.Errorf("exit code = %d, want 2", code)
	}
	if got := readFile(t, counter); got != "10\n" {
		t.Errorf("failure counter = %q, want %q", got, "10\n")
	}
}

func TestBasicAuthIsSent(t *testing.T) {
	srv := newStatusServer(http.StatusOK)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	cfgPath, _ := writeConfig(t, t.TempDir(), tcpEndpoint(t, ts.URL, "user: monitor", `password: "p@ss:word"`)...)

	start(t, "-c", cfgPath)
	eventually(t, "a poll", func() bool { return srv.requests.Load() >= 1 })
	user, pass, ok := srv.lastRequest().BasicAuth()
	if !ok || user != "monitor" || pass != "p@ss:word" {
		t.Errorf("basic auth = %v %q %q, want monitor / p@ss:word", ok, user, pass)
	}
}

func TestUnixSocketEndpoint(t *testing.T) {
	dir, err := os.MkdirTemp("", "hc") // short: unix socket paths are limited to ~100 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	socket := filepath.Join(dir, "health.sock")
	l, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	srv := newStatusServer(http.StatusOK)
	httpServer := &http.Server{Handler: srv}
	go httpServer.Serve(l)
	t.Cleanup(func() { httpServer.Close() })
	cfgPath, counter := writeConfig(t, dir, "socket: "+socket, "path: /ping", "user: u", "password: p")

	p := start(t, "-c", cfgPath)
	eventually(t, "three polls over the socket", func() bool { return srv.requests.Load() >= 3 })
	r := srv.lastRequest()
	if r.URL.Path != "/ping" || r.Host != "unix" {
		t.Errorf("request host %q path %q, want unix /ping", r.Host, r.URL.Path)
	}
	if user, pass, ok := r.BasicAuth(); !ok || user != "u" || pass != "p" {
		t.Errorf("basic auth = %v %q %q, want u / p", ok, user, pass)
	}

	srv.status.Store(http.StatusServiceUnavailable)
	if code := p.wait(t, 10*time.Second); code != 2 {
		t.Errorf("exit code = %d, want 2", code)
	}
	if got := readFile(t, counter); got != "1\n" {
		t.Errorf("failure counter = %q, want %q", got, "1\n")
	}
}

func TestSIGTERMDuringTheStartupDelayExitsCleanly(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "healthchecker.yml")
	counter := filepath.Join(dir, "failures.count")
	cfg := "component_name: c\nfailure_counter_file: " + counter +
		"\nlog_level: debug\nstart_response_delay_interval: 1h\nhealthcheck_endpoint: {host: 127.0.0.1, port: 9}\n"
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}

	p := start(t, "-c", cfgPath)
	// The handler is installed before the delay's log line is written.
	eventually(t, "the startup delay", func() bool { return strings.Contains(p.stdout.String(), "Sleeping before") })
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 10*time.Second); code != 0 {
		t.Errorf("exit code = %d, want 0", code)
	}
	if _, err := os.Stat(counter); !os.IsNotExist(err) {
		t.Errorf("failure counter file exists before the first poll cycle (err %v)", err)
	}
}

func TestBadConfigIsRejectedNamingEveryKey(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "healthchecker.yml")
	bad := `component_name: c
failure_counter_file: /tmp/x
healthcheck_intervall: 5s
healthcheck_endpoint:
  host: 127.0.0.1
  port: 8080
  schema: https
healthcheck_timeout: fast
`
	if err := os.WriteFile(cfgPath, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"-c", cfgPath}, {"-config", cfgPath, "-check-config"}} {
		p := start(t, args...)
		if code := p.wait(t, 10*time.Second); code != 2 {
			t.Errorf("%v: exit code = %d, want 2", args, code)
		}
		for _, want := range []string{
			"healthcheck_intervall (line 3): unknown key",
			"healthcheck_endpoint.schema (line 7): unknown key",
			`healthcheck_timeout (line 8): invalid duration "fast"`,
		} {
			if !strings.Contains(p.stderr.String(), want) {
				t.Errorf("%v: stderr lacks %q:\n%s", args, want, p.stderr)
			}
		}
	}
}

func TestCheckConfigAndFlags(t *testing.T) {
	cfgPath, counter := writeConfig(t, t.TempDir(), "host: 127.0.0.1", "port: 1")
	p := start(t, "-check-config", "-c", cfgPath)
	if code := p.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("-check-config on a valid file: exit %d", code)
	}
	if !strings.Contains(p.stdout.String(), "is valid") {
		t.Errorf("stdout = %q", p.stdout)
	}
	if _, err := os.Stat(counter); !os.IsNotExist(err) {
		t.Errorf("-check-config touched the failure counter file")
	}

	for _, args := range [][]string{{}, {"-c", cfgPath, "-config", "/elsewhere.yml"}, {"-c", "/does/not/exist.yml"}} {
		p := start(t, args...)
		if code := p.wait(t, 10*time.Second); code != 2 {
			t.Errorf("%v: exit code = %d, want 2", args, code)
		}
		if p.stderr.String() == "" {
			t.Errorf("%v: nothing on stderr", args)
		}
	}
}
