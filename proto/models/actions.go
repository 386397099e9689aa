package models

import (
	"time"

	"google.golang.org/protobuf/proto"
)

// Action type names, as used in logs and JSON keys.
const (
	ActionTypeDownload     = "download"
	ActionTypeEmitProgress = "emit_progress"
	ActionTypeRun          = "run"
	ActionTypeUpload       = "upload"
	ActionTypeTimeout      = "timeout"
	ActionTypeTry          = "try"
	ActionTypeParallel     = "parallel"
	ActionTypeSerial       = "serial"
	ActionTypeCodependent  = "codependent"
)

// ActionInterface is implemented by every concrete action message.
type ActionInterface interface {
	proto.Message
	ActionType() string
	Validate() error
}

// ActionType implements ActionInterface.
func (*DownloadAction) ActionType() string { return ActionTypeDownload }

// ActionType implements ActionInterface.
func (*UploadAction) ActionType() string { return ActionTypeUpload }

// ActionType implements ActionInterface.
func (*RunAction) ActionType() string { return ActionTypeRun }

// ActionType implements ActionInterface.
func (*TimeoutAction) ActionType() string { return ActionTypeTimeout }

// ActionType implements ActionInterface.
func (*EmitProgressAction) ActionType() string { return ActionTypeEmitProgress }

// ActionType implements ActionInterface.
func (*TryAction) ActionType() string { return ActionTypeTry }

// ActionType implements ActionInterface.
func (*ParallelAction) ActionType() string { return ActionTypeParallel }

// ActionType implements ActionInterface.
func (*SerialAction) ActionType() string { return ActionTypeSerial }

// ActionType implements ActionInterface.
func (*CodependentAction) ActionType() string { return ActionTypeCodependent }

// Inner returns the concrete action held by a, or nil. When several fields
// are set (which validation does not reject) the first in field order wins.
func (a *Action) Inner() ActionInterface {
	switch {
	case a == nil:
		return nil
	case a.DownloadAction != nil:
		return a.DownloadAction
	case a.UploadAction != nil:
		return a.UploadAction
	case a.RunAction != nil:
		return a.RunAction
	case a.TimeoutAction != nil:
		return a.TimeoutAction
	case a.EmitProgressAction != nil:
		return a.EmitProgressAction
	case a.TryAction != nil:
		return a.TryAction
	case a.ParallelAction != nil:
		return a.ParallelAction
	case a.SerialAction != nil:
		return a.SerialAction
	case a.CodependentAction != nil:
		return a.CodependentAction
	}
	return nil
}

// UnwrapAction returns the concrete action held by a, or nil.
func UnwrapAction(a *Action) ActionInterface { return a.Inner() }

// WrapAction puts a concrete action into an Action; nil stays nil.
func WrapAction(inner ActionInterface) *Action {
	a := &Action{}
	switch v := inner.(type) {
	case *DownloadAction:
		a.DownloadAction = v
	case *UploadAction:
		a.UploadAction = v
	case *RunAction:
		a.RunAction = v
	case *TimeoutAction:
		a.TimeoutAction = v
	case *EmitProgressAction:
		a.EmitProgressAction = v
	case *TryAction:
		a.TryAction = v
	case *ParallelAction:
		a.ParallelAction = v
	case *SerialAction:
		a.SerialAction = v
	case *CodependentAction:
		a.CodependentAction = v
	default:
		return nil
	}
	return a
}

// WrapActions wraps each action.
func WrapActions(actions []ActionInterface) []*Action {
	wrapped := make([]*Action, 0, len(actions))
	for _, a := range actions {
		wrapped = append(wrapped, WrapAction(a))
	}
	return wrapped
}

// Timeout wraps action in a TimeoutAction (millisecond precision).
func Timeout(action ActionInterface, timeout time.Duration) *TimeoutAction {
	return &TimeoutAction{Action: WrapAction(action), TimeoutMs: timeout.Milliseconds()}
}

// Try wraps action in a TryAction.
func Try(action ActionInterface) *TryAction {
	return &TryAction{Action: WrapAction(action)}
}

// Parallel groups actions into a ParallelAction.
func Parallel(actions ...ActionInterface) *ParallelAction {
	return &ParallelAction{Actions: WrapActions(actions)}
}

// Serial groups actions into a SerialAction.
func Serial(actions ...ActionInterface) *SerialAction {
	return &SerialAction{Actions: WrapActions(actions)}
}

// Codependent groups actions into a CodependentAction.
func Codependent(actions ...ActionInterface) *CodependentAction {
	return &CodependentAction{Actions: WrapActions(actions)}
}

// EmitProgressFor wraps action in an EmitProgressAction.
func EmitProgressFor(action ActionInterface, start, success, failurePrefix string) *EmitProgressAction {
	return &EmitProgressAction{
		Action:               WrapAction(action),
		StartMessage:         start,
		SuccessMessage:       success,
		FailureMessagePrefix: failurePrefix,
	}
}

// SetNofile sets the optional open-files limit.
func (l *ResourceLimits) SetNofile(n uint64) {
	l.OptionalNofile = &ResourceLimits_Nofile{Nofile: n}
}

// NofileExists reports whether the open-files limit is set.
func (l *ResourceLimits) NofileExists() bool {
	_, ok := l.GetOptionalNofile().(*ResourceLimits_Nofile)
	return ok
}

// SetNproc sets the optional (deprecated) process limit.
func (l *ResourceLimits) SetNproc(n uint64) {
	l.OptionalNproc = &ResourceLimits_Nproc{Nproc: n}
}

// NprocExists reports whether the process limit is set.
func (l *ResourceLimits) NprocExists() bool {
	_, ok := l.GetOptionalNproc().(*ResourceLimits_Nproc)
	return ok
}
