package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godiego/diego/internal/config"
)

func TestDefaultsAreTheReleaseSpecs(t *testing.T) {
	c := DefaultConfig()
	if c.ListenAddress != "0.0.0.0:8889" || c.HealthAddress != "127.0.0.1:8890" || c.ConvergeRepeatInterval.D().Seconds() != 30 ||
		c.KickTaskDuration.D().Seconds() != 30 || c.ExpireCompletedTaskDuration.D().Seconds() != 120 ||
		c.ExpirePendingTaskDuration.D().Seconds() != 1800 || c.MaxTaskRetries != 3 || c.TaskCallbackWorkers != 1000 ||
		c.ConvergenceWorkers != 20 || c.DatabaseDriver != "sqlite" {
		t.Fatalf("defaults %+v", c)
	}
}

func TestValidConfigAndUnusedKeys(t *testing.T) {
	dir := t.TempDir()
	file := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	raw := `{"uuid":"u","ca_file":"` + file("ca") + `","cert_file":"` + file("c") + `","key_file":"` + file("k") + `",
		"database_connection_string":"/tmp/bbs.db","encryption_keys":{"a":"b"},"active_key_label":"a",
		"auctioneer_address":"https://auctioneer:9016","locket_address":"127.0.0.1:8891",
		"locket_ca_cert_file":"` + file("lca") + `","locket_client_cert_file":"` + file("lc") + `","locket_client_key_file":"` + file("lk") + `",
		"require_ssl":true,"lock_ttl":"15s","converge_repeat_interval":"5s","loggregator":{"loggregator_use_v2_api":true}}`
	c := DefaultConfig()
	if err := config.Decode([]byte(raw), &c); err != nil {
		t.Fatal(err)
	}
	if c.ConvergeRepeatInterval.D().Seconds() != 5 {
		t.Fatalf("interval %v", c.ConvergeRepeatInterval)
	}
	unused := strings.Join(config.UnusedKeys(&c), ",")
	for _, k := range []string{"require_ssl", "lock_ttl", "loggregator"} {
		if !strings.Contains(unused, k) {
			t.Errorf("%s not reported unused: %s", k, unused)
		}
	}
}
