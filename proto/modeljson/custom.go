package modeljson

import (
	"bytes"
	"encoding/json"
	"sort"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// codec renders a message whose upstream JSON is hand-written.
type codec struct {
	marshal   func(*bytes.Buffer, protoreflect.Message) error
	unmarshal func(*decoder, []byte, protoreflect.Message) error
}

var customCodecs map[protoreflect.FullName]codec

func init() {
	customCodecs = map[protoreflect.FullName]codec{
		"models.ProtoRoutes": {marshalRoutes, unmarshalRoutes},
		// Upstream's MarshalJSON methods copy the oneofs into pointer fields
		// tagged omitempty, so an optional value appears as a plain key only
		// when it is set (even when it is zero).
		"models.DesiredLRPUpdate":  optionalFields("internalDesiredLRPUpdate", "instances?", "routes?", "annotation?", "metric_tags?"),
		"models.ResourceLimits":    optionalFields("internalResourceLimits", "nofile?", "nproc?"),
		"models.ActualLRPsRequest": optionalFields("internalActualLRPsRequest", "domain", "cell_id", "process_guid", "index?"),
	}
}

// optionalFields renders the named fields in order; a name ending in ? is
// written only when set (a oneof member chosen, a message present, a map
// with entries), the others always. Upstream decodes these messages through
// a private struct, whose name (goName) its type errors carry.
func optionalFields(goName string, names ...string) codec {
	type opt struct {
		name     protoreflect.Name
		optional bool
	}
	var fields []opt
	for _, n := range names {
		o := opt{name: protoreflect.Name(n)}
		if n[len(n)-1] == '?' {
			o = opt{name: protoreflect.Name(n[:len(n)-1]), optional: true}
		}
		fields = append(fields, o)
	}
	return codec{
		marshal: func(w *bytes.Buffer, m protoreflect.Message) error {
			o := &object{w: w, first: true}
			w.WriteByte('{')
			for _, f := range fields {
				fd := m.Descriptor().Fields().ByName(f.name)
				if f.optional && !m.Has(fd) {
					continue
				}
				o.key(string(f.name))
				if err := writeField(w, m, fd, false); err != nil {
					return err
				}
			}
			w.WriteByte('}')
			return nil
		},
		unmarshal: func(d *decoder, data []byte, m protoreflect.Message) error {
			members, err := d.object(data, m.Descriptor())
			if err != nil || members == nil {
				return err
			}
			d.owner = append(d.owner, goName)
			defer func() { d.owner = d.owner[:len(d.owner)-1] }()
			targets := map[string]protoreflect.FieldDescriptor{}
			var keys []string
			for _, f := range fields {
				keys = append(keys, string(f.name))
				targets[string(f.name)] = m.Descriptor().Fields().ByName(f.name)
			}
			for _, mem := range members {
				k := matchKey(mem.key, keys)
				if k == "" {
					continue
				}
				fd := targets[k]
				if isNull(mem.value) && fd.ContainingOneof() != nil {
					continue // a nil pointer: leave the oneof unset
				}
				d.push(k)
				d.field(mem.value, m, fd)
				d.pop()
			}
			return nil
		},
	}
}

// marshalRoutes writes the routes table as upstream's map of raw JSON
// documents: sorted keys, each value compacted and HTML-escaped as
// encoding/json does with a json.RawMessage.
func marshalRoutes(w *bytes.Buffer, m protoreflect.Message) error {
	if !m.IsValid() {
		w.WriteString("null")
		return nil
	}
	mp := m.Get(m.Descriptor().Fields().ByName("routes")).Map()
	keys := make([]string, 0, mp.Len())
	mp.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
		keys = append(keys, k.String())
		return true
	})
	sort.Strings(keys)
	o := &object{w: w, first: true}
	w.WriteByte('{')
	for _, k := range keys {
		o.key(k)
		raw := mp.Get(protoreflect.ValueOfString(k).MapKey()).Bytes()
		if len(raw) == 0 {
			w.WriteString("null")
			continue
		}
		b, err := json.Marshal(json.RawMessage(raw))
		if err != nil {
			return err
		}
		w.Write(b)
	}
	w.WriteByte('}')
	return nil
}

func unmarshalRoutes(d *decoder, data []byte, m protoreflect.Message) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		d.typeError(data, "models.Routes")
		return nil
	}
	mp := m.Mutable(m.Descriptor().Fields().ByName("routes")).Map()
	for k, v := range raw {
		var buf bytes.Buffer
		if err := json.Compact(&buf, v); err != nil {
			return err
		}
		mp.Set(protoreflect.ValueOfString(k).MapKey(), protoreflect.ValueOfBytes(buf.Bytes()))
	}
	return nil
}

// marshalStandaloneRoutes writes a ProtoRoutes message that is not a
// field's value the way upstream's generated ProtoRoutes struct marshals:
// {"routes":{key: base64 bytes}}, with the map omitted when empty. (As a
// field, upstream's Go type is the Routes map instead; see marshalRoutes.)
func marshalStandaloneRoutes(w *bytes.Buffer, m protoreflect.Message) error {
	mp := m.Get(m.Descriptor().Fields().ByName("routes")).Map()
	if mp.Len() == 0 {
		w.WriteString("{}")
		return nil
	}
	plain := make(map[string][]byte, mp.Len())
	mp.Range(func(k protoreflect.MapKey, v protoreflect.Value) bool {
		plain[k.String()] = v.Bytes()
		return true
	})
	b, err := json.Marshal(struct {
		Routes map[string][]byte `json:"routes,omitempty"`
	}{plain})
	if err != nil {
		return err
	}
	w.Write(b)
	return nil
}

// emptyRoutesValue reports whether msg is an empty routes table held by a
// non-nullable field: upstream's Go type there is the Routes map itself,
// nil when empty, so it marshals as null (a nullable *Routes that is set
// marshals as {}).
func emptyRoutesValue(msg protoreflect.Message) bool {
	return msg.IsValid() && msg.Descriptor().FullName() == "models.ProtoRoutes" &&
		msg.Get(msg.Descriptor().Fields().ByName("routes")).Map().Len() == 0
}

// unmarshalStandaloneRoutes reads what marshalStandaloneRoutes writes.
func unmarshalStandaloneRoutes(data []byte, m protoreflect.Message) error {
	var plain struct {
		Routes map[string][]byte `json:"routes,omitempty"`
	}
	if err := json.Unmarshal(data, &plain); err != nil {
		return err
	}
	mp := m.Mutable(m.Descriptor().Fields().ByName("routes")).Map()
	for k, v := range plain.Routes {
		mp.Set(protoreflect.ValueOfString(k).MapKey(), protoreflect.ValueOfBytes(v))
	}
	return nil
}
