package client

import (
	"encoding/json"
	"fmt"
)

// TaskState is the BBS task state, which travels in rep JSON as its name ("Running").
type TaskState int32

// Task states, numbered as in the BBS protobuf enum.
const (
	TaskStateInvalid TaskState = iota
	TaskStatePending
	TaskStateRunning
	TaskStateCompleted
	TaskStateResolving
)

var taskStateNames = [...]string{"Invalid", "Pending", "Running", "Completed", "Resolving"}

// String is the state's name; unknown values print as their number, as protobuf enums do.
func (s TaskState) String() string {
	if s >= 0 && int(s) < len(taskStateNames) {
		return taskStateNames[s]
	}
	return fmt.Sprint(int32(s))
}

// MarshalJSON writes the state's name.
func (s TaskState) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON accepts a state name only.
func (s *TaskState) UnmarshalJSON(data []byte) error {
	var name string
	if err := json.Unmarshal(data, &name); err != nil {
		return err
	}
	for i, n := range taskStateNames {
		if n == name {
			*s = TaskState(i)
			return nil
		}
	}
	return fmt.Errorf("invalid state: %s", name)
}
