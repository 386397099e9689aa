package steps

import (
	"context"
	"fmt"
	"io"
	"time"
)

// Streamer is where a step writes app log lines: stdout and stderr of one
// log source.
type Streamer interface {
	Stdout() io.Writer
	Stderr() io.Writer
	// SourceName is the log source, e.g. "APP/PROC/WEB" or "HEALTH".
	SourceName() string
	// WithSource returns a streamer for the same app with another source;
	// an empty name keeps the current one.
	WithSource(name string) Streamer
	// Flush writes out any partial line.
	Flush()
}

// EventuallySucceeds runs a fresh check every Interval until one succeeds.
// After Timeout (when non-zero) it gives up with the last check's error. It
// is ready at once.
type EventuallySucceeds struct {
	Check    func() Step
	Interval time.Duration
	Timeout  time.Duration
}

// Run polls the check until success, timeout or cancellation.
func (e EventuallySucceeds) Run(ctx context.Context, ready func()) error {
	once(ready)()
	start := time.Now()
	for {
		if !sleep(ctx, e.Interval) {
			return ErrCancelled
		}
		err := e.Check().Run(ctx, nil)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		if e.Timeout > 0 && time.Since(start) > e.Timeout {
			return err
		}
	}
}

// ConsistentlySucceeds runs a fresh check every Interval until one fails,
// and returns that failure. It is ready at once.
type ConsistentlySucceeds struct {
	Check    func() Step
	Interval time.Duration
}

// Run polls the check until it fails or the step is cancelled.
func (c ConsistentlySucceeds) Run(ctx context.Context, ready func()) error {
	once(ready)()
	for {
		if !sleep(ctx, c.Interval) {
			return ErrCancelled
		}
		if err := c.Check().Run(ctx, nil); err != nil {
			return err
		}
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Crash reasons and log lines of the health check, as upstream writes them.
const (
	startupFailureMessage   = "Failed after %s: startup health check never passed.\n"
	timeoutCrashReason      = "Instance never healthy after %s: %s"
	healthcheckNowUnhealthy = "Instance became unhealthy: %s"
)

// HealthCheck is the monitor of a long-running process: the startup check
// must pass (within the start timeout it enforces itself) before the step is
// ready, then the liveness check runs until it fails. Both failures become
// upstream's crash reasons.
type HealthCheck struct {
	Startup  Step
	Liveness Step
	// Streamer receives the container-level lines; HealthStreamer the
	// checks' own error output (the HEALTH source).
	Streamer       Streamer
	HealthStreamer Streamer
}

// Run runs startup, then liveness.
func (h HealthCheck) Run(ctx context.Context, ready func()) error {
	fmt.Fprint(h.Streamer.Stdout(), "Starting health monitoring of container\n")
	start := time.Now()
	if err := h.Startup.Run(ctx, nil); err != nil {
		if ctx.Err() != nil {
			return ErrCancelled
		}
		took := time.Since(start).Round(time.Millisecond)
		fmt.Fprintf(h.HealthStreamer.Stderr(), "%s\n", err.Error())
		fmt.Fprintf(h.Streamer.Stderr(), startupFailureMessage, took)
		return Emittable(err, fmt.Sprintf(timeoutCrashReason, took, err.Error()))
	}
	fmt.Fprint(h.Streamer.Stdout(), "Container became healthy\n")
	once(ready)()
	err := h.Liveness.Run(ctx, nil)
	if ctx.Err() != nil {
		return ErrCancelled
	}
	if err == nil {
		// A liveness check only returns on failure; treat a clean exit as
		// one too rather than silently stopping monitoring.
		err = fmt.Errorf("liveness check exited")
	}
	fmt.Fprintf(h.HealthStreamer.Stderr(), "%s\n", err.Error())
	fmt.Fprint(h.Streamer.Stderr(), "Container became unhealthy\n")
	return Emittable(err, fmt.Sprintf(healthcheckNowUnhealthy, err.Error()))
}

// Readiness alternates between UntilReady (runs until the app is ready) and
// UntilFailure (runs until it is not), reporting each change to SetReady.
// It is ready at once and never fails the container on a readiness failure.
type Readiness struct {
	UntilReady   Step
	UntilFailure Step
	SetReady     func(ready bool)
	Streamer     Streamer
}

// Run loops until cancelled or the until-ready check cannot run.
func (r Readiness) Run(ctx context.Context, ready func()) error {
	fmt.Fprint(r.Streamer.Stdout(), "Starting readiness health monitoring of container\n")
	once(ready)()
	for {
		if err := r.UntilReady.Run(ctx, nil); err != nil {
			if ctx.Err() != nil {
				return ErrCancelled
			}
			fmt.Fprint(r.Streamer.Stdout(), "Failed to run the readiness check\n")
			return err
		}
		r.SetReady(true)
		fmt.Fprint(r.Streamer.Stdout(), "Container passed the readiness health check. Container marked ready and added to route pool.\n")
		err := r.UntilFailure.Run(ctx, nil)
		if ctx.Err() != nil {
			return ErrCancelled
		}
		if err != nil {
			fmt.Fprint(r.Streamer.Stdout(), "Container failed the readiness health check. Container marked not ready and removed from route pool.\n")
			r.SetReady(false)
		}
	}
}
