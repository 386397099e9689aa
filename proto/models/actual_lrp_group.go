package models

// The deprecated ActualLRPGroup view pairs, per process index, the instance
// shown to clients with the evacuating copy (if any). Newer routes return the
// individual rows instead.

// lrpKeyValue is a comparable copy of an ActualLRPKey.
type lrpKeyValue struct {
	processGUID string
	index       int32
	domain      string
}

func keyValue(k *ActualLRPKey) lrpKeyValue {
	return lrpKeyValue{k.GetProcessGuid(), k.GetIndex(), k.GetDomain()}
}

// ResolveActualLRPGroups folds rows into groups, in order of first
// appearance of each key. EVACUATING rows fill Evacuating; of the other rows
// the one with the highest priority becomes Instance:
//
//	ORDINARY RUNNING  >  SUSPECT RUNNING  >  SUSPECT CLAIMED  >  ORDINARY CLAIMED  >  anything else
//
// (precisely: a row replaces the current Instance when hasHigherPriority says
// so, which makes an ordinary RUNNING row win over everything, a suspect row
// win over any non-RUNNING row, and an ordinary CLAIMED row win over rows
// that are neither RUNNING nor CLAIMED).
func ResolveActualLRPGroups(lrps []*ActualLRP) []*ActualLRPGroup {
	byKey := map[lrpKeyValue]*ActualLRPGroup{}
	var groups []*ActualLRPGroup
	for _, lrp := range lrps {
		k := keyValue(lrp.GetActualLrpKey())
		g := byKey[k]
		if g == nil {
			g = &ActualLRPGroup{}
			byKey[k] = g
			groups = append(groups, g)
		}
		switch {
		case lrp.GetPresence() == ActualLRP_EVACUATING:
			g.Evacuating = lrp
		case hasHigherPriority(lrp, g.Instance):
			g.Instance = lrp
		}
	}
	if groups == nil {
		groups = []*ActualLRPGroup{}
	}
	return groups
}

// ResolveActualLRPGroup resolves the rows of a single key into one group; an
// empty input gives an empty group. Rows of other keys are ignored (only the
// first key's group is returned).
func ResolveActualLRPGroup(lrps []*ActualLRP) *ActualLRPGroup {
	groups := ResolveActualLRPGroups(lrps)
	if len(groups) == 0 {
		return &ActualLRPGroup{}
	}
	return groups[0]
}

// hasHigherPriority reports whether candidate should replace current as the
// group's Instance.
func hasHigherPriority(candidate, current *ActualLRP) bool {
	if candidate == nil {
		return false
	}
	if current == nil {
		return true
	}
	switch candidate.GetPresence() {
	case ActualLRP_ORDINARY:
		switch candidate.GetState() {
		case ActualLRPStateRunning:
			return true
		case ActualLRPStateClaimed:
			return current.GetState() != ActualLRPStateRunning && current.GetState() != ActualLRPStateClaimed
		}
	case ActualLRP_SUSPECT:
		switch candidate.GetState() {
		case ActualLRPStateRunning, ActualLRPStateClaimed:
			return current.GetState() != ActualLRPStateRunning
		}
	}
	return false
}

// Resolve picks the record a group stands for: the instance when it is
// RUNNING or CRASHED or there is no evacuating copy, else the evacuating
// copy. evacuating says which one was picked.
func (g *ActualLRPGroup) Resolve() (lrp *ActualLRP, evacuating bool, err error) {
	inst, evac := g.GetInstance(), g.GetEvacuating()
	switch {
	case inst == nil && evac == nil:
		return nil, false, ErrActualLRPGroupInvalid
	case inst == nil:
		return evac, true, nil
	case evac == nil:
		return inst, false, nil
	case inst.GetState() == ActualLRPStateRunning || inst.GetState() == ActualLRPStateCrashed:
		return inst, false, nil
	default:
		return evac, true, nil
	}
}

// ToActualLRPGroup wraps a single row in a group by its presence. nil stays nil.
func (a *ActualLRP) ToActualLRPGroup() *ActualLRPGroup {
	if a == nil {
		return nil
	}
	if a.GetPresence() == ActualLRP_EVACUATING {
		return &ActualLRPGroup{Evacuating: a}
	}
	return &ActualLRPGroup{Instance: a}
}
