package steps

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func monitor(s Streamer, startup, liveness func() Step, timeout time.Duration) HealthCheck {
	return HealthCheck{
		Startup:        EventuallySucceeds{Check: startup, Interval: time.Millisecond, Timeout: timeout},
		Liveness:       ConsistentlySucceeds{Check: liveness, Interval: time.Millisecond},
		Streamer:       s,
		HealthStreamer: s.WithSource("HEALTH"),
	}
}

func TestHealthCheckBecomesReadyThenCrashesWhenUnhealthy(t *testing.T) {
	s := newStreamer()
	startup, startups := seq(errBoom, errBoom, nil)
	liveness, _ := seq(nil, nil, errors.New("connection refused"))
	r := start(monitor(s, startup, liveness, time.Minute))
	err := r.wait()
	if !r.isReady() {
		t.Fatal("not ready after startup passed")
	}
	if startups.Load() != 3 {
		t.Fatalf("startup ran %d times", startups.Load())
	}
	if err == nil || err.Error() != "Instance became unhealthy: connection refused" || !IsEmittable(err) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"Starting health monitoring of container\n", "Container became healthy\n"} {
		if !strings.Contains(s.stdout(), want) {
			t.Fatalf("stdout %q lacks %q", s.stdout(), want)
		}
	}
	if !strings.Contains(s.stderr(), "Container became unhealthy\n") {
		t.Fatalf("stderr = %q", s.stderr())
	}
}

func TestHealthCheckNeverHealthy(t *testing.T) {
	s := newStreamer()
	startup, _ := seq(errors.New("failed to make TCP connection"))
	liveness, _ := seq(nil)
	r := start(monitor(s, startup, liveness, 20*time.Millisecond))
	err := r.wait()
	if r.isReady() {
		t.Fatal("ready without a passing check")
	}
	if err == nil || !strings.HasPrefix(err.Error(), "Instance never healthy after ") ||
		!strings.HasSuffix(err.Error(), ": failed to make TCP connection") {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(s.stderr(), "startup health check never passed.") {
		t.Fatalf("stderr = %q", s.stderr())
	}
}

func TestHealthCheckCancelled(t *testing.T) {
	s := newStreamer()
	startup, _ := seq(nil)
	liveness, _ := seq(nil)
	r := start(monitor(s, startup, liveness, time.Minute))
	<-r.ready
	r.cancel()
	if err := r.wait(); !errors.Is(err, ErrCancelled) {
		t.Fatalf("err = %v", err)
	}
}

func TestReadinessTogglesRoutable(t *testing.T) {
	s := newStreamer()
	var mu sync.Mutex
	var states []bool
	untilReady, _ := seq(nil)
	// until-failure: fails once, then blocks.
	var failures int
	r := start(Readiness{
		UntilReady: Func(func(ctx context.Context, ready func()) error { return untilReady().Run(ctx, ready) }),
		UntilFailure: Func(func(ctx context.Context, ready func()) error {
			mu.Lock()
			failures++
			n := failures
			mu.Unlock()
			if n == 1 {
				return errBoom
			}
			return blocks().Run(ctx, ready)
		}),
		SetReady: func(b bool) { mu.Lock(); states = append(states, b); mu.Unlock() },
		Streamer: s,
	})
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(states)
		mu.Unlock()
		if n >= 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	r.cancel()
	if err := r.wait(); !errors.Is(err, ErrCancelled) {
		t.Fatalf("err = %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(states) != 3 || !states[0] || states[1] || !states[2] {
		t.Fatalf("states = %v", states)
	}
	if !strings.Contains(s.stdout(), "Container marked not ready and removed from route pool.") {
		t.Fatalf("stdout = %q", s.stdout())
	}
}
