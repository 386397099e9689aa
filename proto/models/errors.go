package models

import (
	"errors"
	"fmt"
)

// Canonical errors. Their messages are part of the API: clients match on the
// type, people read the text. Compare with Equal or errors.Is, never by
// pointer, because errors crossing the wire are fresh values.
var (
	// ErrUnknownError is returned when nothing more specific is known.
	ErrUnknownError = NewError(Error_UnknownError, "the request failed for an unknown reason")
	// ErrBadRequest is returned when a request body does not decode.
	ErrBadRequest = NewError(Error_InvalidRequest, "the request received is invalid")
	// ErrResourceNotFound is returned when the named record does not exist.
	ErrResourceNotFound = NewError(Error_ResourceNotFound, "the requested resource could not be found")
	// ErrResourceExists is returned when creating a record that already exists.
	ErrResourceExists = NewError(Error_ResourceExists, "the requested resource already exists")
	// ErrResourceConflict is returned when a record is not in a state that allows the change.
	ErrResourceConflict = NewError(Error_ResourceConflict, "the requested resource is in a conflicting state")
	// ErrDeadlock is returned when the database reported a deadlock.
	ErrDeadlock = NewError(Error_Deadlock, "the request failed due to deadlock")
	// ErrDeserialize is returned when a stored record cannot be decoded.
	ErrDeserialize = NewError(Error_Deserialize, "could not deserialize record")
	// ErrFailedToOpenEnvelope is returned when a stored envelope cannot be opened.
	ErrFailedToOpenEnvelope = NewError(Error_FailedToOpenEnvelope, "could not open envelope")
	// ErrGUIDGeneration is returned when a random GUID cannot be generated.
	ErrGUIDGeneration = NewError(Error_GUIDGeneration, "cannot generate random guid")
	// ErrLockCollision is returned when a lock is already held by someone else.
	ErrLockCollision = NewError(Error_LockCollision, "lock already exists")

	// ErrActualLRPCannotBeClaimed rejects a claim the state machine forbids.
	ErrActualLRPCannotBeClaimed = NewError(Error_ActualLRPCannotBeClaimed, "cannot claim actual LRP")
	// ErrActualLRPCannotBeStarted rejects a start the state machine forbids.
	ErrActualLRPCannotBeStarted = NewError(Error_ActualLRPCannotBeStarted, "cannot start actual LRP")
	// ErrActualLRPCannotBeCrashed rejects a crash the state machine forbids.
	ErrActualLRPCannotBeCrashed = NewError(Error_ActualLRPCannotBeCrashed, "cannot crash actual LRP")
	// ErrActualLRPCannotBeFailed rejects a placement failure on a non-UNCLAIMED LRP.
	ErrActualLRPCannotBeFailed = NewError(Error_ActualLRPCannotBeFailed, "cannot fail actual LRP")
	// ErrActualLRPCannotBeRemoved rejects a removal with a mismatching instance key.
	ErrActualLRPCannotBeRemoved = NewError(Error_ActualLRPCannotBeRemoved, "cannot remove actual LRP")
	// ErrActualLRPCannotBeUnclaimed rejects an unclaim the state machine forbids.
	ErrActualLRPCannotBeUnclaimed = NewError(Error_ActualLRPCannotBeUnclaimed, "cannot unclaim actual LRP")

	// ErrEndpointNotFound is what clients report for an HTTP 404; it is how
	// they detect that a server lacks a newer route version.
	ErrEndpointNotFound = NewInvalidResponseError(404)

	// ErrActualLRPGroupInvalid is returned when resolving an empty group.
	ErrActualLRPGroupInvalid = errors.New("ActualLRPGroup invalid")
)

// NewError returns an *Error of the given type and message.
func NewError(t Error_Type, message string) *Error {
	return &Error{Type: t, Message: message}
}

// NewTaskTransitionError reports a forbidden task state change.
func NewTaskTransitionError(from, to Task_State) *Error {
	return NewError(Error_InvalidStateTransition, fmt.Sprintf("Cannot transition from %s to %s", from, to))
}

// NewRunningOnDifferentCellError reports that a task runs on actualCellID
// while the caller claimed to be expectedCellID.
func NewRunningOnDifferentCellError(expectedCellID, actualCellID string) *Error {
	return NewError(Error_RunningOnDifferentCell, fmt.Sprintf("Running on cell %s not %s", actualCellID, expectedCellID))
}

// NewUnrecoverableError wraps an error after which the BBS must exit.
func NewUnrecoverableError(err error) *Error {
	return NewError(Error_Unrecoverable, fmt.Sprint("Unrecoverable Error: ", err))
}

// NewInvalidRecordError reports a record that failed to (de)serialise.
func NewInvalidRecordError(err error) *Error {
	return NewError(Error_InvalidRecord, err.Error())
}

// NewInvalidRequestError reports a request that failed validation.
func NewInvalidRequestError(err error) *Error {
	return NewError(Error_InvalidRequest, err.Error())
}

// NewInvalidResponseError is the client-side error for an unexpected HTTP status.
func NewInvalidResponseError(statusCode int) *Error {
	return NewError(Error_InvalidResponse, fmt.Sprintf("Invalid Response with status code: %d", statusCode))
}

// NewRouterError is the client-side error for an X-Cf-Routererror header.
func NewRouterError(message string) *Error {
	return NewError(Error_RouterError, message)
}

// NewTimeoutError is the client-side error for a network timeout.
func NewTimeoutError(err error) *Error {
	return NewError(Error_Timeout, err.Error())
}

// NewInvalidProtobufMessageError is the client-side error for an undecodable
// response body.
func NewInvalidProtobufMessageError(err error) *Error {
	return NewError(Error_InvalidProtobufMessage, fmt.Sprint("failed to unmarshal proto: ", err.Error()))
}

// ConvertError turns any error into an *Error. An *Error anywhere in the
// chain is returned as is; anything else becomes UnknownError with the
// error's text. nil stays nil.
func ConvertError(err error) *Error {
	if err == nil {
		return nil
	}
	var modelErr *Error
	if errors.As(err, &modelErr) && modelErr != nil {
		return modelErr
	}
	return NewError(Error_UnknownError, err.Error())
}

// Error implements error; the text is the message alone.
func (e *Error) Error() string {
	return e.GetMessage()
}

// ToError converts e to an error interface, mapping a nil *Error to a nil
// error (avoiding the typed-nil trap).
func (e *Error) ToError() error {
	if e == nil {
		return nil
	}
	return e
}

// Equal reports whether other is an *Error of the same type. Messages are
// not compared: the type is the contract.
func (e *Error) Equal(other error) bool {
	o, ok := other.(*Error)
	if !ok {
		return false
	}
	if e == nil && o != nil {
		return false
	}
	return o.GetType() == e.GetType()
}

// Is lets errors.Is match an *Error target by type.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t != nil && e != nil && t.GetType() == e.GetType()
}

// InvalidFieldError names a field that failed validation.
type InvalidFieldError struct {
	Field string
}

// Error implements error.
func (e InvalidFieldError) Error() string {
	return "Invalid field: " + e.Field
}

// InvalidModificationError names a field that may not be changed.
type InvalidModificationError struct {
	InvalidField string
}

// Error implements error.
func (e InvalidModificationError) Error() string {
	return "attempt to make invalid change to field: " + e.InvalidField
}
