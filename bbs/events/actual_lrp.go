package events

import (
	"sort"

	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/bbs"
	"github.com/godiego/diego/proto/models"
)

// Change is one actual LRP row before and after a committed change; a nil
// Before means it was created, a nil After that it was removed.
type Change struct {
	Before *models.ActualLRP
	After  *models.ActualLRP
}

// Diff pairs the rows of one (process guid, index) before and after a
// change: rows with the same instance guid pair first, then rows with the
// same presence, and whatever is left over was created or removed.
func Diff(before, after []*models.ActualLRP) []Change {
	usedAfter := make([]bool, len(after))
	usedBefore := make([]bool, len(before))
	var changes []Change
	for i, b := range before {
		ig := b.GetActualLrpInstanceKey().GetInstanceGuid()
		if ig == "" {
			continue
		}
		for j, a := range after {
			if !usedAfter[j] && a.GetActualLrpInstanceKey().GetInstanceGuid() == ig {
				usedBefore[i], usedAfter[j] = true, true
				changes = append(changes, Change{b, a})
				break
			}
		}
	}
	for i, b := range before {
		if usedBefore[i] {
			continue
		}
		for j, a := range after {
			if !usedAfter[j] && a.GetPresence() == b.GetPresence() {
				usedBefore[i], usedAfter[j] = true, true
				changes = append(changes, Change{b, a})
				break
			}
		}
	}
	for i, b := range before {
		if !usedBefore[i] {
			changes = append(changes, Change{Before: b})
		}
	}
	for j, a := range after {
		if !usedAfter[j] {
			changes = append(changes, Change{After: a})
		}
	}
	return changes
}

// ActualLRPEvents returns the events for a committed change of one
// (process guid, index) whose rows were before and are now after: the
// deprecated group events and the instance events, each batch ordered as
// upstream orders it (crash first, then changes that leave an LRP running).
// crashed marks a change made by a crash report, which also yields
// actual_lrp_crashed events.
func ActualLRPEvents(before, after []*models.ActualLRP, crashed bool, traceID string) []Event {
	var out []Event
	out = append(out, groupEvents(before, after, crashed)...)
	var instance []Event
	for _, c := range Diff(before, after) {
		instance = append(instance, instanceEvents(c, crashed, traceID)...)
	}
	sortByScore(instance)
	return append(out, instance...)
}

// ChangeEvents returns the events for independent row changes (as a
// convergence pass reports them), one change at a time.
func ChangeEvents(changes []Change, traceID string) []Event {
	var out []Event
	for _, c := range changes {
		var before, after []*models.ActualLRP
		if c.Before != nil {
			before = append(before, c.Before)
		}
		if c.After != nil {
			after = append(after, c.After)
		}
		out = append(out, ActualLRPEvents(before, after, false, traceID)...)
	}
	return out
}

func instanceEvents(c Change, crashed bool, traceID string) []Event {
	b, a := c.Before, c.After
	if proto.Equal(b, a) {
		return nil
	}
	switch {
	case a == nil:
		return []Event{instanceRemoved(b, traceID)}
	case b == nil:
		return []Event{instanceCreated(a, traceID)}
	}
	if crashed {
		if a.State == models.ActualLRPStateCrashed {
			return []Event{crashedEvent(b, a, KindActualInstance), instanceChanged(b, a, traceID)}
		}
		return []Event{crashedEvent(b, a, KindActualInstance), instanceCreated(a, traceID), instanceRemoved(b, traceID)}
	}
	switch a.State {
	case models.ActualLRPStateUnclaimed:
		if b.State == models.ActualLRPStateUnclaimed {
			return []Event{instanceChanged(b, a, traceID)}
		}
		// The instance guid is gone: clients see the old instance go and
		// a new one come.
		return []Event{instanceCreated(a, traceID), instanceRemoved(b, traceID)}
	case models.ActualLRPStateClaimed, models.ActualLRPStateRunning:
		return []Event{instanceChanged(b, a, traceID)}
	case models.ActualLRPStateCrashed:
		return []Event{crashedEvent(b, a, KindActualInstance), instanceChanged(b, a, traceID)}
	}
	return nil
}

func cellsOf(lrps ...*models.ActualLRP) []string {
	var ids []string
	for _, l := range lrps {
		if l != nil {
			ids = append(ids, l.GetActualLrpInstanceKey().GetCellId())
		}
	}
	return ids
}

func instanceCreated(a *models.ActualLRP, traceID string) Event {
	return Event{Kind: KindActualInstance, Name: bbs.EventActualLRPInstanceCreated, CellIDs: cellsOf(a),
		Message: &models.ActualLRPInstanceCreatedEvent{ActualLrp: a, TraceId: traceID}}
}

func instanceRemoved(b *models.ActualLRP, traceID string) Event {
	return Event{Kind: KindActualInstance, Name: bbs.EventActualLRPInstanceRemoved, CellIDs: cellsOf(b),
		Message: &models.ActualLRPInstanceRemovedEvent{ActualLrp: b, TraceId: traceID}}
}

func instanceChanged(b, a *models.ActualLRP, traceID string) Event {
	return Event{Kind: KindActualInstance, Name: bbs.EventActualLRPInstanceChanged, CellIDs: cellsOf(b, a),
		Message: models.NewActualLRPInstanceChangedEvent(b, a, traceID)}
}

func crashedEvent(b, a *models.ActualLRP, kind Kind) Event {
	return Event{Kind: kind, Name: bbs.EventActualLRPCrashed, CellIDs: cellsOf(b, a),
		Message: models.NewActualLRPCrashedEvent(b, a)}
}

// score orders a batch the way upstream does: crash events first, then
// events that leave an instance running, then the rest (stable otherwise).
func score(e Event) int {
	var l *models.ActualLRP
	switch m := e.Message.(type) {
	case *models.ActualLRPCrashedEvent:
		return 2
	case *models.ActualLRPInstanceCreatedEvent:
		l = m.ActualLrp
	case *models.ActualLRPInstanceChangedEvent:
		if m.After.GetState() == models.ActualLRPStateRunning {
			return 1
		}
	case *models.ActualLRPCreatedEvent:
		l = groupLRP(m.ActualLrpGroup)
	case *models.ActualLRPChangedEvent:
		l = groupLRP(m.After)
	}
	if l.GetState() == models.ActualLRPStateRunning {
		return 1
	}
	return 0
}

func groupLRP(g *models.ActualLRPGroup) *models.ActualLRP {
	if g.GetInstance() != nil {
		return g.GetInstance()
	}
	return g.GetEvacuating()
}

func sortByScore(evs []Event) {
	sort.SliceStable(evs, func(i, j int) bool { return score(evs[i]) > score(evs[j]) })
}
