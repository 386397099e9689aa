package events

import (
	"github.com/godiego/diego/bbs"
	"github.com/godiego/diego/proto/models"
)

// DesiredLRPEvent returns the event for a committed desired LRP change
// (nil before: created; nil after: removed).
func DesiredLRPEvent(before, after *models.DesiredLRP, traceID string) Event {
	switch {
	case before == nil:
		return Event{Kind: KindDesiredLRP, Name: bbs.EventDesiredLRPCreated,
			Message: &models.DesiredLRPCreatedEvent{DesiredLrp: after, TraceId: traceID}}
	case after == nil:
		return Event{Kind: KindDesiredLRP, Name: bbs.EventDesiredLRPRemoved,
			Message: &models.DesiredLRPRemovedEvent{DesiredLrp: before, TraceId: traceID}}
	}
	return Event{Kind: KindDesiredLRP, Name: bbs.EventDesiredLRPChanged,
		Message: &models.DesiredLRPChangedEvent{Before: before, After: after, TraceId: traceID}}
}

// TaskEvent returns the event for a committed task change (nil before:
// created; nil after: removed).
func TaskEvent(before, after *models.Task) Event {
	switch {
	case before == nil:
		return Event{Kind: KindTask, Name: bbs.EventTaskCreated, Message: &models.TaskCreatedEvent{Task: after}}
	case after == nil:
		return Event{Kind: KindTask, Name: bbs.EventTaskRemoved, Message: &models.TaskRemovedEvent{Task: before}}
	}
	return Event{Kind: KindTask, Name: bbs.EventTaskChanged, Message: &models.TaskChangedEvent{Before: before, After: after}}
}
