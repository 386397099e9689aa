package main_test

import (
	"bytes"
	"debug/elf"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var binary, externalBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "healthcheck-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "healthcheck")
	externalBinary = filepath.Join(dir, "healthcheck-external")
	for _, b := range [][]string{{binary}, {externalBinary, "-tags", "external"}} {
		args := append([]string{"build", "-o", b[0]}, b[1:]...)
		build := exec.Command("go", append(args, ".")...)
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			panic(err)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// appIP is the address the binary will check: this machine's first
// non-loopback IPv4 address, as upstream picks it.
func appIP(t *testing.T) string {
	t.Helper()
	interfaces, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, intf := range interfaces {
		addrs, _ := intf.Addrs()
		for _, a := range addrs {
			if ipnet, ok := a.(*net.IPNet); ok && !ipnet.IP.IsLoopback() && ipnet.IP.To4() != nil {
				return ipnet.IP.String()
			}
		}
	}
	t.Skip("SKIPPED: no non-loopback IPv4 address on this machine; the binary cannot be exercised")
	return ""
}

// app is an HTTP server on the app address whose /ping status can change.
type app struct {
	port   string
	status atomic.Int64
	hits   atomic.Int64
}

func startApp(t *testing.T) *app {
	t.Helper()
	l, err := net.Listen("tcp", appIP(t)+":0")
	if err != nil {
		t.Fatal(err)
	}
	a := &app{}
	a.status.Store(http.StatusOK)
	_, a.port, _ = net.SplitHostPort(l.Addr().String())
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.hits.Add(1)
		if r.URL.Path == "/slow" {
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
		}
		w.WriteHeader(int(a.status.Load()))
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return a
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", appIP(t)+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

type result struct {
	code   int
	stderr string
}

func run(t *testing.T, bin string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return result{0, stderr.String()}
	case errors.As(err, &exit):
		return result{exit.ExitCode(), stderr.String()}
	}
	t.Fatalf("running %s: %v", bin, err)
	return result{}
}

// start runs the binary in the background and returns a channel with its result.
func start(t *testing.T, args ...string) (<-chan result, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan result, 1)
	go func() {
		err := cmd.Wait()
		var exit *exec.ExitError
		code := 0
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		}
		done <- result{code, stderr.String()}
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return done, cmd
}

func waitResult(t *testing.T, done <-chan result) result {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(20 * time.Second):
		t.Fatal("healthcheck did not exit")
	}
	return result{}
}

func waitHits(t *testing.T, a *app, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for a.hits.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("app got %d checks, want %d", a.hits.Load(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func expect(t *testing.T, r result, code int, stderr string) {
	t.Helper()
	if r.code != code || !strings.Contains(r.stderr, stderr) {
		t.Fatalf("got exit %d stderr %q, want %d containing %q", r.code, r.stderr, code, stderr)
	}
}

func TestBinaryIsStatic(t *testing.T) {
	f, err := elf.Open(binary)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Fatal("healthcheck is dynamically linked; it must run in any rootfs")
		}
	}
}

func TestSingleCheckExitCodes(t *testing.T) {
	a := startApp(t)
	ip := appIP(t)
	closed := freePort(t)

	expect(t, run(t, binary, nil, "-port="+a.port), 0, "")
	expect(t, run(t, binary, nil, "-port="+a.port, "-uri=/ping"), 0, "")
	expect(t, run(t, binary, nil, "-port="+closed), 4,
		"failed to make TCP connection to "+ip+":"+closed+": dial tcp "+ip+":"+closed+": connect: connection refused\n")
	expect(t, run(t, binary, nil, "-port=-1"), 4, "dial tcp: address -1: invalid port")
	expect(t, run(t, binary, nil, "-port="+a.port, "-timeout=1ns"), 64,
		"failed to make TCP connection to "+ip+":"+a.port+": timed out after 0.00 seconds\n")
	expect(t, run(t, binary, nil, "-port="+closed, "-uri=/ping"), 5,
		"failed to make HTTP request to '/ping' on port "+closed+": connection refused\n")
	expect(t, run(t, binary, nil, "-port="+a.port, "-uri=/slow", "-timeout=100ms"), 65,
		"failed to make HTTP request to '/slow' on port "+a.port+": timed out after 0.10 seconds\n")
	expect(t, run(t, binary, nil, "-port="+a.port, "-uri=ping"), 6,
		"failed to create an HTTP request to 'ping' on port "+a.port+"\n")
	a.status.Store(http.StatusServiceUnavailable)
	expect(t, run(t, binary, nil, "-port="+a.port, "-uri=/ping"), 6,
		"failed to make HTTP request to '/ping' on port "+a.port+": received status code 503 in ")
	expect(t, run(t, binary, nil, "-no-such-flag"), 2, "flag provided but not defined")
}

func TestNoSuitableInterface(t *testing.T) {
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("SKIPPED: unshare not available to run the binary in a loopback-only network namespace")
	}
	cmd := exec.Command("unshare", "-n", binary, "-port=8080")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("unexpected result %v %q", err, stderr.String())
	}
	if strings.Contains(stderr.String(), "unshare:") {
		t.Skipf("SKIPPED: cannot create a network namespace here: %s", stderr.String())
	}
	expect(t, result{exit.ExitCode(), stderr.String()}, 3, "failure to find suitable interface\n")
}

func TestStartupModeWaitsForTheApp(t *testing.T) {
	a := startApp(t)
	a.status.Store(http.StatusInternalServerError)
	done, _ := start(t, "-port="+a.port, "-uri=/ping", "-startup-interval=10ms", "-startup-timeout=60s")
	waitHits(t, a, 3)
	select {
	case r := <-done:
		t.Fatalf("exited early: %+v", r)
	default:
	}
	a.status.Store(http.StatusOK)
	expect(t, waitResult(t, done), 0, "")
}

func TestStartupModeTimesOut(t *testing.T) {
	a := startApp(t)
	a.status.Store(http.StatusInternalServerError)
	done, _ := start(t, "-port="+a.port, "-uri=/ping", "-startup-interval=10ms", "-startup-timeout=300ms")
	r := waitResult(t, done)
	expect(t, r, 6, "Timed out after 300ms (")
	expect(t, r, 6, " attempts) waiting for startup check to succeed: failed to make HTTP request to '/ping' on port "+a.port+": received status code 500 in ")
}

func TestStartupModeWaitsForTheListener(t *testing.T) {
	port := freePort(t)
	done, _ := start(t, "-port="+port, "-startup-interval=10ms")
	time.Sleep(50 * time.Millisecond) // let a few attempts fail first; not an assertion
	l, err := net.Listen("tcp", appIP(t)+":"+port)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	expect(t, waitResult(t, done), 0, "")
}

func TestLivenessAndReadinessExitOnFailure(t *testing.T) {
	for _, mode := range []struct{ flag, prefix string }{
		{"-liveness-interval=10ms", "Liveness check unsuccessful: "},
		{"-readiness-interval=10ms", "Readiness check unsuccessful: "},
	} {
		a := startApp(t)
		done, _ := start(t, "-port="+a.port, "-uri=/ping", mode.flag)
		waitHits(t, a, 3)
		select {
		case r := <-done:
			t.Fatalf("%s exited while healthy: %+v", mode.flag, r)
		default:
		}
		a.status.Store(http.StatusInternalServerError)
		expect(t, waitResult(t, done), 6, mode.prefix+"failed to make HTTP request to '/ping' on port "+a.port+": received status code 500 in ")
	}
}

func TestUntilReadyExitsOnSuccess(t *testing.T) {
	a := startApp(t)
	a.status.Store(http.StatusNotFound)
	done, _ := start(t, "-port="+a.port, "-uri=/ping", "-until-ready-interval=10ms")
	waitHits(t, a, 3)
	select {
	case r := <-done:
		t.Fatalf("exited while unready: %+v", r)
	default:
	}
	a.status.Store(http.StatusOK)
	expect(t, waitResult(t, done), 0, "")
}

func TestExternalPortBuild(t *testing.T) {
	a := startApp(t)
	env := []string{`CF_INSTANCE_PORTS=[{"internal":8080,"external":` + a.port + `}]`}
	expect(t, run(t, externalBinary, env, "-port=8080", "-uri=/ping"), 0, "")
}
