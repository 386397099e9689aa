package modeljson

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	_ "github.com/godiego/diego/proto/locketmodels"
	"github.com/godiego/diego/proto/models"
)

// TestLayoutCoversEveryField checks the spec against our descriptors: every
// field of every message it names is placed exactly once, and every rule
// names a real field or oneof.
func TestLayoutCoversEveryField(t *testing.T) {
	seen := 0
	protoregistry.GlobalFiles.RangeFilesByPackage("models", func(fd protoreflect.FileDescriptor) bool {
		msgs := fd.Messages()
		for i := 0; i < msgs.Len(); i++ {
			checkMessage(t, msgs.Get(i), &seen)
		}
		return true
	})
	if seen < 100 {
		t.Fatalf("checked only %d messages", seen)
	}
}

func checkMessage(t *testing.T, md protoreflect.MessageDescriptor, seen *int) {
	t.Helper()
	nested := md.Messages()
	for i := 0; i < nested.Len(); i++ {
		if !nested.Get(i).IsMapEntry() {
			checkMessage(t, nested.Get(i), seen)
		}
	}
	if _, custom := customCodecs[md.FullName()]; custom {
		return
	}
	rules, ok := layouts[md.Name()]
	if !ok {
		if md.Fields().Len() > 0 {
			t.Errorf("%s: no layout", md.FullName())
		}
		return
	}
	*seen++
	placed := map[protoreflect.Name]bool{}
	for _, r := range rules {
		if r.oneof {
			od := md.Oneofs().ByName(r.proto)
			if od == nil {
				t.Errorf("%s: no oneof %s", md.FullName(), r.proto)
				continue
			}
			for i := 0; i < od.Fields().Len(); i++ {
				placed[od.Fields().Get(i).Name()] = true
			}
			continue
		}
		fd := md.Fields().ByName(r.proto)
		if fd == nil {
			t.Errorf("%s: no field %s", md.FullName(), r.proto)
			continue
		}
		if placed[fd.Name()] {
			t.Errorf("%s: field %s placed twice", md.FullName(), r.proto)
		}
		placed[fd.Name()] = true
		if r.embed && fd.Message() == nil {
			t.Errorf("%s: embedded field %s is not a message", md.FullName(), r.proto)
		}
	}
	for i := 0; i < md.Fields().Len(); i++ {
		if name := md.Fields().Get(i).Name(); !placed[name] {
			t.Errorf("%s: field %s has no rule", md.FullName(), name)
		}
	}
}

func TestRoutesNullabilityFollowsUpstreamGoTypes(t *testing.T) {
	empty := &models.ProtoRoutes{Routes: map[string][]byte{}}
	// DesiredLRP.routes is a *Routes: set but empty renders {}.
	got, err := Marshal(&models.DesiredLRP{ProcessGuid: "pg", Routes: empty})
	if err != nil || !strings.Contains(string(got), `"routes":{}`) {
		t.Fatalf("desired LRP: %s %v", got, err)
	}
	// DesiredLRPSchedulingInfo.routes is a Routes value: empty renders null.
	got, err = Marshal(&models.DesiredLRPSchedulingInfo{Routes: empty})
	if err != nil || !strings.Contains(string(got), `"routes":null`) {
		t.Fatalf("scheduling info: %s %v", got, err)
	}
	// A standalone ProtoRoutes is upstream's generated struct: bytes as base64.
	got, err = Marshal(&models.ProtoRoutes{Routes: map[string][]byte{"cf-router": []byte(`[]`)}})
	if err != nil || string(got) != `{"routes":{"cf-router":"W10="}}` {
		t.Fatalf("standalone: %s %v", got, err)
	}
	back := &models.ProtoRoutes{}
	if err := Unmarshal(got, back); err != nil || string(back.Routes["cf-router"]) != `[]` {
		t.Fatalf("standalone round trip: %v %v", back, err)
	}
}
