package healthchecker

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/godiego/diego/internal/config"
)

// Duration is a time.Duration in YAML: a Go duration string such as "10s",
// or a bare integer read as nanoseconds, which is what upstream's YAML
// library made of one.
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// UnmarshalYAML accepts a duration string or an integer of nanoseconds.
func (d *Duration) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind != yaml.ScalarNode {
		return errors.New(`expected a duration such as "10s"`)
	}
	if node.ShortTag() == "!!int" {
		n, err := strconv.ParseInt(node.Value, 0, 64)
		if err != nil {
			return fmt.Errorf("invalid duration %s: %w", node.Value, err)
		}
		*d = Duration(n)
		return nil
	}
	parsed, err := time.ParseDuration(node.Value)
	if err != nil {
		return fmt.Errorf(`invalid duration %q: expected one such as "10s"`, node.Value)
	}
	*d = Duration(parsed)
	return nil
}

// decodeStrict decodes the YAML document raw into dst (a pointer to a struct
// with yaml tags) one key at a time, so that every unknown key, repeated key
// and badly typed value is recorded as a problem naming its key, rather than
// the first one found ending the decoding. Only YAML that does not parse at
// all is an error of its own.
func decodeStrict(raw []byte, dst any, p *config.Problems) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("invalid config: malformed YAML: %w", err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil // an empty file: validation names what is missing
	}
	decodeMapping(doc.Content[0], reflect.ValueOf(dst).Elem(), "", p)
	return nil
}

func decodeMapping(node *yaml.Node, dst reflect.Value, prefix string, p *config.Problems) {
	if node.ShortTag() == "!!null" {
		return
	}
	if node.Kind != yaml.MappingNode {
		p.Addf("%s(line %d): expected a mapping of keys to values", keyOrTop(prefix), node.Line)
		return
	}
	fields := yamlFields(dst.Type())
	seen := map[string]bool{}
	for i := 0; i+1 < len(node.Content); i += 2 {
		keyNode, valueNode := node.Content[i], node.Content[i+1]
		key := prefix + keyNode.Value
		index, known := fields[keyNode.Value]
		switch {
		case !known:
			p.Addf("%s (line %d): unknown key", key, keyNode.Line)
		case seen[keyNode.Value]:
			p.Addf("%s (line %d): set more than once", key, keyNode.Line)
		default:
			seen[keyNode.Value] = true
			decodeValue(valueNode, dst.Field(index), key, p)
		}
	}
}

func decodeValue(node *yaml.Node, field reflect.Value, key string, p *config.Problems) {
	if field.Kind() == reflect.Struct {
		decodeMapping(node, field, key+".", p)
		return
	}
	if node.Kind != yaml.ScalarNode {
		p.Addf("%s (line %d): expected a single value", key, node.Line)
		return
	}
	if err := node.Decode(field.Addr().Interface()); err != nil {
		p.Addf("%s (line %d): %s", key, node.Line, describeYAMLError(err))
	}
}

// describeYAMLError drops the line prefix the YAML library adds; the caller
// names the key and line itself.
func describeYAMLError(err error) string {
	var typeErr *yaml.TypeError
	if errors.As(err, &typeErr) && len(typeErr.Errors) > 0 {
		msgs := make([]string, len(typeErr.Errors))
		for i, msg := range typeErr.Errors {
			if _, rest, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(msg, "line ") {
				msg = rest
			}
			msgs[i] = msg
		}
		return strings.Join(msgs, "; ")
	}
	return err.Error()
}

// yamlFields maps each yaml tag name of struct type t to its field index.
func yamlFields(t reflect.Type) map[string]int {
	fields := make(map[string]int, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			fields[name] = i
		}
	}
	return fields
}

func keyOrTop(prefix string) string {
	if prefix == "" {
		return "the config "
	}
	return strings.TrimSuffix(prefix, ".") + " "
}
