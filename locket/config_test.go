package locket_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godiego/diego/internal/config"
	"github.com/godiego/diego/locket"
)

func TestUpstreamConfigLoads(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"ca.crt", "server.crt", "server.key"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// As diego-release's locket.json.erb renders it.
	raw := `{
	  "report_interval": "1m",
	  "ca_file": "` + dir + `/ca.crt",
	  "cert_file": "` + dir + `/server.crt",
	  "key_file": "` + dir + `/server.key",
	  "debug_address": "127.0.0.1:17018",
	  "listen_address": "0.0.0.0:8891",
	  "log_level": "info",
	  "max_open_database_connections": 200,
	  "max_database_connection_lifetime": "1h",
	  "database_connection_string": "locket:secret@tcp(10.0.0.5:3306)/locket",
	  "database_driver": "mysql",
	  "sql_ca_cert_file": "` + dir + `/ca.crt",
	  "sql_enable_identity_verification": true,
	  "db_connection_timeout": "5s",
	  "time_format": "rfc3339",
	  "loggregator": {"loggregator_api_port": 3458, "loggregator_job_origin": "locket", "loggregator_source_id": "locket"}
	}`
	cfg := locket.DefaultConfig()
	if err := config.Decode([]byte(raw), &cfg); err != nil {
		t.Fatalf("upstream config rejected: %v", err)
	}
	if cfg.ListenAddress != "0.0.0.0:8891" || cfg.DatabaseDriver != "mysql" || cfg.ReportInterval.D().Minutes() != 1 {
		t.Fatalf("decoded %+v", cfg)
	}
	d := cfg.DBConfig()
	if d.MaxOpenConns != 200 || d.ConnMaxLifetime.Hours() != 1 || !d.VerifyIdentity || d.CACertFile == "" {
		t.Fatalf("db config %+v", d)
	}
	if got := strings.Join(config.UnusedKeys(&cfg), ","); got != "db_connection_timeout,loggregator" {
		t.Fatalf("unused keys = %s", got)
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	cfg := locket.DefaultConfig()
	err := config.Decode([]byte(`{"database_driver": "oracle", "listen_address": "", "report_interval": "0s", "log_level": "loud"}`), &cfg)
	var invalid *config.InvalidError
	if !errors.As(err, &invalid) {
		t.Fatalf("got %v, want an InvalidError", err)
	}
	for _, key := range []string{"ca_file", "cert_file", "key_file", "listen_address", "database_driver", "report_interval", "log_level"} {
		if !strings.Contains(err.Error(), key+":") {
			t.Errorf("no problem reported for %s in:\n%v", key, err)
		}
	}
}

func TestDefaults(t *testing.T) {
	cfg := locket.DefaultConfig()
	if cfg.ListenAddress != "0.0.0.0:8891" || cfg.DatabaseDriver != "sqlite" {
		t.Fatalf("defaults = %+v", cfg)
	}
}
