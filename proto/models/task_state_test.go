package models

import "testing"

func TestTaskTransitions(t *testing.T) {
	allowed := map[[2]Task_State]bool{
		{Task_Pending, Task_Running}:     true,
		{Task_Running, Task_Completed}:   true,
		{Task_Completed, Task_Resolving}: true,
	}
	states := []Task_State{Task_Invalid, Task_Pending, Task_Running, Task_Completed, Task_Resolving}
	for _, from := range states {
		for _, to := range states {
			task := &Task{State: from}
			err := task.ValidateTransitionTo(to)
			if want := allowed[[2]Task_State{from, to}]; (err == nil) != want {
				t.Errorf("%s -> %s: err=%v, want allowed=%v", from, to, err, want)
				continue
			}
			if err != nil {
				want := "Cannot transition from " + from.String() + " to " + to.String()
				if e := ConvertError(err); e.GetType() != Error_InvalidStateTransition || e.GetMessage() != want {
					t.Errorf("%s -> %s: got %v %q", from, to, e.GetType(), e.GetMessage())
				}
			}
		}
	}
}
