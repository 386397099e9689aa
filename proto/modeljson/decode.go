package modeljson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Unmarshal parses data into m as encoding/json parses it into upstream's
// struct: keys match exactly or else case-insensitively, unknown keys are
// ignored, null leaves scalars alone and clears messages, lists and maps,
// objects merge into sub-messages already present, enums are read by name.
// A syntax error is reported with encoding/json's message; the first type
// mismatch is reported after the rest of the document has been read.
func Unmarshal(data []byte, m proto.Message) error {
	var probe any
	if err := json.Unmarshal(data, &probe); err != nil {
		return err
	}
	if m.ProtoReflect().Descriptor().FullName() == "models.ProtoRoutes" {
		return unmarshalStandaloneRoutes(data, m.ProtoReflect())
	}
	d := &decoder{}
	d.message(data, m.ProtoReflect())
	return d.err
}

// decoder walks a document, remembering the path for error messages and
// the first error met.
type decoder struct {
	path  []string
	owner []string // Go struct name at each depth
	err   error
}

type member struct {
	key   string
	value []byte
}

func (d *decoder) push(k string) { d.path = append(d.path, k) }
func (d *decoder) pop()          { d.path = d.path[:len(d.path)-1] }

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// typeError records encoding/json's "cannot unmarshal" error for data.
func (d *decoder) typeError(data []byte, goType string) {
	what := jsonKind(data)
	if len(d.path) == 0 {
		d.fail(fmt.Errorf("json: cannot unmarshal %s into Go value of type %s", what, goType))
		return
	}
	owner := "models"
	if len(d.owner) > 0 {
		owner = d.owner[len(d.owner)-1]
	}
	d.fail(fmt.Errorf("json: cannot unmarshal %s into Go struct field %s.%s of type %s",
		what, owner, strings.Join(d.path, "."), goType))
}

// numberError is encoding/json's error for a number literal that does not
// fit a numeric field: it quotes the literal.
func (d *decoder) numberError(data []byte, goType string) {
	owner := "models"
	if len(d.owner) > 0 {
		owner = d.owner[len(d.owner)-1]
	}
	d.fail(fmt.Errorf("json: cannot unmarshal number %s into Go struct field %s.%s of type %s",
		bytes.TrimSpace(data), owner, strings.Join(d.path, "."), goType))
}

func jsonKind(data []byte) string {
	switch t := bytes.TrimSpace(data); {
	case len(t) == 0:
		return "value"
	case t[0] == '{':
		return "object"
	case t[0] == '[':
		return "array"
	case t[0] == '"':
		return "string"
	case t[0] == 't' || t[0] == 'f':
		return "bool"
	case t[0] == 'n':
		return "null"
	default:
		return "number"
	}
}

func isNull(data []byte) bool { return string(bytes.TrimSpace(data)) == "null" }

// object splits a JSON object into its members in document order; null
// gives no members and no error; anything else is a type error.
func (d *decoder) object(data []byte, md protoreflect.MessageDescriptor) ([]member, error) {
	if isNull(data) {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		d.typeError(data, "models."+string(md.Name()))
		return nil, nil
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		out = append(out, member{key: tok.(string), value: raw})
	}
	return out, nil
}

// matchKey picks the name key selects: an exact match, else the first
// case-insensitive one.
func matchKey(key string, names []string) string {
	for _, n := range names {
		if n == key {
			return n
		}
	}
	for _, n := range names {
		if strings.EqualFold(n, key) {
			return n
		}
	}
	return ""
}

// target is one JSON key of a message: a field reached through zero or more
// embedded sub-messages, or a oneof wrapper.
type target struct {
	rule  rule
	embed []protoreflect.FieldDescriptor
	field protoreflect.FieldDescriptor
}

// goPath is the Go field names of the embedded structs leading to t, which
// encoding/json puts in a type error's field path.
func (t target) goPath() []string {
	var out []string
	for _, e := range t.embed {
		out = append(out, string(e.Message().Name()))
	}
	return out
}

func targetsOf(md protoreflect.MessageDescriptor, via []protoreflect.FieldDescriptor) ([]target, error) {
	rules, err := layoutOf(md)
	if err != nil {
		return nil, err
	}
	var out []target
	for _, r := range rules {
		if r.oneof {
			out = append(out, target{rule: r, embed: via})
			continue
		}
		fd, err := fieldOf(md, r)
		if err != nil {
			return nil, err
		}
		if r.embed {
			sub, err := targetsOf(fd.Message(), append(append([]protoreflect.FieldDescriptor(nil), via...), fd))
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
			continue
		}
		out = append(out, target{rule: r, embed: via, field: fd})
	}
	return out, nil
}

func (d *decoder) message(data []byte, m protoreflect.Message) {
	md := m.Descriptor()
	if c, ok := customCodecs[md.FullName()]; ok {
		if err := c.unmarshal(d, data, m); err != nil {
			d.fail(err)
		}
		return
	}
	targets, err := targetsOf(md, nil)
	if err != nil {
		d.fail(err)
		return
	}
	members, err := d.object(data, md)
	if err != nil {
		d.fail(err)
		return
	}
	names := make([]string, len(targets))
	byName := map[string]target{}
	for i, t := range targets {
		names[i] = t.rule.json
		if _, dup := byName[t.rule.json]; !dup {
			byName[t.rule.json] = t
		}
	}
	d.owner = append(d.owner, string(md.Name()))
	defer func() { d.owner = d.owner[:len(d.owner)-1] }()
	for _, mem := range members {
		k := matchKey(mem.key, names)
		if k == "" {
			continue
		}
		t := byName[k]
		dst := m
		for _, e := range t.embed {
			dst = dst.Mutable(e).Message()
		}
		depth := len(d.path)
		d.path = append(append(d.path, t.goPath()...), k)
		if t.rule.oneof {
			d.oneof(mem.value, dst, t.rule)
		} else {
			d.field(mem.value, dst, t.field)
		}
		d.path = d.path[:depth]
	}
}

// oneof reads upstream's {"GoName":{"inner":value}} rendering.
func (d *decoder) oneof(data []byte, m protoreflect.Message, r rule) {
	od := m.Descriptor().Oneofs().ByName(r.proto)
	if od == nil {
		d.fail(fmt.Errorf("modeljson: %s has no oneof %s", m.Descriptor().FullName(), r.proto))
		return
	}
	if isNull(data) {
		if fd := m.WhichOneof(od); fd != nil {
			m.Clear(fd)
		}
		return
	}
	var inner map[string]json.RawMessage
	if err := json.Unmarshal(data, &inner); err != nil {
		d.typeError(data, "models.is"+string(m.Descriptor().Name())+"_"+r.json)
		return
	}
	fd := od.Fields().Get(0)
	for k, v := range inner {
		if strings.EqualFold(k, r.inner) {
			d.field(v, m, fd)
		}
	}
	if m.WhichOneof(od) == nil {
		m.Set(fd, fd.Default()) // an empty wrapper still chooses the member
	}
}

func (d *decoder) field(data []byte, m protoreflect.Message, fd protoreflect.FieldDescriptor) {
	if isNull(data) {
		if fd.IsList() || fd.IsMap() || fd.Message() != nil {
			m.Clear(fd)
		}
		return
	}
	switch {
	case fd.IsList():
		var elems []json.RawMessage
		if err := json.Unmarshal(data, &elems); err != nil {
			d.typeError(data, "[]"+elemType(fd))
			return
		}
		l := m.Mutable(fd).List()
		l.Truncate(0)
		for _, e := range elems {
			if fd.Message() != nil {
				v := l.NewElement()
				d.message(e, v.Message())
				l.Append(v)
				continue
			}
			if v, ok := d.scalar(e, fd); ok {
				l.Append(v)
			}
		}
	case fd.IsMap():
		var entries map[string]json.RawMessage
		if err := json.Unmarshal(data, &entries); err != nil {
			d.typeError(data, "map[string]"+elemType(fd.MapValue()))
			return
		}
		mp := m.Mutable(fd).Map()
		vd := fd.MapValue()
		for k, e := range entries {
			key := protoreflect.ValueOfString(k).MapKey()
			if vd.Message() != nil {
				v := mp.NewValue()
				d.message(e, v.Message())
				mp.Set(key, v)
				continue
			}
			if v, ok := d.scalar(e, vd); ok {
				mp.Set(key, v)
			}
		}
	case fd.Message() != nil:
		d.message(data, m.Mutable(fd).Message())
	default:
		if v, ok := d.scalar(data, fd); ok {
			m.Set(fd, v)
		}
	}
}

// scalar converts one JSON value for a non-message field.
func (d *decoder) scalar(data []byte, fd protoreflect.FieldDescriptor) (protoreflect.Value, bool) {
	into := func(v any) bool {
		if err := json.Unmarshal(data, v); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) && strings.HasPrefix(te.Value, "number ") {
				d.numberError(data, goType(fd)) // a number that does not fit
				return false
			}
			d.typeError(data, goType(fd))
			return false
		}
		return true
	}
	switch fd.Kind() {
	case protoreflect.StringKind:
		var s string
		ok := into(&s)
		return protoreflect.ValueOfString(s), ok
	case protoreflect.BoolKind:
		var b bool
		ok := into(&b)
		return protoreflect.ValueOfBool(b), ok
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		var n int32
		ok := into(&n)
		return protoreflect.ValueOfInt32(n), ok
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		var n int64
		ok := into(&n)
		return protoreflect.ValueOfInt64(n), ok
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		var n uint32
		ok := into(&n)
		return protoreflect.ValueOfUint32(n), ok
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		var n uint64
		ok := into(&n)
		return protoreflect.ValueOfUint64(n), ok
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		var f float64
		ok := into(&f)
		return protoreflect.ValueOfFloat64(f), ok
	case protoreflect.BytesKind:
		var b []byte
		ok := into(&b)
		return protoreflect.ValueOfBytes(b), ok
	case protoreflect.EnumKind:
		return d.enum(data, fd.Enum())
	}
	d.fail(fmt.Errorf("modeljson: unsupported kind %v of %s", fd.Kind(), fd.FullName()))
	return protoreflect.Value{}, false
}

// enumErrors are the messages of upstream's enum UnmarshalJSON methods for
// an unknown name (MetricTagValue's DynamicValue has none: it reads 0).
var enumErrors = map[protoreflect.FullName]string{
	"models.ActualLRPNetInfo.PreferredAddress": "invalid preferred address: %s",
	"models.ActualLRP.Presence":                "invalid presence: %s",
	"models.Error.Type":                        "invalid presence: %s",
	"models.ImageLayer.DigestAlgorithm":        "invalid digest_algorithm: %s",
	"models.ImageLayer.MediaType":              "invalid media_type: %s",
	"models.ImageLayer.Type":                   "invalid type: %s",
	"models.Task.State":                        "invalid state: %s",
}

func (d *decoder) enum(data []byte, ed protoreflect.EnumDescriptor) (protoreflect.Value, bool) {
	if numericEnums[ed.FullName()] {
		var n int32
		if err := json.Unmarshal(data, &n); err != nil {
			d.typeError(data, "models."+string(ed.Name()))
			return protoreflect.Value{}, false
		}
		return protoreflect.ValueOfEnum(protoreflect.EnumNumber(n)), true
	}
	var name string
	if err := json.Unmarshal(data, &name); err != nil {
		d.typeError(data, "string") // from the enum's UnmarshalJSON, given the field's context
		return protoreflect.Value{}, false
	}
	if vd := ed.Values().ByName(protoreflect.Name(name)); vd != nil {
		return protoreflect.ValueOfEnum(vd.Number()), true
	}
	if msg, ok := enumErrors[ed.FullName()]; ok {
		d.fail(fmt.Errorf(msg, name))
		return protoreflect.Value{}, false
	}
	return protoreflect.ValueOfEnum(0), true
}

// elemType names upstream's Go type of a list element or map value:
// messages are held by pointer.
func elemType(fd protoreflect.FieldDescriptor) string {
	if fd.Message() != nil {
		return "*" + goType(fd)
	}
	return goType(fd)
}

// goType names upstream's Go type of a value, as encoding/json names it in
// a type error (pointers already followed).
func goType(fd protoreflect.FieldDescriptor) string {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		if fd.Message().FullName() == "models.ProtoRoutes" {
			return "models.Routes"
		}
		return "models." + string(fd.Message().Name())
	case protoreflect.EnumKind:
		return "models." + string(fd.Enum().Name())
	case protoreflect.BytesKind:
		return "[]uint8"
	case protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return "int32"
	case protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return "int64"
	case protoreflect.Fixed32Kind:
		return "uint32"
	case protoreflect.Fixed64Kind:
		return "uint64"
	case protoreflect.DoubleKind:
		return "float64"
	case protoreflect.FloatKind:
		return "float32"
	}
	return fd.Kind().String()
}
