package healthcheck

import (
	"bytes"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// scripted returns a probe that fails with err for the first n calls, then
// passes (or, with flip, passes n times and then fails).
func scripted(n int, err error, flip bool) (func() error, *atomic.Int64) {
	var calls atomic.Int64
	return func() error {
		c := calls.Add(1)
		if (c <= int64(n)) != flip {
			return err
		}
		return nil
	}, &calls
}

var appDown = &Error{Code: ExitHTTPFailed, Message: "failed to make HTTP request to '/' on port 8080: received status code 500 in 1ms"}

func TestSingleCheck(t *testing.T) {
	var stderr bytes.Buffer
	probe, _ := scripted(0, nil, false)
	if code := Run(Options{}, probe, &stderr); code != 0 || stderr.Len() != 0 {
		t.Fatalf("passing: %d %q", code, stderr.String())
	}
	probe, _ = scripted(1, appDown, false)
	if code := Run(Options{}, probe, &stderr); code != ExitHTTPFailed || stderr.String() != appDown.Message+"\n" {
		t.Fatalf("failing: %d %q", code, stderr.String())
	}
	stderr.Reset()
	probe, _ = scripted(1, errors.New("boom"), false)
	if code := Run(Options{}, probe, &stderr); code != ExitUnknown || stderr.String() != "Unknown error encountered in healthcheck: boom\n" {
		t.Fatalf("unknown: %d %q", code, stderr.String())
	}
}

func TestStartupRetriesUntilSuccess(t *testing.T) {
	var stderr bytes.Buffer
	probe, calls := scripted(3, appDown, false)
	code := Run(Options{StartupInterval: time.Millisecond, StartupTimeout: time.Minute}, probe, &stderr)
	if code != 0 || calls.Load() != 4 || stderr.Len() != 0 {
		t.Fatalf("code %d after %d calls, stderr %q", code, calls.Load(), stderr.String())
	}
}

func TestStartupTimeoutReportsLastFailure(t *testing.T) {
	var stderr bytes.Buffer
	probe, calls := scripted(1<<30, appDown, false)
	code := Run(Options{StartupInterval: time.Millisecond, StartupTimeout: 50 * time.Millisecond}, probe, &stderr)
	if code != ExitHTTPFailed {
		t.Fatalf("code %d", code)
	}
	msg := stderr.String()
	if !strings.HasPrefix(msg, "Timed out after 50ms (") || !strings.HasSuffix(msg, " attempts) waiting for startup check to succeed: "+appDown.Message+"\n") {
		t.Fatalf("message %q", msg)
	}
	if calls.Load() < 2 {
		t.Fatalf("only %d attempts", calls.Load())
	}
}

func TestStartupTimeoutWhileFirstProbeHangs(t *testing.T) {
	var stderr bytes.Buffer
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	code := Run(Options{StartupInterval: time.Second, StartupTimeout: 10 * time.Millisecond},
		func() error { <-block; return nil }, &stderr)
	if code != ExitUnknown || !strings.Contains(stderr.String(), "(1 attempts)") {
		t.Fatalf("code %d, %q", code, stderr.String())
	}
}

func TestLivenessAndReadinessRunUntilFailure(t *testing.T) {
	for _, c := range []struct {
		opts   Options
		prefix string
	}{
		{Options{LivenessInterval: time.Millisecond}, "Liveness check unsuccessful: "},
		{Options{ReadinessInterval: time.Millisecond}, "Readiness check unsuccessful: "},
	} {
		var stderr bytes.Buffer
		probe, calls := scripted(5, appDown, true)
		code := Run(c.opts, probe, &stderr)
		if code != ExitHTTPFailed || calls.Load() != 6 || stderr.String() != c.prefix+appDown.Message+"\n" {
			t.Fatalf("%s: code %d after %d calls, %q", c.prefix, code, calls.Load(), stderr.String())
		}
	}
}

func TestUntilReadyRunsUntilSuccess(t *testing.T) {
	var stderr bytes.Buffer
	probe, calls := scripted(5, appDown, false)
	if code := Run(Options{UntilReadyInterval: time.Millisecond}, probe, &stderr); code != 0 || calls.Load() != 6 || stderr.Len() != 0 {
		t.Fatalf("code %d after %d calls, %q", code, calls.Load(), stderr.String())
	}
}

func TestModePrecedence(t *testing.T) {
	// Startup wins over liveness: a passing probe ends startup mode at once.
	probe, calls := scripted(0, nil, false)
	if code := Run(Options{StartupInterval: time.Millisecond, LivenessInterval: time.Millisecond}, probe, &bytes.Buffer{}); code != 0 || calls.Load() != 1 {
		t.Fatalf("code %d calls %d", code, calls.Load())
	}
	// Liveness wins over until-ready: it keeps going while the probe passes.
	var stderr bytes.Buffer
	probe, calls = scripted(2, appDown, true)
	if code := Run(Options{LivenessInterval: time.Millisecond, UntilReadyInterval: time.Millisecond}, probe, &stderr); code != ExitHTTPFailed || calls.Load() != 3 {
		t.Fatalf("code %d calls %d", code, calls.Load())
	}
}

func TestParseFlagsDefaults(t *testing.T) {
	o, err := ParseFlags(nil, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	want := Options{Check: Check{Network: "tcp", Port: "8080", Timeout: time.Second}, StartupTimeout: time.Minute}
	if o != want {
		t.Fatalf("defaults %+v", o)
	}
	var stderr bytes.Buffer
	if code := Main([]string{"-bogus"}, &stderr, nil, nil); code != ExitUsage || !strings.Contains(stderr.String(), "flag provided but not defined: -bogus") {
		t.Fatalf("bad flag: %d %q", code, stderr.String())
	}
}
