package healthchecker

// verdict is what the watchdog does after one poll.
type verdict int

const (
	healthy verdict = iota // reset the failure counter file, keep polling
	retry                  // a failure, but not yet enough in a row
	giveUp                 // FailuresBeforeGivingUp failures in a row: exit
)

// streak counts failed polls in a row; it is the watchdog's whole decision.
type streak struct {
	failures int
}

// observe records one poll's outcome (nil = healthy) and says what to do.
func (s *streak) observe(err error) verdict {
	if err == nil {
		s.failures = 0
		return healthy
	}
	s.failures++
	if s.failures >= FailuresBeforeGivingUp {
		return giveUp
	}
	return retry
}
