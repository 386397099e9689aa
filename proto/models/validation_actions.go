package models

import (
	"fmt"
	"strings"
)

// Validate checks the action held by a. A nil Action is valid (optional
// actions are simply absent); an Action with nothing set is not.
func (a *Action) Validate() error {
	if a == nil {
		return nil
	}
	inner := a.Inner()
	if inner == nil {
		return InvalidFieldError{Field: "inner-action"}
	}
	return inner.Validate()
}

// validateNested validates a required wrapped action.
func validateNested(v ValidationError, a *Action) ValidationError {
	if a == nil {
		return v.field("action")
	}
	return v.add(a.Validate())
}

// validateList validates a required, non-empty list of actions.
func validateList(v ValidationError, actions []*Action) ValidationError {
	if len(actions) == 0 {
		return v.field("actions")
	}
	for i, a := range actions {
		if a == nil {
			v = v.field(fmt.Sprintf("action at index %d", i))
			continue
		}
		v = v.add(a.Validate())
	}
	return v
}

// validateChecksum applies the shared checksum rules of downloads and cached
// dependencies: both or neither of algorithm and value, and a known algorithm.
func validateChecksum(v ValidationError, algorithm, value string) ValidationError {
	switch {
	case value != "" && algorithm == "":
		v = v.field("checksum algorithm")
	case value == "" && algorithm != "":
		v = v.field("checksum value")
	case value != "" && algorithm != "":
		switch strings.ToLower(algorithm) {
		case "md5", "sha1", "sha256":
		default:
			v = v.field("invalid algorithm")
		}
	}
	return v
}

// Validate requires from, to and user, and a consistent checksum.
func (a *DownloadAction) Validate() error {
	var v ValidationError
	if a.GetFrom() == "" {
		v = v.field("from")
	}
	if a.GetTo() == "" {
		v = v.field("to")
	}
	if a.GetUser() == "" {
		v = v.field("user")
	}
	v = validateChecksum(v, a.GetChecksumAlgorithm(), a.GetChecksumValue())
	return v.orNil()
}

// Validate requires to, from and user.
func (a *UploadAction) Validate() error {
	var v ValidationError
	if a.GetTo() == "" {
		v = v.field("to")
	}
	if a.GetFrom() == "" {
		v = v.field("from")
	}
	if a.GetUser() == "" {
		v = v.field("user")
	}
	return v.orNil()
}

// Validate requires path and user.
func (a *RunAction) Validate() error {
	var v ValidationError
	if a.GetPath() == "" {
		v = v.field("path")
	}
	if a.GetUser() == "" {
		v = v.field("user")
	}
	return v.orNil()
}

// Validate requires a valid inner action and a positive timeout_ms.
func (a *TimeoutAction) Validate() error {
	v := validateNested(nil, a.GetAction())
	if a.GetTimeoutMs() <= 0 {
		v = v.field("timeout_ms")
	}
	return v.orNil()
}

// Validate requires a valid inner action.
func (a *TryAction) Validate() error {
	return validateNested(nil, a.GetAction()).orNil()
}

// Validate requires a valid inner action.
func (a *EmitProgressAction) Validate() error {
	return validateNested(nil, a.GetAction()).orNil()
}

// Validate requires at least one action, all valid.
func (a *ParallelAction) Validate() error {
	return validateList(nil, a.GetActions()).orNil()
}

// Validate requires at least one action, all valid.
func (a *SerialAction) Validate() error {
	return validateList(nil, a.GetActions()).orNil()
}

// Validate requires at least one action, all valid.
func (a *CodependentAction) Validate() error {
	return validateList(nil, a.GetActions()).orNil()
}
