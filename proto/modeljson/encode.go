package modeljson

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Marshal renders m as upstream's encoding/json renders the same record.
func Marshal(m proto.Message) ([]byte, error) {
	var w bytes.Buffer
	if m.ProtoReflect().Descriptor().FullName() == "models.ProtoRoutes" {
		if err := marshalStandaloneRoutes(&w, m.ProtoReflect()); err != nil {
			return nil, err
		}
		return w.Bytes(), nil
	}
	if err := writeMessage(&w, m.ProtoReflect()); err != nil {
		return nil, err
	}
	return w.Bytes(), nil
}

// writer accumulates one JSON object's members.
type object struct {
	w     *bytes.Buffer
	first bool
}

func (o *object) key(k string) {
	if !o.first {
		o.w.WriteByte(',')
	}
	o.first = false
	writeString(o.w, k)
	o.w.WriteByte(':')
}

func writeString(w *bytes.Buffer, s string) {
	b, _ := json.Marshal(s) // encoding/json's escaping, HTML-safe like upstream
	w.Write(b)
}

func writeMessage(w *bytes.Buffer, m protoreflect.Message) error {
	if !m.IsValid() {
		w.WriteString("null")
		return nil
	}
	if c, ok := customCodecs[m.Descriptor().FullName()]; ok {
		return c.marshal(w, m)
	}
	o := &object{w: w, first: true}
	w.WriteByte('{')
	if err := writeMembers(o, m); err != nil {
		return err
	}
	w.WriteByte('}')
	return nil
}

func writeMembers(o *object, m protoreflect.Message) error {
	md := m.Descriptor()
	rules, err := layoutOf(md)
	if err != nil {
		return err
	}
	for _, r := range rules {
		if r.oneof {
			if err := writeOneof(o, m, r); err != nil {
				return err
			}
			continue
		}
		fd, err := fieldOf(md, r)
		if err != nil {
			return err
		}
		if r.embed {
			if !m.Has(fd) && !r.value {
				continue // nil embedded pointer: nothing to promote
			}
			if err := writeMembers(o, m.Get(fd).Message()); err != nil {
				return err
			}
			continue
		}
		if r.omitEmpty && isEmpty(m, fd, r) {
			continue
		}
		o.key(r.json)
		if err := writeField(o.w, m, fd, r.value); err != nil {
			return err
		}
	}
	return nil
}

func writeOneof(o *object, m protoreflect.Message, r rule) error {
	od := m.Descriptor().Oneofs().ByName(r.proto)
	if od == nil {
		return fmt.Errorf("modeljson: %s has no oneof %s", m.Descriptor().FullName(), r.proto)
	}
	o.key(r.json)
	fd := m.WhichOneof(od)
	if fd == nil {
		o.w.WriteString("null")
		return nil
	}
	inner := &object{w: o.w, first: true}
	o.w.WriteByte('{')
	if v := m.Get(fd); !(r.innerOmit && isZero(fd, v)) {
		inner.key(r.inner)
		if err := writeSingular(o.w, fd, v, false); err != nil {
			return err
		}
	}
	o.w.WriteByte('}')
	return nil
}

// isEmpty is encoding/json's omitempty test applied to upstream's Go field.
func isEmpty(m protoreflect.Message, fd protoreflect.FieldDescriptor, r rule) bool {
	switch {
	case fd.IsList():
		return m.Get(fd).List().Len() == 0
	case fd.IsMap():
		return m.Get(fd).Map().Len() == 0
	case fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind:
		return !r.value && !m.Has(fd) // structs are never empty
	case fd.Kind() == protoreflect.BytesKind:
		return len(m.Get(fd).Bytes()) == 0
	}
	return !m.Has(fd) // proto3 scalars: unset means zero
}

// isZero reports whether a singular scalar value is its type's zero (a
// chosen oneof member is "set" even when it holds the zero value).
func isZero(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return !v.Message().IsValid()
	case protoreflect.BytesKind:
		return len(v.Bytes()) == 0
	}
	return v.Equal(fd.Default())
}

func writeField(w *bytes.Buffer, m protoreflect.Message, fd protoreflect.FieldDescriptor, value bool) error {
	v := m.Get(fd)
	switch {
	case fd.IsList():
		l := v.List()
		if l.Len() == 0 {
			w.WriteString("null")
			return nil
		}
		w.WriteByte('[')
		for i := 0; i < l.Len(); i++ {
			if i > 0 {
				w.WriteByte(',')
			}
			if err := writeSingular(w, fd, l.Get(i), false); err != nil {
				return err
			}
		}
		w.WriteByte(']')
		return nil
	case fd.IsMap():
		return writeMap(w, fd, v.Map())
	case fd.Message() != nil && !m.Has(fd) && !value:
		w.WriteString("null")
		return nil
	}
	return writeSingular(w, fd, v, value)
}

func writeMap(w *bytes.Buffer, fd protoreflect.FieldDescriptor, mp protoreflect.Map) error {
	if mp.Len() == 0 {
		w.WriteString("null")
		return nil
	}
	keys := make([]string, 0, mp.Len())
	mp.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
		keys = append(keys, k.String())
		return true
	})
	sort.Strings(keys) // encoding/json sorts map keys
	o := &object{w: w, first: true}
	w.WriteByte('{')
	for _, k := range keys {
		o.key(k)
		if err := writeSingular(w, fd.MapValue(), mp.Get(protoreflect.ValueOfString(k).MapKey()), false); err != nil {
			return err
		}
	}
	w.WriteByte('}')
	return nil
}

func writeSingular(w *bytes.Buffer, fd protoreflect.FieldDescriptor, v protoreflect.Value, value bool) error {
	switch fd.Kind() {
	case protoreflect.StringKind:
		writeString(w, v.String())
	case protoreflect.BoolKind:
		w.WriteString(strconv.FormatBool(v.Bool()))
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		w.WriteString(strconv.FormatInt(v.Int(), 10))
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		w.WriteString(strconv.FormatUint(v.Uint(), 10))
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		b, err := json.Marshal(v.Float())
		if err != nil {
			return err
		}
		w.Write(b)
	case protoreflect.BytesKind:
		if v.Bytes() == nil {
			w.WriteString("null")
			return nil
		}
		writeString(w, base64.StdEncoding.EncodeToString(v.Bytes()))
	case protoreflect.EnumKind:
		writeEnum(w, fd.Enum(), v.Enum())
	case protoreflect.MessageKind, protoreflect.GroupKind:
		msg := v.Message()
		if value && emptyRoutesValue(msg) {
			w.WriteString("null")
			return nil
		}
		if value && !msg.IsValid() {
			if _, custom := customCodecs[msg.Descriptor().FullName()]; !custom {
				msg = msg.Type().New() // a Go struct value: zero fields, never null
			}
		}
		return writeMessage(w, msg)
	default:
		return fmt.Errorf("modeljson: unsupported kind %v of %s", fd.Kind(), fd.FullName())
	}
	return nil
}

// writeEnum writes upstream's MarshalJSON rendering: the value name (the
// decimal number, quoted, for a value without one, as gogo's String does;
// an empty string for MetricTagValue's DynamicValue, which looks names up in
// a map), or a bare number for enums without MarshalJSON.
func writeEnum(w *bytes.Buffer, ed protoreflect.EnumDescriptor, n protoreflect.EnumNumber) {
	if numericEnums[ed.FullName()] {
		w.WriteString(strconv.FormatInt(int64(n), 10))
		return
	}
	if vd := ed.Values().ByNumber(n); vd != nil {
		writeString(w, string(vd.Name()))
		return
	}
	if ed.Name() == "DynamicValue" {
		writeString(w, "")
		return
	}
	writeString(w, strconv.FormatInt(int64(n), 10))
}
