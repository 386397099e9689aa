package models

import (
	"errors"
	"net/url"
	"strings"
)

// Limits enforced by validation.
const (
	// MaxAnnotationLength is the largest annotation accepted, in bytes.
	MaxAnnotationLength = 10 * 1024
	// MaxRoutesLength is the largest total size of all route documents, in bytes.
	MaxRoutesLength = 128 * 1024
)

// ErrInvalidActionType is reported when a required action is missing.
var ErrInvalidActionType = errors.New("invalid action type")

// Validator is implemented by every model and request that can be checked.
type Validator interface {
	Validate() error
}

// ValidationError collects every problem found in one value. Its text joins
// the individual messages with ", ", which is what the API returns as the
// InvalidRequest message.
type ValidationError []error

// Error implements error.
func (v ValidationError) Error() string {
	var b strings.Builder
	for i, err := range v {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(err.Error())
	}
	return b.String()
}

// add appends err, flattening nested ValidationErrors and ignoring nil.
func (v ValidationError) add(err error) ValidationError {
	if err == nil {
		return v
	}
	if nested, ok := err.(ValidationError); ok {
		for _, e := range nested {
			v = v.add(e)
		}
		return v
	}
	return append(v, err)
}

// field appends an InvalidFieldError.
func (v ValidationError) field(name string) ValidationError {
	return append(v, InvalidFieldError{Field: name})
}

// labelled appends "Invalid field: name" followed by err's own messages when
// err is non-nil; the API reports nested failures this way.
func (v ValidationError) labelled(name string, err error) ValidationError {
	if err == nil {
		return v
	}
	return v.field(name).add(err)
}

// orNil returns nil for an empty collection so callers get a plain nil error.
func (v ValidationError) orNil() error {
	if len(v) == 0 {
		return nil
	}
	return v
}

// ValidGUID reports whether s is a valid process or task guid: one or more
// of [a-zA-Z0-9_-].
func ValidGUID(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// validRootFS reports whether rootfs parses as a URL with a scheme.
func validRootFS(rootfs string) bool {
	u, err := url.Parse(rootfs)
	return err == nil && u.Scheme != ""
}

// routesLength is the total size of all route documents.
func routesLength(r *ProtoRoutes) int {
	total := 0
	for _, doc := range r.GetRoutes() {
		total += len(doc)
	}
	return total
}
