package models

import (
	"errors"
	"fmt"
	"testing"
)

func TestCanonicalErrorMessages(t *testing.T) {
	cases := []struct {
		err  *Error
		typ  Error_Type
		text string
	}{
		{ErrUnknownError, Error_UnknownError, "the request failed for an unknown reason"},
		{ErrBadRequest, Error_InvalidRequest, "the request received is invalid"},
		{ErrResourceNotFound, Error_ResourceNotFound, "the requested resource could not be found"},
		{ErrResourceExists, Error_ResourceExists, "the requested resource already exists"},
		{ErrResourceConflict, Error_ResourceConflict, "the requested resource is in a conflicting state"},
		{ErrDeadlock, Error_Deadlock, "the request failed due to deadlock"},
		{ErrDeserialize, Error_Deserialize, "could not deserialize record"},
		{ErrFailedToOpenEnvelope, Error_FailedToOpenEnvelope, "could not open envelope"},
		{ErrGUIDGeneration, Error_GUIDGeneration, "cannot generate random guid"},
		{ErrLockCollision, Error_LockCollision, "lock already exists"},
		{ErrActualLRPCannotBeClaimed, Error_ActualLRPCannotBeClaimed, "cannot claim actual LRP"},
		{ErrActualLRPCannotBeStarted, Error_ActualLRPCannotBeStarted, "cannot start actual LRP"},
		{ErrActualLRPCannotBeCrashed, Error_ActualLRPCannotBeCrashed, "cannot crash actual LRP"},
		{ErrActualLRPCannotBeFailed, Error_ActualLRPCannotBeFailed, "cannot fail actual LRP"},
		{ErrActualLRPCannotBeRemoved, Error_ActualLRPCannotBeRemoved, "cannot remove actual LRP"},
		{ErrActualLRPCannotBeUnclaimed, Error_ActualLRPCannotBeUnclaimed, "cannot unclaim actual LRP"},
		{ErrEndpointNotFound, Error_InvalidResponse, "Invalid Response with status code: 404"},
		{NewTaskTransitionError(Task_Pending, Task_Completed), Error_InvalidStateTransition, "Cannot transition from Pending to Completed"},
		{NewRunningOnDifferentCellError("expected", "actual"), Error_RunningOnDifferentCell, "Running on cell actual not expected"},
		{NewUnrecoverableError(errors.New("boom")), Error_Unrecoverable, "Unrecoverable Error: boom"},
		{NewUnrecoverableError(nil), Error_Unrecoverable, "Unrecoverable Error: <nil>"},
		{NewInvalidRecordError(errors.New("bad")), Error_InvalidRecord, "bad"},
		{NewInvalidRequestError(InvalidFieldError{"x"}), Error_InvalidRequest, "Invalid field: x"},
		{NewRouterError("no route"), Error_RouterError, "no route"},
		{NewTimeoutError(errors.New("i/o timeout")), Error_Timeout, "i/o timeout"},
		{NewInvalidProtobufMessageError(errors.New("eof")), Error_InvalidProtobufMessage, "failed to unmarshal proto: eof"},
	}
	for _, c := range cases {
		if c.err.GetType() != c.typ || c.err.Error() != c.text {
			t.Errorf("got %v %q, want %v %q", c.err.GetType(), c.err.Error(), c.typ, c.text)
		}
	}
}

func TestErrorTypeNumbers(t *testing.T) {
	// The numbers are the wire contract.
	want := map[string]int32{
		"UnknownError": 0, "InvalidRecord": 3, "InvalidRequest": 4, "InvalidResponse": 5,
		"InvalidProtobufMessage": 6, "InvalidJSON": 7, "FailedToOpenEnvelope": 8,
		"InvalidStateTransition": 9, "ResourceConflict": 11, "ResourceExists": 12,
		"ResourceNotFound": 13, "RouterError": 14, "ActualLRPCannotBeClaimed": 15,
		"ActualLRPCannotBeStarted": 16, "ActualLRPCannotBeCrashed": 17, "ActualLRPCannotBeFailed": 18,
		"ActualLRPCannotBeRemoved": 19, "ActualLRPCannotBeUnclaimed": 21, "RunningOnDifferentCell": 24,
		"GUIDGeneration": 26, "Deserialize": 27, "Deadlock": 28, "Unrecoverable": 29,
		"LockCollision": 30, "Timeout": 31,
	}
	if len(Error_Type_value) != 25 || len(want) != 25 {
		t.Fatalf("want 25 error types, have %d", len(Error_Type_value))
	}
	for name, n := range want {
		if got, ok := Error_Type_value[name]; !ok || got != n {
			t.Errorf("%s = %d (present %v), want %d", name, got, ok, n)
		}
	}
}

func TestConvertError(t *testing.T) {
	if ConvertError(nil) != nil {
		t.Fatal("nil must stay nil")
	}
	if got := ConvertError(ErrResourceExists); got != ErrResourceExists {
		t.Fatalf("models error must pass through, got %v", got)
	}
	wrapped := fmt.Errorf("context: %w", ErrResourceNotFound)
	if got := ConvertError(wrapped); got.GetType() != Error_ResourceNotFound {
		t.Fatalf("wrapped models error must be found, got %v", got)
	}
	got := ConvertError(errors.New("disk on fire"))
	if got.GetType() != Error_UnknownError || got.GetMessage() != "disk on fire" {
		t.Fatalf("got %v %q", got.GetType(), got.GetMessage())
	}
}

func TestErrorEqualAndIs(t *testing.T) {
	other := NewError(Error_ResourceNotFound, "different text")
	if !ErrResourceNotFound.Equal(other) {
		t.Error("same type must be Equal regardless of message")
	}
	if ErrResourceNotFound.Equal(ErrResourceExists) {
		t.Error("different types must not be Equal")
	}
	if ErrResourceNotFound.Equal(errors.New("the requested resource could not be found")) {
		t.Error("non-models errors are never Equal")
	}
	var nilErr *Error
	if nilErr.Equal(ErrUnknownError) {
		t.Error("nil receiver is not Equal to a non-nil error")
	}
	if !errors.Is(fmt.Errorf("x: %w", other), ErrResourceNotFound) {
		t.Error("errors.Is must match by type")
	}
	if errors.Is(other, ErrResourceExists) {
		t.Error("errors.Is must not match another type")
	}
	if nilErr.ToError() != nil {
		t.Error("ToError of nil must be a nil interface")
	}
}

func TestInvalidModificationError(t *testing.T) {
	if got := (InvalidModificationError{"domain"}).Error(); got != "attempt to make invalid change to field: domain" {
		t.Fatal(got)
	}
}
