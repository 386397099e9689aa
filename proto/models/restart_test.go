package models

import (
	"testing"
	"time"
)

func TestDefaultRestartCalculator(t *testing.T) {
	calc := NewDefaultRestartCalculator()
	if calc.MaxBackoffCount != 5 || calc.ImmediateRestarts != 3 || calc.MaxRestartAttempts != 200 || calc.MaxBackoffDuration != 16*time.Minute {
		t.Fatalf("unexpected defaults %+v", calc)
	}
	if err := calc.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestRestartBackoffSchedule(t *testing.T) {
	calc := NewDefaultRestartCalculator()
	want := map[int32]time.Duration{
		0: 0, 1: 0, 2: 0,
		3: 30 * time.Second, 4: time.Minute, 5: 2 * time.Minute, 6: 4 * time.Minute,
		7: 8 * time.Minute, 8: 16 * time.Minute, 9: 16 * time.Minute, 199: 16 * time.Minute,
	}
	for count, wait := range want {
		if got := calc.Backoff(count); got != wait {
			t.Errorf("Backoff(%d) = %s, want %s", count, got, wait)
		}
	}
}

func TestShouldRestart(t *testing.T) {
	calc := NewDefaultRestartCalculator()
	crashedAt := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	cases := []struct {
		count int32
		after time.Duration
		want  bool
	}{
		{0, 0, true}, {1, 0, true}, {2, 0, true},
		{3, 30*time.Second - 1, false}, {3, 30 * time.Second, true},
		{4, time.Minute - 1, false}, {4, time.Minute, true},
		{5, 2*time.Minute - 1, false}, {5, 2 * time.Minute, true},
		{6, 4*time.Minute - 1, false}, {6, 4 * time.Minute, true},
		{7, 8*time.Minute - 1, false}, {7, 8 * time.Minute, true},
		{8, 16*time.Minute - 1, false}, {8, 16 * time.Minute, true},
		{50, 16*time.Minute - 1, false}, {50, 16 * time.Minute, true},
		{199, 16 * time.Minute, true},
		{200, 0, false}, {200, 1000 * time.Hour, false}, {1000, 1000 * time.Hour, false},
	}
	for _, c := range cases {
		if got := calc.ShouldRestart(crashedAt+int64(c.after), crashedAt, c.count); got != c.want {
			t.Errorf("count %d after %s: got %v want %v", c.count, c.after, got, c.want)
		}
	}
}

func TestRestartCalculatorCustom(t *testing.T) {
	cases := []struct {
		max   time.Duration
		count int32
	}{
		{30 * time.Second, 0}, {31 * time.Second, 1}, {time.Minute, 1}, {90 * time.Second, 1},
		{2 * time.Minute, 2}, {16 * time.Minute, 5}, {17 * time.Minute, 5}, {32 * time.Minute, 6}, {0, 0},
	}
	for _, c := range cases {
		if got := NewRestartCalculator(3, c.max, 200).MaxBackoffCount; got != c.count {
			t.Errorf("max %s: MaxBackoffCount %d, want %d", c.max, got, c.count)
		}
	}
	calc := NewRestartCalculator(1, 45*time.Second, 10)
	if got := calc.Backoff(2); got != 45*time.Second {
		t.Errorf("back-off must be capped at the maximum, got %s", got)
	}
	err := NewRestartCalculator(3, 29*time.Second, 200).Validate()
	if err == nil || err.Error() != "MaxBackoffDuration '29s' must be larger than CrashBackoffMinDuration '30s'" {
		t.Errorf("got %v", err)
	}
}

func TestActualLRPRestartHelpers(t *testing.T) {
	calc := NewDefaultRestartCalculator()
	now := time.Unix(1000, 0)
	crashed := &ActualLRP{State: ActualLRPStateCrashed, CrashCount: 3, Since: now.Add(-time.Minute).UnixNano()}
	if crashed.ShouldRestartImmediately(calc) {
		t.Error("crash count 3 is past the immediate restarts")
	}
	if !crashed.ShouldRestartCrash(now, calc) {
		t.Error("30s back-off has elapsed")
	}
	running := &ActualLRP{State: ActualLRPStateRunning}
	if running.ShouldRestartCrash(now, calc) || running.ShouldRestartImmediately(calc) {
		t.Error("only CRASHED instances restart")
	}
	unclaimed := &ActualLRP{State: ActualLRPStateUnclaimed, Since: now.Add(-31 * time.Second).UnixNano()}
	if !unclaimed.ShouldStartUnclaimed(now) {
		t.Error("stale unclaimed must be restarted")
	}
	unclaimed.Since = now.Add(-30 * time.Second).UnixNano()
	if unclaimed.ShouldStartUnclaimed(now) {
		t.Error("exactly 30s is not stale yet")
	}
}
