package events

import (
	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/bbs"
	"github.com/godiego/diego/proto/models"
)

// This file holds the deprecated ActualLRPGroup events: the group view is
// an instance row plus an evacuating row per (process guid, index).

func groupEvents(before, after []*models.ActualLRP, crashed bool) []Event {
	bg, ag := models.ResolveActualLRPGroup(before), models.ResolveActualLRPGroup(after)
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
		return []Event{groupChanged(b.ToActualLRPGroup(), a.ToActualLRPGroup(), b, a)}
	case models.ActualLRPStateClaimed, models.ActualLRPStateRunning:
		if bi := b.GetActualLrpInstanceKey().GetInstanceGuid(); bi != "" && bi != a.GetActualLrpInstanceKey().GetInstanceGuid() {
			return []Event{groupCreated(a), groupRemoved(b)}
		}
		return []Event{groupChanged(b.ToActualLRPGroup(), a.ToActualLRPGroup(), b, a)}
	case models.ActualLRPStateCrashed:
		return []Event{crashedEvent(b, a, KindActualGroup), groupChanged(b.ToActualLRPGroup(), a.ToActualLRPGroup(), b, a)}
	}
	return nil
}

func groupCreated(a *models.ActualLRP) Event {
	return Event{Kind: KindActualGroup, Name: bbs.EventActualLRPCreated, CellIDs: cellsOf(a),
		Message: &models.ActualLRPCreatedEvent{ActualLrpGroup: a.ToActualLRPGroup()}}
}

func groupRemoved(b *models.ActualLRP) Event {
	return Event{Kind: KindActualGroup, Name: bbs.EventActualLRPRemoved, CellIDs: cellsOf(b),
		Message: &models.ActualLRPRemovedEvent{ActualLrpGroup: b.ToActualLRPGroup()}}
}

func groupChanged(bg, ag *models.ActualLRPGroup, b, a *models.ActualLRP) Event {
	return Event{Kind: KindActualGroup, Name: bbs.EventActualLRPChanged, CellIDs: cellsOf(b, a),
		Message: &models.ActualLRPChangedEvent{Before: bg, After: ag}}
}
