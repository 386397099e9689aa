package models

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
)

// TestWireContract compares every message, field, enum and reserved range
// with a dump of the original bbs .proto files (testdata): names, numbers,
// types, labels, oneofs, packing and deprecation must all match for the
// two implementations to read each other's bytes.
func TestWireContract(t *testing.T) {
	golden, err := os.ReadFile("testdata/upstream_descriptors.txt")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	protoregistry.GlobalFiles.RangeFilesByPackage("models", func(fd protoreflect.FileDescriptor) bool {
		fdp := protodesc.ToFileDescriptorProto(fd)
		for _, m := range fdp.MessageType {
			dumpMessage(&lines, ".models", m)
		}
		for _, e := range fdp.EnumType {
			dumpEnum(&lines, ".models", e)
		}
		return true
	})
	sort.Strings(lines)
	want := strings.Split(strings.TrimSpace(string(golden)), "\n")
	if len(lines) != len(want) {
		t.Errorf("%d descriptor lines, want %d", len(lines), len(want))
	}
	have := map[string]bool{}
	for _, l := range lines {
		have[l] = true
	}
	for _, l := range want {
		if !have[l] {
			t.Errorf("missing or different: %s", l)
		}
	}
}

func dumpMessage(lines *[]string, prefix string, m *descriptorpb.DescriptorProto) {
	name := prefix + "." + m.GetName()
	*lines = append(*lines, fmt.Sprintf("%s msg deprecated=%v mapentry=%v", name, m.GetOptions().GetDeprecated(), m.GetOptions().GetMapEntry()))
	for _, r := range m.ReservedRange {
		*lines = append(*lines, fmt.Sprintf("%s reserved %d-%d", name, r.GetStart(), r.GetEnd()))
	}
	for _, f := range m.Field {
		oneof := ""
		if f.OneofIndex != nil {
			oneof = m.OneofDecl[f.GetOneofIndex()].GetName()
		}
		packed := "default"
		if f.Options != nil && f.Options.Packed != nil {
			packed = fmt.Sprint(f.Options.GetPacked())
		}
		*lines = append(*lines, fmt.Sprintf("%s field %d %s %s %s %s oneof=%s packed=%s json=%s dep=%v proto3opt=%v",
			name, f.GetNumber(), f.GetName(), f.GetLabel(), f.GetType(), f.GetTypeName(), oneof, packed,
			f.GetJsonName(), f.GetOptions().GetDeprecated(), f.GetProto3Optional()))
	}
	for _, n := range m.NestedType {
		dumpMessage(lines, name, n)
	}
	for _, e := range m.EnumType {
		dumpEnum(lines, name, e)
	}
}

func dumpEnum(lines *[]string, prefix string, e *descriptorpb.EnumDescriptorProto) {
	name := prefix + "." + e.GetName()
	for _, r := range e.ReservedRange {
		*lines = append(*lines, fmt.Sprintf("%s enumreserved %d-%d", name, r.GetStart(), r.GetEnd()))
	}
	for _, v := range e.Value {
		*lines = append(*lines, fmt.Sprintf("%s value %s=%d dep=%v", name, v.GetName(), v.GetNumber(), v.GetOptions().GetDeprecated()))
	}
}
