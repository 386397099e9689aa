package devrouter

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/godiego/diego/internal/config"
)

func TestConfigAddresses(t *testing.T) {
	for raw, want := range map[string]Addresses{
		`{"nats_addresses": "127.0.0.1:4222"}`:                {"127.0.0.1:4222"},
		`{"nats_addresses": "10.0.0.1:4222, 10.0.0.2:4222"}`:  {"10.0.0.1:4222", "10.0.0.2:4222"},
		`{"nats_addresses": ["nats://10.0.0.1:4222", "b:1"]}`: {"nats://10.0.0.1:4222", "b:1"},
	} {
		cfg := DefaultConfig()
		if err := config.Decode([]byte(raw), &cfg); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if !reflect.DeepEqual(cfg.NATSAddresses, want) {
			t.Fatalf("%s: got %v", raw, cfg.NATSAddresses)
		}
	}
	cfg := DefaultConfig()
	cfg.NATSAddresses = Addresses{"nats://a:1", "b:2"}
	if got := cfg.NATSURLs(); got != "nats://a:1,nats://b:2" {
		t.Fatalf("urls %q", got)
	}
}

func TestConfigProblems(t *testing.T) {
	cfg := DefaultConfig()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	if got := (&Router{cfg: cfg}).Start(); got != (StartMessage{20, 120}) {
		t.Fatalf("default start message %+v", got)
	}
	cfg.ListenAddress = "8081"
	cfg.NATSAddresses = nil
	cfg.PruneStaleAfter = config.Duration(time.Millisecond)
	cfg.PruneInterval = 0
	err := cfg.Validate()
	for _, want := range []string{"listen_address", "nats_addresses: is required", "prune_stale_after", "prune_interval"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q not reported: %v", want, err)
		}
	}
	if err := config.Decode([]byte(`{"routes": {}}`), &cfg); err == nil || !strings.Contains(err.Error(), `unknown key "routes"`) {
		t.Fatalf("unknown key: %v", err)
	}
}
