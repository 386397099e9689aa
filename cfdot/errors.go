package cfdot

import (
	"errors"
	"fmt"

	"github.com/godiego/diego/proto/models"
)

// Exit codes, as upstream's cfdot uses them.
const (
	ExitOK         = 0
	ExitValidation = 3 // bad arguments, flags or environment
	ExitDiego      = 4 // an error reported by the BBS, Locket or a rep
	ExitOther      = 5 // anything else (transport, certificates, ...)
)

// Error is a failure with the exit code it maps to.
type Error struct {
	Err  error
	Code int
}

func (e *Error) Error() string {
	var me *models.Error
	if errors.As(e.Err, &me) {
		return fmt.Sprintf("BBS error\nType %d: %s\nMessage: %s", int32(me.Type), me.Type.String(), me.Message)
	}
	return e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// invalid is a validation failure (exit 3); cfdot prints the usage after it.
func invalid(format string, args ...any) *Error {
	return &Error{Err: fmt.Errorf(format, args...), Code: ExitValidation}
}

// bbsFailure classifies an error from a BBS call: a models.Error exits 4,
// anything else 5.
func bbsFailure(err error) *Error {
	var me *models.Error
	if errors.As(err, &me) {
		return &Error{Err: me, Code: ExitDiego}
	}
	return &Error{Err: err, Code: ExitOther}
}

// componentFailure is an error from Locket or a rep (exit 4).
func componentFailure(err error) *Error {
	return &Error{Err: err, Code: ExitDiego}
}

// Upstream's argument messages.
var (
	errMissingArguments   = errors.New("Missing arguments")
	errExtraArguments     = errors.New("Too many arguments specified")
	errInvalidProcessGuid = errors.New("Process guid should be non empty string")
	errInvalidIndex       = errors.New("Index must be a non-negative integer")
)

func validation(err error) *Error { return &Error{Err: err, Code: ExitValidation} }
