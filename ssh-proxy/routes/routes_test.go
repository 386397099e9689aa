package routes

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestMarshalShape(t *testing.T) {
	var got map[string]any
	if err := json.Unmarshal(SSHRoute{ContainerPort: 2222}.Marshal(), &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, map[string]any{"container_port": float64(2222)}) {
		t.Fatalf("empty credentials must be omitted: %v", got)
	}
	full := SSHRoute{ContainerPort: 2222, HostFingerprint: "f", User: "u", Password: "p", PrivateKey: "k"}
	back, err := FromRoutes(map[string][]byte{DiegoSSH: full.Marshal()})
	if err != nil || back != full {
		t.Fatalf("round trip: %+v %v", back, err)
	}
	if _, err := FromRoutes(map[string][]byte{DiegoSSH: []byte("null")}); err != ErrNotFound {
		t.Fatalf("null route: %v", err)
	}
	if _, err := FromRoutes(map[string][]byte{DiegoSSH: []byte("{")}); err == nil || err == ErrNotFound {
		t.Fatalf("malformed route: %v", err)
	}
}
