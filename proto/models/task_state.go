package models

// ValidateTransitionTo returns an InvalidStateTransition error unless the
// task may move from its current state to to.
//
//	Pending ---> Running ---> Completed ---> Resolving
//
// Only these forward steps pass. The BBS additionally completes a Pending
// task directly when it is cancelled, failed or rejected too often; those
// paths check the Pending state themselves.
func (t *Task) ValidateTransitionTo(to Task_State) error {
	from := t.GetState()
	if !TaskTransitionAllowed(from, to) {
		return NewTaskTransitionError(from, to)
	}
	return nil
}

// TaskTransitionAllowed is the pure transition table behind ValidateTransitionTo.
func TaskTransitionAllowed(from, to Task_State) bool {
	switch to {
	case Task_Running:
		return from == Task_Pending
	case Task_Completed:
		return from == Task_Running
	case Task_Resolving:
		return from == Task_Completed
	}
	return false
}
