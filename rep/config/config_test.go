package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godiego/diego/internal/config"
)

func files(t *testing.T) (string, string) {
	dir := t.TempDir()
	f := filepath.Join(dir, "x.pem")
	os.WriteFile(f, []byte("x"), 0o600)
	return dir, f
}

func TestUpstreamConfigLoads(t *testing.T) {
	_, f := files(t)
	raw := `{
	  "cell_id": "cell_z1-0", "zone": "z1", "bbs_address": "https://bbs.service.cf.internal:8889",
	  "bbs_ca_cert_file": "` + f + `", "bbs_client_cert_file": "` + f + `", "bbs_client_key_file": "` + f + `",
	  "ca_cert_file": "` + f + `", "server_cert_file": "` + f + `", "server_key_file": "` + f + `",
	  "listen_addr_securable": "0.0.0.0:1801", "listen_addr": "127.0.0.1:1800", "require_tls": true,
	  "preloaded_root_fs": ["cflinuxfs4:/var/vcap/packages/cflinuxfs4/rootfs.tar"],
	  "supported_providers": ["docker"], "placement_tags": ["a"], "optional_placement_tags": [],
	  "polling_interval": "30s", "evacuation_timeout": "600s", "memory_mb": "auto", "disk_mb": "2048",
	  "locket_address": "locket:8891", "locket_ca_cert_file": "` + f + `", "locket_client_cert_file": "` + f + `", "locket_client_key_file": "` + f + `",
	  "enable_declarative_healthcheck": true, "declarative_healthcheck_path": "/var/vcap/packages/healthcheck",
	  "loggregator": {"loggregator_use_v2_api": true, "loggregator_api_port": 3458, "loggregator_ca_path": "` + f + `",
	    "loggregator_cert_path": "` + f + `", "loggregator_key_path": "` + f + `", "loggregator_job_origin": "rep"},
	  "container_metrics_report_interval": "15s", "log_level": "debug", "debug_address": "127.0.0.1:17008"
	}`
	cfg := Defaults()
	if err := config.Decode([]byte(raw), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.PreloadedRootFS.StackPathMap()["cflinuxfs4"] != "/var/vcap/packages/cflinuxfs4/rootfs.tar" {
		t.Fatalf("rootfs %+v", cfg.PreloadedRootFS)
	}
	if cfg.PollingInterval.D() != 30*time.Second || cfg.UnhealthyMonitoringInterval.D() != 500*time.Millisecond || cfg.ContainerOwnerName != "executor" {
		t.Fatal("defaults/values wrong")
	}
	unused := strings.Join(config.UnusedKeys(&cfg), ",")
	if !strings.Contains(unused, "require_tls") || strings.Contains(unused, "loggregator") || strings.Contains(unused, "container_metrics") {
		t.Fatalf("unused = %s", unused)
	}
	if l, on := cfg.LoggregatorSettings(); !on || l.APIPort != 3458 || l.JobOrigin != "rep" {
		t.Fatalf("loggregator = %+v, %v", l, on)
	}
}

func TestLoggregatorNeedsPortAndCertificates(t *testing.T) {
	cfg := Defaults()
	err := config.Decode([]byte(`{"loggregator": {"loggregator_use_v2_api": true}}`), &cfg)
	if err == nil {
		t.Fatal("v2 API without port or certificates accepted")
	}
	for _, want := range []string{"loggregator_api_port", "loggregator_ca_path", "loggregator_cert_path", "loggregator_key_path"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("no problem for %s in %v", want, err)
		}
	}
	cfg = Defaults()
	if _, on := cfg.LoggregatorSettings(); on {
		t.Fatal("loggregator on by default")
	}
	cfg.LoggregatorUseV2API, cfg.LoggregatorAPIPort, cfg.LoggregatorCAPath = true, 3459, "/ca"
	if l, on := cfg.LoggregatorSettings(); !on || l.APIPort != 3459 || l.CACertPath != "/ca" {
		t.Fatalf("legacy keys: %+v, %v", l, on)
	}
}

func TestStrictAndValidated(t *testing.T) {
	cfg := Defaults()
	if err := config.Decode([]byte(`{"cell_id":"c","bogus":1}`), &cfg); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Fatalf("err = %v", err)
	}
	cfg = Defaults()
	err := config.Decode([]byte(`{"memory_mb":"lots","preloaded_root_fs":[]}`), &cfg)
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	for _, want := range []string{"cell_id", "bbs_address", "ca_cert_file", "memory_mb", "locket_address"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("no problem for %s in %v", want, err)
		}
	}
	cfg = Defaults()
	if err := config.Decode([]byte(`{"preloaded_root_fs":["nocolon"]}`), &cfg); err == nil || !strings.Contains(err.Error(), "stack-name:path") {
		t.Fatalf("err = %v", err)
	}
}

func TestInstanceIdentityKeys(t *testing.T) {
	cfg := Defaults()
	if cfg.InstanceIdentityEnabled() || cfg.InstanceIdentityValidityPeriod.D() != 24*time.Hour {
		t.Fatalf("defaults: enabled %v, validity %s", cfg.InstanceIdentityEnabled(), cfg.InstanceIdentityValidityPeriod.D())
	}
	dir, f := files(t)
	raw := `{"instance_identity_cred_dir": "` + dir + `", "instance_identity_ca_path": "` + f + `",
	  "instance_identity_private_key_path": "` + f + `", "instance_identity_validity_period": "1h"}`
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		t.Fatal(err)
	}
	var p config.Problems
	cfg.ExecutorConfig.validate(&p)
	if p.Err() != nil || !cfg.InstanceIdentityEnabled() || cfg.InstanceIdentityValidityPeriod.D() != time.Hour {
		t.Fatalf("problems %v, enabled %v, validity %s", p.Err(), cfg.InstanceIdentityEnabled(), cfg.InstanceIdentityValidityPeriod.D())
	}
	if unused := strings.Join(config.UnusedKeys(&cfg), ","); strings.Contains(unused, "instance_identity") {
		t.Fatalf("identity keys reported unused: %s", unused)
	}

	cfg = Defaults()
	cfg.InstanceIdentityCredDir = dir
	cfg.InstanceIdentityValidityPeriod = 0
	p = config.Problems{}
	cfg.ExecutorConfig.validate(&p)
	err := p.Err()
	for _, want := range []string{"instance_identity_ca_path", "instance_identity_private_key_path", "instance_identity_validity_period"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("no problem for %s in %v", want, err)
		}
	}
}
