// Package config loads daemon configuration files the way every Diego
// daemon here does: JSON with upstream's key names, strict decoding (a key
// the daemon does not know is an error naming that key), documented defaults
// applied before decoding, and validation that reports every problem at once.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
)

// Validator is implemented by daemon config structs. Validate reports every
// problem it finds; use Problems to collect them.
type Validator interface {
	Validate() error
}

// Load reads the JSON file at path into dst, which should already hold the
// daemon's defaults. Unknown keys are rejected with an error naming the key.
// After decoding, dst.Validate() is called when dst implements Validator.
func Load(path string, dst any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading config: %w", err)
	}
	return Decode(raw, dst)
}

// Decode is Load for bytes already in memory.
func Decode(raw []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("invalid config: %s", describeDecodeError(err))
	}
	if dec.More() {
		return errors.New("invalid config: trailing data after the JSON object")
	}
	if v, ok := dst.(Validator); ok {
		if err := v.Validate(); err != nil {
			return err
		}
	}
	return nil
}

func describeDecodeError(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return fmt.Sprintf("key %q: expected %s, got JSON %s", typeErr.Field, typeErr.Type, typeErr.Value)
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return fmt.Sprintf("malformed JSON at byte %d: %v", syntaxErr.Offset, err)
	}
	msg := err.Error()
	// encoding/json reports unknown keys as `json: unknown field "x"`.
	if rest, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return "unknown key " + rest
	}
	return msg
}

// Problems collects validation failures so a Validate method can report all
// of them at once.
type Problems struct {
	list []string
}

// Addf records one problem. By convention the message starts with the key.
func (p *Problems) Addf(format string, args ...any) {
	p.list = append(p.list, fmt.Sprintf(format, args...))
}

// Require records a problem when value is empty.
func (p *Problems) Require(key, value string) {
	if strings.TrimSpace(value) == "" {
		p.Addf("%s: is required", key)
	}
}

// RequireFile records a problem when path is empty or names no readable file.
func (p *Problems) RequireFile(key, path string) {
	if path == "" {
		p.Addf("%s: is required", key)
		return
	}
	if _, err := os.Stat(path); err != nil {
		p.Addf("%s: %v", key, err)
	}
}

// Err returns nil when nothing was recorded, or one error listing every problem.
func (p *Problems) Err() error {
	if len(p.list) == 0 {
		return nil
	}
	return &InvalidError{Problems: append([]string(nil), p.list...)}
}

// InvalidError lists every problem found in a config.
type InvalidError struct {
	Problems []string
}

func (e *InvalidError) Error() string {
	return "invalid config:\n  - " + strings.Join(e.Problems, "\n  - ")
}

// UnusedKeys returns the JSON names of fields tagged `unused:"true"` that are
// set to a non-zero value in cfg (a struct or pointer to one, embedded
// structs included). Daemons accept every key upstream's config has; those
// they do not act on are tagged so, and start-up logs a note for each set one.
func UnusedKeys(cfg any) []string {
	var keys []string
	collectUnused(reflect.Indirect(reflect.ValueOf(cfg)), &keys)
	sort.Strings(keys)
	return keys
}

func collectUnused(v reflect.Value, keys *[]string) {
	if v.Kind() != reflect.Struct {
		return
	}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			collectUnused(v.Field(i), keys)
			continue
		}
		if f.Tag.Get("unused") != "true" || v.Field(i).IsZero() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		*keys = append(*keys, name)
	}
}
