package models

import "time"

// ActualLRP states, stored as strings.
const (
	ActualLRPStateUnclaimed = "UNCLAIMED"
	ActualLRPStateClaimed   = "CLAIMED"
	ActualLRPStateRunning   = "RUNNING"
	ActualLRPStateCrashed   = "CRASHED"
)

// ActualLRPStates lists every ActualLRP state.
var ActualLRPStates = []string{
	ActualLRPStateUnclaimed,
	ActualLRPStateClaimed,
	ActualLRPStateRunning,
	ActualLRPStateCrashed,
}

// Timing rules shared by the BBS and its convergence.
const (
	// CrashResetTimeout: a RUNNING instance that crashes after running longer
	// than this starts counting crashes from 1 again.
	CrashResetTimeout = 5 * time.Minute
	// StaleUnclaimedActualLRPDuration: an UNCLAIMED instance older than this
	// is auctioned again by convergence.
	StaleUnclaimedActualLRPDuration = 30 * time.Second
	// RetireActualLRPRetryAttempts bounds the attempts to stop an instance.
	RetireActualLRPRetryAttempts = 5
)

// AllowsTransitionTo reports whether the record a may move to newState on
// behalf of the instance identified by key and instanceKey.
//
// The key must always match. "same" means instanceKey equals the instance
// key currently recorded; "empty" means instanceKey is blank; "any" means the
// instance key is not looked at.
//
//	                 +----------------- any ------------------+
//	                 |                                        v
//	   any  +--> UNCLAIMED --- any ---> CLAIMED --- any ---> RUNNING --+ same
//	        +------+  ^                 | ^  ^ <--- same --- | ^  ^ <--+
//	                  |            same | |  +-- same (self) | |
//	                  |                 v | same        same | | same
//	                  +---- empty ----- CRASHED <------------+ |
//	                                       +-------------------+
//	  (CLAIMED and RUNNING also go back to UNCLAIMED with an empty key.)
//
//	from \ to   UNCLAIMED   CLAIMED   RUNNING   CRASHED
//	UNCLAIMED   any         any       any       never
//	CLAIMED     empty       same      any       same
//	RUNNING     empty       same      same      same
//	CRASHED     empty       same      same      never
func (a *ActualLRP) AllowsTransitionTo(key *ActualLRPKey, instanceKey *ActualLRPInstanceKey, newState string) bool {
	if !a.GetActualLrpKey().SameAs(key) {
		return false
	}
	return ActualLRPTransitionAllowed(a.GetState(), newState,
		instanceKey.IsEmpty(), a.GetActualLrpInstanceKey().SameAs(instanceKey))
}

// ActualLRPTransitionAllowed is the pure transition table behind
// AllowsTransitionTo: emptyKey says the requester's instance key is blank,
// sameKey that it equals the recorded one.
func ActualLRPTransitionAllowed(from, to string, emptyKey, sameKey bool) bool {
	switch from {
	case ActualLRPStateUnclaimed:
		return to == ActualLRPStateUnclaimed || to == ActualLRPStateClaimed || to == ActualLRPStateRunning
	case ActualLRPStateClaimed:
		switch to {
		case ActualLRPStateUnclaimed:
			return emptyKey
		case ActualLRPStateClaimed, ActualLRPStateCrashed:
			return sameKey
		case ActualLRPStateRunning:
			return true
		}
	case ActualLRPStateRunning:
		switch to {
		case ActualLRPStateUnclaimed:
			return emptyKey
		case ActualLRPStateClaimed, ActualLRPStateRunning, ActualLRPStateCrashed:
			return sameKey
		}
	case ActualLRPStateCrashed:
		switch to {
		case ActualLRPStateUnclaimed:
			return emptyKey
		case ActualLRPStateClaimed, ActualLRPStateRunning:
			return sameKey
		}
	}
	return false
}

// SameAs reports whether other names the same process index and domain. A nil
// receiver behaves as a zero key; a nil other never matches.
func (k *ActualLRPKey) SameAs(other *ActualLRPKey) bool {
	if other == nil {
		return false
	}
	return k.GetProcessGuid() == other.GetProcessGuid() &&
		k.GetIndex() == other.GetIndex() &&
		k.GetDomain() == other.GetDomain()
}

// SameAs reports whether other names the same instance on the same cell. A
// nil receiver behaves as a zero key; a nil other never matches.
func (k *ActualLRPInstanceKey) SameAs(other *ActualLRPInstanceKey) bool {
	if other == nil {
		return false
	}
	return k.GetInstanceGuid() == other.GetInstanceGuid() && k.GetCellId() == other.GetCellId()
}

// IsEmpty reports whether the instance key names no instance (nil counts as empty).
func (k *ActualLRPInstanceKey) IsEmpty() bool {
	return k.GetInstanceGuid() == "" && k.GetCellId() == ""
}

// ShouldStartUnclaimed reports whether an UNCLAIMED instance has waited long
// enough for convergence to auction it again.
func (a *ActualLRP) ShouldStartUnclaimed(now time.Time) bool {
	return a.GetState() == ActualLRPStateUnclaimed &&
		now.Sub(time.Unix(0, a.GetSince())) > StaleUnclaimedActualLRPDuration
}

// ShouldRestartImmediately reports whether a CRASHED instance is still within
// its immediate restarts.
func (a *ActualLRP) ShouldRestartImmediately(calc RestartCalculator) bool {
	return a.GetState() == ActualLRPStateCrashed && calc.ShouldRestart(0, 0, a.GetCrashCount())
}

// ShouldRestartCrash reports whether a CRASHED instance's back-off has elapsed.
func (a *ActualLRP) ShouldRestartCrash(now time.Time, calc RestartCalculator) bool {
	return a.GetState() == ActualLRPStateCrashed && calc.ShouldRestart(now.UnixNano(), a.GetSince(), a.GetCrashCount())
}

// CellIsMissing reports whether a CLAIMED or RUNNING instance sits on a cell
// that is not in cells.
func (a *ActualLRP) CellIsMissing(cells CellSet) bool {
	switch a.GetState() {
	case ActualLRPStateUnclaimed, ActualLRPStateCrashed:
		return false
	}
	return !cells.HasCellID(a.GetActualLrpInstanceKey().GetCellId())
}
