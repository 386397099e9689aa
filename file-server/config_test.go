package fileserver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godiego/diego/internal/config"
)

func TestConfigUpstreamKeysLoad(t *testing.T) {
	dir := t.TempDir()
	cert := filepath.Join(dir, "tls.crt")
	key := filepath.Join(dir, "tls.key")
	for _, p := range []string{cert, key} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	raw := `{
	  "server_address": "0.0.0.0:8080",
	  "static_directory": "` + dir + `",
	  "https_server_enabled": true,
	  "https_listen_addr": "0.0.0.0:8443",
	  "cert_file": "` + cert + `",
	  "key_file": "` + key + `",
	  "debug_address": "127.0.0.1:17005",
	  "log_level": "info",
	  "loggregator": {"loggregator_use_v2_api": true, "loggregator_api_port": 3458, "loggregator_ca_path": "/x",
	    "loggregator_cert_path": "/y", "loggregator_key_path": "/z", "loggregator_job_deployment": "cf",
	    "loggregator_job_name": "api", "loggregator_job_index": "0", "loggregator_job_ip": "10.0.0.1",
	    "loggregator_job_origin": "file_server", "loggregator_source_id": "file_server"}
	}`
	cfg := DefaultConfig()
	if err := config.Decode([]byte(raw), &cfg); err != nil {
		t.Fatal(err)
	}
	if !cfg.HTTPSServerEnabled || cfg.DebugAddress != "127.0.0.1:17005" || cfg.LogLevel != "info" {
		t.Fatalf("decoded %+v", cfg)
	}
	if got := config.UnusedKeys(&cfg); len(got) != 1 || got[0] != "loggregator" {
		t.Fatalf("unused keys %v", got)
	}
}

func TestConfigProblems(t *testing.T) {
	cfg := DefaultConfig()
	cfg.ServerAddress = "nonsense"
	cfg.HTTPSServerEnabled = true
	cfg.LogLevel = "loud"
	err := cfg.Validate()
	if err == nil {
		t.Fatal("expected problems")
	}
	for _, want := range []string{"server_address", "static_directory: is required", "cert_file: is required", "key_file: is required", "log_level"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q missing from %v", want, err)
		}
	}
	cfg = DefaultConfig()
	cfg.StaticDirectory = filepath.Join(t.TempDir(), "missing")
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "static_directory") {
		t.Fatalf("missing directory not reported: %v", err)
	}
	if err := config.Decode([]byte(`{"static_directory":"/tmp","bogus":1}`), &cfg); err == nil || !strings.Contains(err.Error(), `unknown key "bogus"`) {
		t.Fatalf("unknown key: %v", err)
	}
}
