package events

import (
	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/bbs"
	"github.com/godiego/diego/proto/models"
)

// This file holds the deprecated ActualLRPGroup view: an instance row plus
// an evacuating row per (process guid, index).

// ResolveGroups folds rows into groups, in first-seen key order. The
// instance is the ordinary or suspect row that upstream prefers (a running
// ordinary beats everything, a running or claimed suspect beats a
// non-running ordinary).
func ResolveGroups(lrps []*models.ActualLRP) []*models.ActualLRPGroup {
	type gk struct {
		pg    string
		index int32
		dom   string
	}
	byKey := map[gk]*models.ActualLRPGroup{}
	var out []*models.ActualLRPGroup
	for _, l := range lrps {
		k := gk{l.GetActualLrpKey().GetProcessGuid(), l.GetActualLrpKey().GetIndex(), l.GetActualLrpKey().GetDomain()}
		g := byKey[k]
		if g == nil {
			g = &models.ActualLRPGroup{}
			byKey[k] = g
			out = append(out, g)
		}
		if l.Presence == models.ActualLRP_EVACUATING {
			g.Evacuating = l
		} else if preferred(l, g.Instance) {
			g.Instance = l
		}
	}
	return out
}

func preferred(l, current *models.ActualLRP) bool {
	if current == nil {
		return true
	}
	switch l.Presence {
	case models.ActualLRP_ORDINARY:
		switch l.State {
		case models.ActualLRPStateRunning:
			return true
		case models.ActualLRPStateClaimed:
			return current.State != models.ActualLRPStateRunning && current.State != models.ActualLRPStateClaimed
		}
	case models.ActualLRP_SUSPECT:
		switch l.State {
		case models.ActualLRPStateRunning, models.ActualLRPStateClaimed:
			return current.State != models.ActualLRPStateRunning
		}
	}
	return false
}

func resolveOne(lrps []*models.ActualLRP) *models.ActualLRPGroup {
	gs := ResolveGroups(lrps)
	if len(gs) == 0 {
		return &models.ActualLRPGroup{}
	}
	return gs[0]
}

func asGroup(l *models.ActualLRP) *models.ActualLRPGroup {
	if l.Presence == models.ActualLRP_EVACUATING {
		return &models.ActualLRPGroup{Evacuating: l}
	}
	return &models.ActualLRPGroup{Instance: l}
}

func groupEvents(before, after []*models.ActualLRP, crashed bool) []Event {
	bg, ag := resolveOne(before), resolveOne(after)
	var evs []Event
	if crashed {
		evs = append(evs, crashedGroupSlot(bg.Instance, ag.Instance, bg, ag)...)
		evs = append(evs, crashedGroupSlot(bg.Evacuating, ag.Evacuating, bg, ag)...)
	} else {
		evs = append(evs, groupSlot(bg.Instance, ag.Instance)...)
		evs = append(evs, groupSlot(bg.Evacuating, ag.Evacuating)...)
	}
	sortByScore(evs)
	return evs
}

func crashedGroupSlot(b, a *models.ActualLRP, bg, ag *models.ActualLRPGroup) []Event {
	switch {
	case proto.Equal(b, a):
		return nil
	case a == nil:
		return []Event{groupRemoved(b)}
	case b == nil:
		return []Event{groupCreated(a)}
	}
	return []Event{crashedEvent(b, a, KindActualGroup), groupChanged(bg, ag, b, a)}
}

func groupSlot(b, a *models.ActualLRP) []Event {
	switch {
	case proto.Equal(b, a):
		return nil
	case a == nil:
		return []Event{groupRemoved(b)}
	case b == nil:
		return []Event{groupCreated(a)}
	}
	switch a.State {
	case models.ActualLRPStateUnclaimed:
		return []Event{groupChanged(asGroup(b), asGroup(a), b, a)}
	case models.ActualLRPStateClaimed, models.ActualLRPStateRunning:
		if bi := b.GetActualLrpInstanceKey().GetInstanceGuid(); bi != "" && bi != a.GetActualLrpInstanceKey().GetInstanceGuid() {
			return []Event{groupCreated(a), groupRemoved(b)}
		}
		return []Event{groupChanged(asGroup(b), asGroup(a), b, a)}
	case models.ActualLRPStateCrashed:
		return []Event{crashedEvent(b, a, KindActualGroup), groupChanged(asGroup(b), asGroup(a), b, a)}
	}
	return nil
}

func groupCreated(a *models.ActualLRP) Event {
	return Event{Kind: KindActualGroup, Name: bbs.EventActualLRPCreated, CellIDs: cellsOf(a),
		Message: &models.ActualLRPCreatedEvent{ActualLrpGroup: asGroup(a)}}
}

func groupRemoved(b *models.ActualLRP) Event {
	return Event{Kind: KindActualGroup, Name: bbs.EventActualLRPRemoved, CellIDs: cellsOf(b),
		Message: &models.ActualLRPRemovedEvent{ActualLrpGroup: asGroup(b)}}
}

func groupChanged(bg, ag *models.ActualLRPGroup, b, a *models.ActualLRP) Event {
	return Event{Kind: KindActualGroup, Name: bbs.EventActualLRPChanged, CellIDs: cellsOf(b, a),
		Message: &models.ActualLRPChangedEvent{Before: bg, After: ag}}
}
