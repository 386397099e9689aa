package modeljson

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// rule is how one upstream struct field is rendered.
type rule struct {
	proto     protoreflect.Name // field name, or oneof name when oneof
	json      string            // JSON key (for a oneof: upstream's Go field name)
	omitEmpty bool
	value     bool // non-pointer struct: never null
	embed     bool
	oneof     bool
	inner     string // oneof: key inside the wrapper object
	innerOmit bool   // oneof: wrapper's omitempty
}

// layouts maps a message's short name to its fields in upstream order.
var layouts = parseLayout(layoutSpec)

func parseLayout(spec string) map[protoreflect.Name][]rule {
	out := map[protoreflect.Name][]rule{}
	for _, line := range strings.Split(strings.TrimSpace(spec), "\n") {
		words := strings.Fields(line)
		var rules []rule
		for _, w := range words[1:] {
			rules = append(rules, parseRule(w))
		}
		out[protoreflect.Name(words[0])] = rules
	}
	return out
}

func parseRule(w string) rule {
	name, spec, hasSpec := strings.Cut(w, "=")
	r := rule{proto: protoreflect.Name(name), json: name}
	if !hasSpec {
		return r
	}
	if open := strings.IndexByte(spec, '{'); open >= 0 {
		r.oneof = true
		r.json = spec[:open]
		r.inner = strings.TrimSuffix(spec[open+1:], "}")
		if strings.HasSuffix(r.inner, "?") {
			r.inner, r.innerOmit = strings.TrimSuffix(r.inner, "?"), true
		}
		return r
	}
	flags := strings.TrimLeft(spec, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789")
	if n := spec[:len(spec)-len(flags)]; n != "" {
		r.json = n
	}
	r.omitEmpty = strings.Contains(flags, "?")
	r.value = strings.Contains(flags, "!")
	r.embed = strings.Contains(flags, "^")
	return r
}

// layoutOf returns the rules for md, or an error naming a message this
// package does not know.
func layoutOf(md protoreflect.MessageDescriptor) ([]rule, error) {
	rules, ok := layouts[md.Name()]
	if !ok {
		return nil, fmt.Errorf("modeljson: no JSON layout for %s", md.FullName())
	}
	return rules, nil
}

// fieldOf resolves a non-oneof rule against md.
func fieldOf(md protoreflect.MessageDescriptor, r rule) (protoreflect.FieldDescriptor, error) {
	fd := md.Fields().ByName(r.proto)
	if fd == nil {
		return nil, fmt.Errorf("modeljson: %s has no field %s", md.FullName(), r.proto)
	}
	return fd, nil
}

// numericEnums are the enums upstream renders as numbers (no MarshalJSON);
// every BBS enum has a MarshalJSON that writes its value name.
var numericEnums = map[protoreflect.FullName]bool{
	"models.TypeCode": true, // locket
}
