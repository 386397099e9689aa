package healthchecker

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// FailureCounter is the file in which the watchdog keeps the number of times
// in a row it has given up on the job. restart-monit-job reads it and stops
// restarting the job after too many; the watchdog writes "0\n" after every
// healthy poll and adds one each time it gives up.
type FailureCounter struct {
	Path string
}

// Ensure creates the file (empty) when it does not exist, leaving an
// existing count untouched.
func (fc FailureCounter) Ensure() error {
	f, err := os.OpenFile(fc.Path, os.O_RDONLY|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("creating failure counter file: %w", err)
	}
	return f.Close()
}

// Reset writes a count of zero.
func (fc FailureCounter) Reset() error { return fc.write(0) }

// Increment adds one to the stored count and returns the new count. A file
// whose content is not a number counts as zero, so it then holds 1; the
// second result says whether that happened.
func (fc FailureCounter) Increment() (count int, wasGarbage bool, err error) {
	raw, err := os.ReadFile(fc.Path)
	if err != nil {
		return 0, false, fmt.Errorf("reading failure counter file: %w", err)
	}
	previous, parseErr := strconv.Atoi(strings.TrimSpace(string(raw)))
	if parseErr != nil {
		previous = 0
	}
	count = previous + 1
	return count, parseErr != nil, fc.write(count)
}

func (fc FailureCounter) write(n int) error {
	if err := os.WriteFile(fc.Path, []byte(strconv.Itoa(n)+"\n"), 0o644); err != nil {
		return fmt.Errorf("writing failure counter file: %w", err)
	}
	return nil
}
