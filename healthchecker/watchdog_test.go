package healthchecker

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"code.cloudfoundry.org/lager/v3"
)

// testLogger sends log lines to the test's log.
func testLogger(t *testing.T) lager.Logger {
	logger := lager.NewLogger("test")
	logger.RegisterSink(lager.NewWriterSink(testWriter{t}, lager.DEBUG))
	return logger
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(p))
	return len(p), nil
}

// noWait runs the poll loop without delays until ctx is done.
func noWait(ctx context.Context, _ time.Duration) bool { return ctx.Err() == nil }

// scripted answers each request with the next status of script, repeating
// the last one, and records what it saw.
type scripted struct {
	mu       sync.Mutex
	script   []int
	requests []*http.Request
	onServe  func(n int) // called with the request count after answering
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r)
	n := len(s.requests)
	status := s.script[min(n, len(s.script))-1]
	s.mu.Unlock()
	w.WriteHeader(status)
	if s.onServe != nil {
		s.onServe(n)
	}
}

func (s *scripted) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

func tcpConfig(t *testing.T, serverURL string) Config {
	t.Helper()
	host, port, err := net.SplitHostPort(serverURL[len("http://"):])
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	cfg := Config{
		ComponentName:      "test-healthchecker",
		FailureCounterFile: filepath.Join(t.TempDir(), "failures.count"),
		HealthcheckEndpoint: Endpoint{
			Host: host, Port: p, Path: "/health",
		},
		HealthcheckTimeout: Duration(2 * time.Second),
	}
	cfg.applyDefaults()
	return cfg
}

func writeCount(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readCount(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWatchGivesUpAfterThreeFailuresInARowAndCountsIt(t *testing.T) {
	srv := &scripted{script: []int{http.StatusServiceUnavailable}}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	cfg := tcpConfig(t, ts.URL)
	writeCount(t, cfg.FailureCounterFile, "8\n")

	err := Run(context.Background(), cfg, testLogger(t), noWait)

	var unhealthy *UnhealthyError
	if !errors.As(err, &unhealthy) || unhealthy.Failures != 3 {
		t.Fatalf("err = %v, want an UnhealthyError after 3 failures", err)
	}
	var status *StatusError
	if !errors.As(err, &status) || status.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("last error = %v, want the 503", unhealthy.Last)
	}
	if srv.count() != 3 {
		t.Errorf("polled %d times, want 3", srv.count())
	}
	if got := readCount(t, cfg.FailureCounterFile); got != "9\n" {
		t.Errorf("failure counter = %q, want %q", got, "9\n")
	}
	if r := srv.requests[0]; r.Method != http.MethodGet || r.URL.Path != "/health" || r.Header.Get("Authorization") != "" {
		t.Errorf("request = %s %s (auth %q), want GET /health without auth", r.Method, r.URL.Path, r.Header.Get("Authorization"))
	}
}

func TestWatchAHealthyPollResetsTheStreakAndTheCounter(t *testing.T) {
	srv := &scripted{script: []int{500, 500, 200, 200, 404, 404, 404}}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	cfg := tcpConfig(t, ts.URL)
	writeCount(t, cfg.FailureCounterFile, "4\n")

	err := Run(context.Background(), cfg, testLogger(t), noWait)

	var unhealthy *UnhealthyError
	if !errors.As(err, &unhealthy) {
		t.Fatalf("err = %v, want an UnhealthyError", err)
	}
	if srv.count() != 7 {
		t.Errorf("polled %d times, want 7 (two failures, two successes, three failures)", srv.count())
	}
	if got := readCount(t, cfg.FailureCounterFile); got != "1\n" {
		t.Errorf("failure counter = %q, want the reset 0 plus one", got)
	}
}

func TestWatchKeepsPollingWhileHealthyAndStopsCleanly(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := &scripted{script: []int{200}, onServe: func(n int) {
		if n == 5 {
			cancel()
		}
	}}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	cfg := tcpConfig(t, ts.URL)
	if err := os.Remove(cfg.FailureCounterFile); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}

	if err := Run(ctx, cfg, testLogger(t), noWait); err != nil {
		t.Fatalf("err = %v, want nil on a stop", err)
	}
	if srv.count() != 5 {
		t.Errorf("polled %d times, want 5", srv.count())
	}
	if got := readCount(t, cfg.FailureCounterFile); got != "0\n" {
		t.Errorf("failure counter = %q, want %q", got, "0\n")
	}
}

func TestWatchStoppedDuringFailuresDoesNotCount(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := &scripted{script: []int{500}, onServe: func(n int) {
		if n == 2 {
			cancel()
		}
	}}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	cfg := tcpConfig(t, ts.URL)
	writeCount(t, cfg.FailureCounterFile, "2\n")

	if err := Run(ctx, cfg, testLogger(t), noWait); err != nil {
		t.Fatalf("err = %v, want nil on a stop", err)
	}
	if got := readCount(t, cfg.FailureCounterFile); got != "2\n" {
		t.Errorf("failure counter = %q, want it untouched", got)
	}
}

func TestWatchGarbageCounterCountsFromZero(t *testing.T) {
	ts := httptest.NewServer(&scripted{script: []int{500}})
	t.Cleanup(ts.Close)
	cfg := tcpConfig(t, ts.URL)
	writeCount(t, cfg.FailureCounterFile, "potatoes")

	_ = Run(context.Background(), cfg, testLogger(t), noWait)

	if got := readCount(t, cfg.FailureCounterFile); got != "1\n" {
		t.Errorf("failure counter = %q, want %q", got, "1\n")
	}
}

func TestCheckSendsBasicAuthAndTimesOut(t *testing.T) {
	release := make(chan struct{})
	var gotUser, gotPass string
	var gotAuth bool
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			<-release
			return
		}
		gotUser, gotPass, gotAuth = r.BasicAuth()
	}))
	t.Cleanup(ts.Close)
	t.Cleanup(func() { close(release) })
	cfg := tcpConfig(t, ts.URL)
	cfg.HealthcheckEndpoint.User, cfg.HealthcheckEndpoint.Password = "admin", "s3cret"
	cfg.HealthcheckTimeout = Duration(100 * time.Millisecond)
	dog, err := NewWatchdog(cfg, testLogger(t), noWait)
	if err != nil {
		t.Fatal(err)
	}

	if err := dog.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !gotAuth || gotUser != "admin" || gotPass != "s3cret" {
		t.Errorf("basic auth = %v %q %q, want admin/s3cret", gotAuth, gotUser, gotPass)
	}

	dog.url = ts.URL + "/slow"
	if err := dog.Check(context.Background()); err == nil {
		t.Error("a response slower than healthcheck_timeout passed")
	}
}

func TestCheckOverAUnixSocket(t *testing.T) {
	dir, err := os.MkdirTemp("", "hc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	socket := filepath.Join(dir, "health.sock")
	l, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	var gotHost, gotPath string
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotHost, gotPath = r.Host, r.URL.Path
		w.WriteHeader(http.StatusTeapot)
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })

	cfg := Config{
		ComponentName:       "c",
		FailureCounterFile:  filepath.Join(dir, "count"),
		HealthcheckEndpoint: Endpoint{Socket: socket, Path: "/ping"},
	}
	cfg.applyDefaults()
	dog, err := NewWatchdog(cfg, testLogger(t), noWait)
	if err != nil {
		t.Fatal(err)
	}
	err = dog.Check(context.Background())
	var status *StatusError
	if !errors.As(err, &status) || status.StatusCode != http.StatusTeapot {
		t.Fatalf("err = %v, want the 418 passed through", err)
	}
	if gotHost != "unix" || gotPath != "/ping" {
		t.Errorf("request host %q path %q, want unix /ping", gotHost, gotPath)
	}
}
