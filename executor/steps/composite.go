package steps

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Serial runs steps in order and stops at the first error. It is ready when
// its last step is.
type Serial []Step

// Run runs each step in turn.
func (s Serial) Run(ctx context.Context, ready func()) error {
	ready = once(ready)
	for i, step := range s {
		if ctx.Err() != nil {
			return ErrCancelled
		}
		r := func() {}
		if i == len(s)-1 {
			r = ready
		}
		if err := step.Run(ctx, r); err != nil {
			return err
		}
	}
	if len(s) == 0 {
		ready()
	}
	return nil
}

// Parallel runs every step at once and waits for all of them, joining their
// errors. A failing step does not stop the others. It is ready once every
// step is.
type Parallel []Step

// Run runs the steps concurrently.
func (p Parallel) Run(ctx context.Context, ready func()) error {
	errs := runAll(ctx, p, once(ready), nil)
	return errs.orNil()
}

// Codependent runs every step at once. As soon as one exits with an error
// (or, with ErrorOnExit, exits at all; or, with CancelOthersOnExit, exits
// successfully) the others are cancelled; the joined errors are returned.
type Codependent struct {
	Steps              []Step
	ErrorOnExit        bool
	CancelOthersOnExit bool
}

// Run runs the steps concurrently, each depending on the others.
func (c Codependent) Run(ctx context.Context, ready func()) error {
	child, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := runAll(child, c.Steps, once(ready), func(err error) error {
		if err == nil && c.ErrorOnExit {
			err = ErrCodependentExited
		}
		if err != nil || c.CancelOthersOnExit {
			cancel()
		}
		return err
	})
	return errs.orNil()
}

// runAll runs steps concurrently, calling ready once all are ready, and
// collects errors in completion order. onExit may rewrite each result.
func runAll(ctx context.Context, steps []Step, ready func(), onExit func(error) error) aggregate {
	if len(steps) == 0 {
		ready()
		return nil
	}
	var (
		mu      sync.Mutex
		pending = len(steps)
		errs    aggregate
		wg      sync.WaitGroup
	)
	for _, step := range steps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := step.Run(ctx, once(func() {
				mu.Lock()
				pending--
				all := pending == 0
				mu.Unlock()
				if all {
					ready()
				}
			}))
			mu.Lock()
			defer mu.Unlock()
			if onExit != nil {
				err = onExit(err)
			}
			if err != nil {
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	return errs
}

// Try runs its step and swallows any error, reporting it to Logf.
type Try struct {
	Step Step
	Logf func(format string, args ...any)
}

// Run runs the step; the result is always nil.
func (t Try) Run(ctx context.Context, ready func()) error {
	if err := t.Step.Run(ctx, ready); err != nil && t.Logf != nil {
		t.Logf("try step failed: %v", err)
	}
	return nil
}

// Timeout cancels its step after Duration. The error then reads
// "exceeded <d> timeout", followed by "; <inner>" when the inner error is
// emittable.
type Timeout struct {
	Step     Step
	Duration time.Duration
}

// Run runs the step under a deadline.
func (t Timeout) Run(ctx context.Context, ready func()) error {
	child, cancel := context.WithCancel(ctx)
	defer cancel()
	timer := time.AfterFunc(t.Duration, cancel)
	err := t.Step.Run(child, ready)
	if timer.Stop() || ctx.Err() != nil {
		return err
	}
	msg := "exceeded " + t.Duration.String() + " timeout"
	if IsEmittable(err) {
		msg += "; " + err.Error()
	}
	return Emittable(err, msg)
}

// EmitProgress prints StartMessage before its step, SuccessMessage after a
// success, and "FailurePrefix: <emittable error>" to stderr after a failure.
type EmitProgress struct {
	Step           Step
	StartMessage   string
	SuccessMessage string
	FailurePrefix  string
	Streamer       Streamer
}

// Run runs the step between progress messages.
func (e EmitProgress) Run(ctx context.Context, ready func()) error {
	if e.StartMessage != "" {
		fmt.Fprintln(e.Streamer.Stdout(), e.StartMessage)
	}
	err := e.Step.Run(ctx, ready)
	switch {
	case err == nil && e.SuccessMessage != "":
		fmt.Fprintln(e.Streamer.Stdout(), e.SuccessMessage)
	case err != nil && e.FailurePrefix != "":
		msg := e.FailurePrefix
		if IsEmittable(err) {
			msg += ": " + err.Error()
		}
		fmt.Fprintln(e.Streamer.Stderr(), msg)
	}
	return err
}

// OutputWrapper turns the failure of its step into an emittable error whose
// text is what the step wrote to Output (trimmed), or "Failed to invoke
// process: <err>" when it wrote nothing; Prefix, if set, leads the message.
type OutputWrapper struct {
	Step   Step
	Output io.Reader
	Prefix string
}

// Run runs the step and rewrites its error.
func (o OutputWrapper) Run(ctx context.Context, ready func()) error {
	err := o.Step.Run(ctx, ready)
	if err == nil || errors.Is(err, ErrCancelled) {
		return err
	}
	out, readErr := io.ReadAll(o.Output)
	if readErr != nil {
		return fmt.Errorf("Error reading from process output buffer: %s", readErr)
	}
	msg := "Failed to invoke process: " + err.Error()
	if text := strings.TrimSpace(string(out)); text != "" {
		msg = text
	}
	if o.Prefix != "" {
		msg = o.Prefix + ": " + msg
	}
	return Emittable(err, msg)
}
