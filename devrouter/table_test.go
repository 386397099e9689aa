package devrouter

import (
	"reflect"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func msg(uri, host string, port uint32) RegistryMessage {
	return RegistryMessage{Host: host, Port: port, URIs: []string{uri}, App: "log-guid"}
}

func TestRegisterLookupRoundRobin(t *testing.T) {
	tab := NewTable()
	if n := tab.Register(msg("App.Example.COM", "10.0.0.1", 61001), t0); n != 1 {
		t.Fatalf("added %d", n)
	}
	tab.Register(msg("app.example.com", "10.0.0.2", 61002), t0)
	if n := tab.Register(msg("app.example.com", "10.0.0.2", 61002), t0.Add(time.Second)); n != 0 {
		t.Fatalf("re-registration counted as new: %d", n)
	}
	seen := map[string]int{}
	for i := 0; i < 4; i++ {
		key, addrs, ok := tab.Lookup("APP.example.com:8081", "/x")
		if !ok || key != "app.example.com" || len(addrs) != 2 {
			t.Fatalf("lookup: %v %q %v", ok, key, addrs)
		}
		seen[addrs[0]]++
	}
	if seen["10.0.0.1:61001"] != 2 || seen["10.0.0.2:61002"] != 2 {
		t.Fatalf("not round-robin: %v", seen)
	}
	if _, _, ok := tab.Lookup("other.example.com", "/"); ok {
		t.Fatal("unknown host matched")
	}
}

func TestPathRoutes(t *testing.T) {
	tab := NewTable()
	tab.Register(msg("app.example.com", "10.0.0.1", 1), t0)
	tab.Register(msg("app.example.com/api/", "10.0.0.2", 2), t0)
	for path, want := range map[string]string{
		"/api":       "app.example.com/api",
		"/api/v1/x":  "app.example.com/api",
		"/apiary":    "app.example.com",
		"/":          "app.example.com",
		"":           "app.example.com",
		"/other/api": "app.example.com",
	} {
		if key, _, _ := tab.Lookup("app.example.com", path); key != want {
			t.Errorf("path %q matched %q, want %q", path, key, want)
		}
	}
}

func TestUnregisterAndPrune(t *testing.T) {
	tab := NewTable()
	tab.Register(RegistryMessage{Host: "10.0.0.1", Port: 1, URIs: []string{"a.example.com", "b.example.com"}}, t0)
	tab.Register(msg("a.example.com", "10.0.0.2", 2), t0.Add(90*time.Second))
	if n := tab.Unregister(msg("b.example.com", "10.0.0.1", 1)); n != 1 {
		t.Fatalf("removed %d", n)
	}
	if _, _, ok := tab.Lookup("b.example.com", "/"); ok {
		t.Fatal("unregistered route still routes")
	}
	if n := tab.Unregister(msg("b.example.com", "10.0.0.1", 1)); n != 0 {
		t.Fatalf("second unregister removed %d", n)
	}

	if pruned := tab.Prune(t0.Add(120*time.Second), 120*time.Second); len(pruned) != 0 {
		t.Fatalf("pruned at the threshold: %v", pruned)
	}
	pruned := tab.Prune(t0.Add(121*time.Second), 120*time.Second)
	if !reflect.DeepEqual(pruned, map[string][]string{"a.example.com": {"10.0.0.1:1"}}) {
		t.Fatalf("pruned %v", pruned)
	}
	_, addrs, _ := tab.Lookup("a.example.com", "/")
	if !reflect.DeepEqual(addrs, []string{"10.0.0.2:2"}) {
		t.Fatalf("left %v", addrs)
	}
	tab.Prune(t0.Add(time.Hour), 120*time.Second)
	if snap := tab.Snapshot(); len(snap) != 0 {
		t.Fatalf("table not empty: %v", snap)
	}
}

func TestIgnoresMessagesWithoutAddress(t *testing.T) {
	tab := NewTable()
	tab.Register(RegistryMessage{URIs: []string{"internal.apps.internal"}, Host: "10.255.0.1"}, t0)
	tab.Register(RegistryMessage{URIs: []string{""}, Host: "10.0.0.1", Port: 8080}, t0)
	if snap := tab.Snapshot(); len(snap) != 0 {
		t.Fatalf("table %v", snap)
	}
}
