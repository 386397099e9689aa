package bbs

import (
	"encoding/base64"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/proto/models"
)

// SSE event names (proto/models' EventType constants).
const (
	EventDesiredLRPCreated = models.EventTypeDesiredLRPCreated
	EventDesiredLRPChanged = models.EventTypeDesiredLRPChanged
	EventDesiredLRPRemoved = models.EventTypeDesiredLRPRemoved

	EventActualLRPCreated = models.EventTypeActualLRPCreated // deprecated group stream
	EventActualLRPChanged = models.EventTypeActualLRPChanged // deprecated group stream
	EventActualLRPRemoved = models.EventTypeActualLRPRemoved // deprecated group stream
	EventActualLRPCrashed = models.EventTypeActualLRPCrashed

	EventActualLRPInstanceCreated = models.EventTypeActualLRPInstanceCreated
	EventActualLRPInstanceChanged = models.EventTypeActualLRPInstanceChanged
	EventActualLRPInstanceRemoved = models.EventTypeActualLRPInstanceRemoved

	EventTaskCreated = models.EventTypeTaskCreated
	EventTaskChanged = models.EventTypeTaskChanged
	EventTaskRemoved = models.EventTypeTaskRemoved
)

// NewEventMessage returns an empty message of the type an event name carries.
func NewEventMessage(name string) (proto.Message, error) {
	switch name {
	case EventDesiredLRPCreated:
		return &models.DesiredLRPCreatedEvent{}, nil
	case EventDesiredLRPChanged:
		return &models.DesiredLRPChangedEvent{}, nil
	case EventDesiredLRPRemoved:
		return &models.DesiredLRPRemovedEvent{}, nil
	case EventActualLRPCreated:
		return &models.ActualLRPCreatedEvent{}, nil
	case EventActualLRPChanged:
		return &models.ActualLRPChangedEvent{}, nil
	case EventActualLRPRemoved:
		return &models.ActualLRPRemovedEvent{}, nil
	case EventActualLRPCrashed:
		return &models.ActualLRPCrashedEvent{}, nil
	case EventActualLRPInstanceCreated:
		return &models.ActualLRPInstanceCreatedEvent{}, nil
	case EventActualLRPInstanceChanged:
		return &models.ActualLRPInstanceChangedEvent{}, nil
	case EventActualLRPInstanceRemoved:
		return &models.ActualLRPInstanceRemovedEvent{}, nil
	case EventTaskCreated:
		return &models.TaskCreatedEvent{}, nil
	case EventTaskChanged:
		return &models.TaskChangedEvent{}, nil
	case EventTaskRemoved:
		return &models.TaskRemovedEvent{}, nil
	}
	return nil, fmt.Errorf("unknown event type %q", name)
}

// DecodeEvent turns an SSE event (name and base64 data) into its message.
func DecodeEvent(name string, data []byte) (proto.Message, error) {
	msg, err := NewEventMessage(name)
	if err != nil {
		return nil, err
	}
	raw, err := base64.StdEncoding.DecodeString(string(data))
	if err != nil {
		return nil, fmt.Errorf("event %s: decoding base64: %w", name, err)
	}
	if err := proto.Unmarshal(raw, msg); err != nil {
		return nil, fmt.Errorf("event %s: decoding protobuf: %w", name, err)
	}
	return msg, nil
}
