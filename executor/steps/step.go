// Package steps owns the step tree an executor container runs: small types
// that each implement Step (run a process, download, upload, timeout, try,
// serial, parallel, codependent, emit progress, health checks), composed by
// the transformer from BBS actions. Composites are pure orchestration over
// other steps; only the leaves in run.go, download.go and upload.go touch a
// Garden container.
//
// Cancellation is a context: cancelling the context passed to Run is
// upstream's interrupt signal. Readiness is a callback: a step calls ready
// once it considers itself up (a process started, a health check passed).
package steps

import (
	"context"
	"errors"
	"strings"
	"sync"
)

// Step is one node of a container's step tree.
type Step interface {
	// Run performs the step until it finishes or ctx is cancelled. It calls
	// ready at most once, when the step is up. The error is nil on success.
	Run(ctx context.Context, ready func()) error
}

// Func adapts a function to Step.
type Func func(ctx context.Context, ready func()) error

// Run calls f.
func (f Func) Run(ctx context.Context, ready func()) error { return f(ctx, ready) }

// once makes ready safe to call more than once.
func once(ready func()) func() {
	if ready == nil {
		return func() {}
	}
	var o sync.Once
	return func() { o.Do(ready) }
}

// ErrCancelled is returned by steps that were stopped through their context.
// It is not displayable: aggregated error texts leave it out.
var ErrCancelled = hiddenError("cancelled")

// ErrExceededGracefulShutdown is returned when a process had to be killed
// after the graceful shutdown interval.
var ErrExceededGracefulShutdown = hiddenError("exceeded graceful shutdown interval")

// ErrExitTimeout is returned when a killed process still did not exit.
var ErrExitTimeout = errors.New("process did not exit")

// ErrCodependentExited is the error of a codependent substep that exited
// successfully while its siblings were expected to keep running.
var ErrCodependentExited = errors.New("Codependent step exited")

type hiddenError string

func (e hiddenError) Error() string { return string(e) }

// EmittableError is an error whose message is fit for app logs and crash
// reasons. It may wrap the technical cause.
type EmittableError struct {
	Message string
	Cause   error
}

// Emittable builds an EmittableError.
func Emittable(cause error, message string) *EmittableError {
	return &EmittableError{Message: message, Cause: cause}
}

func (e *EmittableError) Error() string { return e.Message }

// Unwrap returns the cause.
func (e *EmittableError) Unwrap() error { return e.Cause }

// IsEmittable reports whether err itself (not a wrapped cause) is emittable.
func IsEmittable(err error) bool {
	_, ok := err.(*EmittableError)
	return ok
}

// aggregate joins errors the way upstream's executor does: displayable
// messages separated by "; ", hidden ones (cancellation) left out.
type aggregate []error

func (a aggregate) Error() string {
	var parts []string
	for _, err := range a {
		if _, hidden := err.(hiddenError); hidden {
			continue
		}
		if msg := err.Error(); msg != "" {
			parts = append(parts, msg)
		}
	}
	return strings.Join(parts, "; ")
}

// Unwrap exposes the members to errors.Is and errors.As.
func (a aggregate) Unwrap() []error { return a }

func (a aggregate) orNil() error {
	if len(a) == 0 {
		return nil
	}
	return a
}
