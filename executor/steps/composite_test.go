package steps

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSerialStopsAtFirstErrorAndIsReadyWithLastStep(t *testing.T) {
	a, b, c := exits(nil), exits(errBoom), exits(nil)
	if err := (Serial{a, b, c}).Run(t.Context(), nil); !errors.Is(err, errBoom) {
		t.Fatalf("err = %v", err)
	}
	if c.runs.Load() != 0 {
		t.Fatal("step after the failure ran")
	}

	last := blocks()
	r := start(Serial{&fake{notReady: false}, last})
	<-r.ready
	r.cancel()
	if err := r.wait(); !errors.Is(err, ErrCancelled) {
		t.Fatalf("err = %v", err)
	}

	r = start(Serial{blocks(), exits(nil)})
	time.Sleep(20 * time.Millisecond)
	if r.isReady() {
		t.Fatal("serial ready before its last step ran")
	}
	r.cancel()
	r.wait()
}

func TestParallelRunsAllAndJoinsErrors(t *testing.T) {
	a, b, c := exits(errors.New("one")), exits(nil), &fake{err: errors.New("two"), delay: 10 * time.Millisecond}
	err := (Parallel{a, b, c}).Run(t.Context(), nil)
	if err == nil || err.Error() != "one; two" {
		t.Fatalf("err = %v", err)
	}
	if a.runs.Load()+b.runs.Load()+c.runs.Load() != 3 {
		t.Fatal("not all ran")
	}
	if err := (Parallel{exits(nil), exits(nil)}).Run(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
}

func TestParallelIsReadyOnlyWhenAllAre(t *testing.T) {
	slow := &fake{notReady: true, block: true}
	r := start(Parallel{blocks(), slow})
	time.Sleep(20 * time.Millisecond)
	if r.isReady() {
		t.Fatal("ready while one step is not")
	}
	r.cancel()
	if err := r.wait(); err == nil || err.Error() != "" {
		t.Fatalf("cancellations are hidden: %q", err)
	}
}

func TestCodependentCancelsOthersWhenOneFails(t *testing.T) {
	other := blocks()
	err := (Codependent{Steps: []Step{other, &fake{err: errBoom, delay: 5 * time.Millisecond}}}).Run(t.Context(), nil)
	if !errors.Is(err, errBoom) || err.Error() != "boom" {
		t.Fatalf("err = %v", err)
	}
	if !other.canceled.Load() {
		t.Fatal("sibling not cancelled")
	}
}

func TestCodependentSuccessfulExitKeepsOthersUnlessAsked(t *testing.T) {
	// errorOnExit=false, cancelOthers=false: a clean exit leaves siblings running.
	sibling := blocks()
	r := start(Codependent{Steps: []Step{exits(nil), sibling}})
	time.Sleep(20 * time.Millisecond)
	if sibling.canceled.Load() {
		t.Fatal("sibling cancelled after a clean exit")
	}
	r.cancel()
	r.wait()

	// errorOnExit: the clean exit is an error and stops the others.
	sibling = blocks()
	err := (Codependent{Steps: []Step{exits(nil), sibling}, ErrorOnExit: true}).Run(t.Context(), nil)
	if err == nil || err.Error() != "Codependent step exited" || !sibling.canceled.Load() {
		t.Fatalf("err = %v cancelled=%v", err, sibling.canceled.Load())
	}

	// cancelOthersOnExit: the clean exit stops the others without an error.
	sibling = blocks()
	err = (Codependent{Steps: []Step{exits(nil), sibling}, CancelOthersOnExit: true}).Run(t.Context(), nil)
	if err == nil || err.Error() != "" || !sibling.canceled.Load() {
		t.Fatalf("err = %q cancelled=%v", err, sibling.canceled.Load())
	}
}

func TestTrySwallowsErrors(t *testing.T) {
	var logged string
	err := (Try{Step: exits(errBoom), Logf: func(f string, a ...any) { logged = f }}).Run(t.Context(), nil)
	if err != nil || logged == "" {
		t.Fatalf("err=%v logged=%q", err, logged)
	}
}

func TestTimeoutMessages(t *testing.T) {
	err := (Timeout{Step: blocks(), Duration: 10 * time.Millisecond}).Run(t.Context(), nil)
	if err == nil || err.Error() != "exceeded 10ms timeout" {
		t.Fatalf("err = %v", err)
	}

	emitting := &fake{block: true}
	wrapped := Func(func(ctx2 context.Context, r func()) error {
		emitting.Run(ctx2, r)
		return Emittable(nil, "app: Exited with status 143")
	})
	err = (Timeout{Step: wrapped, Duration: 10 * time.Millisecond}).Run(t.Context(), nil)
	if err == nil || err.Error() != "exceeded 10ms timeout; app: Exited with status 143" {
		t.Fatalf("err = %v", err)
	}
	if err := (Timeout{Step: exits(errBoom), Duration: time.Second}).Run(t.Context(), nil); !errors.Is(err, errBoom) {
		t.Fatalf("inner error must pass through: %v", err)
	}
}

func TestEmitProgress(t *testing.T) {
	s := newStreamer()
	err := (EmitProgress{Step: exits(nil), StartMessage: "go", SuccessMessage: "ok", FailurePrefix: "bad", Streamer: s}).Run(t.Context(), nil)
	if err != nil || s.stdout() != "go\nok\n" || s.stderr() != "" {
		t.Fatalf("out=%q err=%q %v", s.stdout(), s.stderr(), err)
	}
	s = newStreamer()
	(EmitProgress{Step: exits(Emittable(nil, "Downloading app failed")), FailurePrefix: "Failed to stage", Streamer: s}).Run(t.Context(), nil)
	if s.stderr() != "Failed to stage: Downloading app failed\n" {
		t.Fatalf("err=%q", s.stderr())
	}
	s = newStreamer()
	(EmitProgress{Step: exits(errBoom), FailurePrefix: "Failed", Streamer: s}).Run(t.Context(), nil)
	if s.stderr() != "Failed\n" {
		t.Fatalf("non-emittable errors are not printed: %q", s.stderr())
	}
}

func TestOutputWrapper(t *testing.T) {
	err := (OutputWrapper{Step: exits(errBoom), Output: strings.NewReader("  failed to make TCP connection\n")}).Run(t.Context(), nil)
	if err == nil || err.Error() != "failed to make TCP connection" || !errors.Is(err, errBoom) {
		t.Fatalf("err = %v", err)
	}
	err = (OutputWrapper{Step: exits(errBoom), Output: strings.NewReader(""), Prefix: "instance proxy failed to start"}).Run(t.Context(), nil)
	if err == nil || err.Error() != "instance proxy failed to start: Failed to invoke process: boom" {
		t.Fatalf("err = %v", err)
	}
}
