package models

import (
	"fmt"
	"math/bits"
	"time"
)

// Restart policy defaults.
const (
	// DefaultImmediateRestarts is how many crashes are restarted at once.
	DefaultImmediateRestarts = 3
	// DefaultMaxBackoffDuration caps the wait between restarts.
	DefaultMaxBackoffDuration = 16 * time.Minute
	// DefaultMaxRestarts is the crash count from which an instance stays CRASHED.
	DefaultMaxRestarts = 200
	// CrashBackoffMinDuration is the first back-off step; each further crash doubles it.
	CrashBackoffMinDuration = 30 * time.Second
)

// RestartCalculator decides when a crashed instance may be restarted.
//
//	crash_count:  0   1   2 | 3    4   5   6   7   8 ... 199 | 200 ...
//	wait:         immediate | 30s  1m  2m  4m  8m  16m ...   | never
//
// The wait is measured from the instance's "since" timestamp.
type RestartCalculator struct {
	ImmediateRestarts  int32         `json:"immediate_restarts"`
	MaxBackoffCount    int32         `json:"max_backoff_count"`
	MaxBackoffDuration time.Duration `json:"max_backoff_duration"`
	MaxRestartAttempts int32         `json:"max_restart_attempts"`
}

// NewDefaultRestartCalculator returns the calculator with the default policy.
func NewDefaultRestartCalculator() RestartCalculator {
	return NewRestartCalculator(DefaultImmediateRestarts, DefaultMaxBackoffDuration, DefaultMaxRestarts)
}

// NewRestartCalculator builds a calculator; MaxBackoffCount is derived as
// floor(log2(ceil(maxBackoff / CrashBackoffMinDuration))).
func NewRestartCalculator(immediateRestarts int32, maxBackoff time.Duration, maxRestarts int32) RestartCalculator {
	return RestartCalculator{
		ImmediateRestarts:  immediateRestarts,
		MaxBackoffDuration: maxBackoff,
		MaxBackoffCount:    maxBackoffCount(maxBackoff),
		MaxRestartAttempts: maxRestarts,
	}
}

// maxBackoffCount is the largest exponent worth doubling to before the cap.
func maxBackoffCount(maxBackoff time.Duration) int32 {
	if maxBackoff <= 0 {
		return 0
	}
	steps := uint64((maxBackoff + CrashBackoffMinDuration - 1) / CrashBackoffMinDuration)
	return int32(bits.Len64(steps) - 1)
}

// Validate rejects a maximum back-off shorter than the first back-off step.
func (r RestartCalculator) Validate() error {
	if r.MaxBackoffDuration < CrashBackoffMinDuration {
		return ValidationError{fmt.Errorf("MaxBackoffDuration '%s' must be larger than CrashBackoffMinDuration '%s'",
			r.MaxBackoffDuration, CrashBackoffMinDuration)}
	}
	return nil
}

// ShouldRestart reports whether an instance that crashed at crashedAt (unix
// ns) with crashCount crashes may restart at now (unix ns).
func (r RestartCalculator) ShouldRestart(now, crashedAt int64, crashCount int32) bool {
	switch {
	case crashCount < r.ImmediateRestarts:
		return true
	case crashCount < r.MaxRestartAttempts:
		return crashedAt+r.Backoff(crashCount).Nanoseconds() <= now
	default:
		return false
	}
}

// Backoff is how long after a crash an instance with crashCount crashes
// waits before restarting (zero while within the immediate restarts).
func (r RestartCalculator) Backoff(crashCount int32) time.Duration {
	if crashCount < r.ImmediateRestarts {
		return 0
	}
	exp := crashCount - r.ImmediateRestarts
	if exp > r.MaxBackoffCount {
		exp = r.MaxBackoffCount
	}
	if exp < 0 {
		exp = 0
	}
	if exp > 32 { // the shift would overflow; the cap applies anyway
		return r.MaxBackoffDuration
	}
	d := CrashBackoffMinDuration << uint(exp)
	if d > r.MaxBackoffDuration {
		d = r.MaxBackoffDuration
	}
	return d
}
