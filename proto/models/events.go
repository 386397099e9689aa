package models

import "google.golang.org/protobuf/proto"

// SSE event type names.
const (
	EventTypeDesiredLRPCreated = "desired_lrp_created"
	EventTypeDesiredLRPChanged = "desired_lrp_changed"
	EventTypeDesiredLRPRemoved = "desired_lrp_removed"

	EventTypeActualLRPCreated = "actual_lrp_created" // deprecated group stream
	EventTypeActualLRPChanged = "actual_lrp_changed" // deprecated group stream
	EventTypeActualLRPRemoved = "actual_lrp_removed" // deprecated group stream
	EventTypeActualLRPCrashed = "actual_lrp_crashed"

	EventTypeActualLRPInstanceCreated = "actual_lrp_instance_created"
	EventTypeActualLRPInstanceChanged = "actual_lrp_instance_changed"
	EventTypeActualLRPInstanceRemoved = "actual_lrp_instance_removed"

	EventTypeTaskCreated = "task_created"
	EventTypeTaskChanged = "task_changed"
	EventTypeTaskRemoved = "task_removed"
)

// Event is a message sent on a BBS event stream.
type Event interface {
	proto.Message
	// EventType is the SSE "event:" name.
	EventType() string
	// Key identifies the subject (process guid, instance guid or task guid).
	Key() string
}

// EventType implements Event.
func (*DesiredLRPCreatedEvent) EventType() string { return EventTypeDesiredLRPCreated }

// Key implements Event.
func (e *DesiredLRPCreatedEvent) Key() string { return e.GetDesiredLrp().GetProcessGuid() }

// EventType implements Event.
func (*DesiredLRPChangedEvent) EventType() string { return EventTypeDesiredLRPChanged }

// Key implements Event.
func (e *DesiredLRPChangedEvent) Key() string { return e.GetBefore().GetProcessGuid() }

// EventType implements Event.
func (*DesiredLRPRemovedEvent) EventType() string { return EventTypeDesiredLRPRemoved }

// Key implements Event.
func (e *DesiredLRPRemovedEvent) Key() string { return e.GetDesiredLrp().GetProcessGuid() }

// EventType implements Event.
func (*ActualLRPCreatedEvent) EventType() string { return EventTypeActualLRPCreated }

// Key implements Event.
func (e *ActualLRPCreatedEvent) Key() string { return groupInstanceGUID(e.GetActualLrpGroup()) }

// EventType implements Event.
func (*ActualLRPChangedEvent) EventType() string { return EventTypeActualLRPChanged }

// Key implements Event.
func (e *ActualLRPChangedEvent) Key() string { return groupInstanceGUID(e.GetBefore()) }

// EventType implements Event.
func (*ActualLRPRemovedEvent) EventType() string { return EventTypeActualLRPRemoved }

// Key implements Event.
func (e *ActualLRPRemovedEvent) Key() string { return groupInstanceGUID(e.GetActualLrpGroup()) }

// EventType implements Event.
func (*ActualLRPCrashedEvent) EventType() string { return EventTypeActualLRPCrashed }

// Key implements Event.
func (e *ActualLRPCrashedEvent) Key() string { return e.GetActualLrpInstanceKey().GetInstanceGuid() }

// EventType implements Event.
func (*ActualLRPInstanceCreatedEvent) EventType() string { return EventTypeActualLRPInstanceCreated }

// Key implements Event.
func (e *ActualLRPInstanceCreatedEvent) Key() string {
	return e.GetActualLrp().GetActualLrpInstanceKey().GetInstanceGuid()
}

// EventType implements Event.
func (*ActualLRPInstanceChangedEvent) EventType() string { return EventTypeActualLRPInstanceChanged }

// Key implements Event.
func (e *ActualLRPInstanceChangedEvent) Key() string {
	return e.GetActualLrpInstanceKey().GetInstanceGuid()
}

// EventType implements Event.
func (*ActualLRPInstanceRemovedEvent) EventType() string { return EventTypeActualLRPInstanceRemoved }

// Key implements Event.
func (e *ActualLRPInstanceRemovedEvent) Key() string {
	return e.GetActualLrp().GetActualLrpInstanceKey().GetInstanceGuid()
}

// EventType implements Event.
func (*TaskCreatedEvent) EventType() string { return EventTypeTaskCreated }

// Key implements Event.
func (e *TaskCreatedEvent) Key() string { return e.GetTask().GetTaskGuid() }

// EventType implements Event.
func (*TaskChangedEvent) EventType() string { return EventTypeTaskChanged }

// Key implements Event.
func (e *TaskChangedEvent) Key() string { return e.GetBefore().GetTaskGuid() }

// EventType implements Event.
func (*TaskRemovedEvent) EventType() string { return EventTypeTaskRemoved }

// Key implements Event.
func (e *TaskRemovedEvent) Key() string { return e.GetTask().GetTaskGuid() }

func groupInstanceGUID(g *ActualLRPGroup) string {
	lrp, _, err := g.Resolve()
	if err != nil {
		return ""
	}
	return lrp.GetActualLrpInstanceKey().GetInstanceGuid()
}

// NewActualLRPInstanceChangedEvent describes a change of one instance. The
// keys are taken from after, falling back to before for any key that is
// blank in after.
func NewActualLRPInstanceChangedEvent(before, after *ActualLRP, traceID string) *ActualLRPInstanceChangedEvent {
	key := after.GetActualLrpKey()
	if isZeroLRPKey(key) {
		key = before.GetActualLrpKey()
	}
	instanceKey := after.GetActualLrpInstanceKey()
	if instanceKey.IsEmpty() {
		instanceKey = before.GetActualLrpInstanceKey()
	}
	return &ActualLRPInstanceChangedEvent{
		ActualLrpKey:         key,
		ActualLrpInstanceKey: instanceKey,
		Before:               before.ToActualLRPInfo(),
		After:                after.ToActualLRPInfo(),
		TraceId:              traceID,
	}
}

func isZeroLRPKey(k *ActualLRPKey) bool {
	return k.GetProcessGuid() == "" && k.GetIndex() == 0 && k.GetDomain() == ""
}

// NewActualLRPCrashedEvent describes a crash: the key and crash details come
// from after, the instance that crashed from before.
func NewActualLRPCrashedEvent(before, after *ActualLRP) *ActualLRPCrashedEvent {
	return &ActualLRPCrashedEvent{
		ActualLrpKey:         after.GetActualLrpKey(),
		ActualLrpInstanceKey: before.GetActualLrpInstanceKey(),
		CrashCount:           after.GetCrashCount(),
		CrashReason:          after.GetCrashReason(),
		Since:                after.GetSince(),
	}
}

// VersionDesiredLRPsTo downgrades the desired LRPs inside a desired-LRP
// event; other events are returned unchanged.
func VersionDesiredLRPsTo(e Event, v Version) Event {
	switch e := e.(type) {
	case *DesiredLRPCreatedEvent:
		return &DesiredLRPCreatedEvent{DesiredLrp: e.GetDesiredLrp().VersionDownTo(v), TraceId: e.GetTraceId()}
	case *DesiredLRPChangedEvent:
		return &DesiredLRPChangedEvent{Before: e.GetBefore().VersionDownTo(v), After: e.GetAfter().VersionDownTo(v), TraceId: e.GetTraceId()}
	case *DesiredLRPRemovedEvent:
		return &DesiredLRPRemovedEvent{DesiredLrp: e.GetDesiredLrp().VersionDownTo(v), TraceId: e.GetTraceId()}
	}
	return e
}

// VersionTaskDefinitionsTo downgrades the tasks inside a task event; other
// events are returned unchanged.
func VersionTaskDefinitionsTo(e Event, v Version) Event {
	switch e := e.(type) {
	case *TaskCreatedEvent:
		return &TaskCreatedEvent{Task: e.GetTask().VersionDownTo(v)}
	case *TaskChangedEvent:
		return &TaskChangedEvent{Before: e.GetBefore().VersionDownTo(v), After: e.GetAfter().VersionDownTo(v)}
	case *TaskRemovedEvent:
		return &TaskRemovedEvent{Task: e.GetTask().VersionDownTo(v)}
	}
	return e
}

// CallbackResponse is the body POSTed to a task's completion callback.
func (t *Task) CallbackResponse() *TaskCallbackResponse {
	return &TaskCallbackResponse{
		TaskGuid:      t.GetTaskGuid(),
		Failed:        t.GetFailed(),
		FailureReason: t.GetFailureReason(),
		Result:        t.GetResult(),
		Annotation:    t.GetTaskDefinition().GetAnnotation(),
		CreatedAt:     t.GetCreatedAt(),
	}
}
