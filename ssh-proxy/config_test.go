package sshproxy

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/godiego/diego/internal/config"
)

func hostKeyPEM(t *testing.T) string {
	t.Helper()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(block))
}

// upstreamConfig has every key upstream's SSHProxyConfig reads, shaped as
// diego-release's ssh_proxy template renders them.
func upstreamConfig(t *testing.T) []byte {
	cfg := map[string]any{
		"address":                         "0.0.0.0:2222",
		"health_check_address":            "0.0.0.0:2223",
		"disable_health_check_server":     false,
		"host_key":                        hostKeyPEM(t),
		"bbs_address":                     "https://bbs.service.cf.internal:8889",
		"bbs_ca_cert":                     "/dev/null",
		"bbs_client_cert":                 "/dev/null",
		"bbs_client_key":                  "/dev/null",
		"bbs_client_session_cache_size":   0,
		"bbs_max_idle_conns_per_host":     0,
		"cc_api_url":                      "http://cloud-controller-ng.service.cf.internal:9022",
		"cc_api_ca_cert":                  "",
		"uaa_token_url":                   "https://uaa.service.cf.internal:8443/oauth/token",
		"uaa_password":                    "secret",
		"uaa_username":                    "ssh-proxy",
		"uaa_ca_cert":                     "/dev/null",
		"skip_cert_verify":                false,
		"communication_timeout":           "5s",
		"enable_cf_auth":                  true,
		"enable_diego_auth":               true,
		"diego_credentials":               "diego-password",
		"allowed_ciphers":                 "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr",
		"allowed_macs":                    "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com",
		"allowed_key_exchanges":           "curve25519-sha256,curve25519-sha256@libssh.org",
		"log_level":                       "info",
		"time_format":                     "rfc3339",
		"debug_address":                   "127.0.0.1:17016",
		"connect_to_instance_address":     false,
		"idle_connection_timeout":         "5m",
		"backends_tls_enabled":            false,
		"backends_tls_ca_certificates":    "",
		"backends_tls_client_certificate": "",
		"backends_tls_client_private_key": "",
		"loggregator": map[string]any{
			"loggregator_use_v2_api": true, "loggregator_api_port": 3458,
			"loggregator_ca_path": "/dev/null", "loggregator_cert_path": "/dev/null", "loggregator_key_path": "/dev/null",
			"loggregator_job_deployment": "cf", "loggregator_job_name": "ssh_proxy",
		},
	}
	raw, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestUpstreamConfigLoads(t *testing.T) {
	cfg := DefaultConfig()
	if err := config.Decode(upstreamConfig(t), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.CommunicationTimeout.D() != 5*time.Second || cfg.IdleConnectionTimeout.D() != 5*time.Minute ||
		!cfg.EnableCFAuth || cfg.DiegoCredentials != "diego-password" || cfg.DebugAddress != "127.0.0.1:17016" {
		t.Fatalf("unexpected %+v", cfg)
	}
	ciphers, macs, kex := cfg.Algorithms()
	if len(ciphers) != 4 || len(macs) != 2 || !reflect.DeepEqual(kex, []string{"curve25519-sha256", "curve25519-sha256@libssh.org"}) {
		t.Fatalf("algorithms %v %v %v", ciphers, macs, kex)
	}
	if got := config.UnusedKeys(&cfg); !reflect.DeepEqual(got, []string{"loggregator"}) {
		t.Fatalf("unused keys %v", got)
	}
}

func TestDefaults(t *testing.T) {
	cfg := DefaultConfig()
	if cfg.Address != "0.0.0.0:2222" || cfg.HealthCheckAddress != "0.0.0.0:2223" || cfg.IdleConnectionTimeout.D() != 300*time.Second {
		t.Fatalf("defaults %+v", cfg)
	}
	ciphers, macs, kex := cfg.Algorithms()
	if !reflect.DeepEqual(ciphers, DefaultCiphers) || !reflect.DeepEqual(macs, DefaultMACs) || !reflect.DeepEqual(kex, DefaultKeyExchanges) {
		t.Fatal("empty allow-lists must give upstream's defaults")
	}
}

func TestUnknownKeyIsRejected(t *testing.T) {
	cfg := DefaultConfig()
	err := config.Decode([]byte(`{"adress":"x"}`), &cfg)
	if err == nil || !strings.Contains(err.Error(), `unknown key "adress"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestValidateListsEveryProblem(t *testing.T) {
	cfg := DefaultConfig()
	raw := `{
		"address": "nope", "host_key": "not a key", "bbs_address": "https://bbs:8889",
		"enable_cf_auth": true, "uaa_token_url": "::", "allowed_ciphers": "aes128-ctr,rot13", "enable_diego_auth": true,
		"idle_connection_timeout": "-1s", "backends_tls_enabled": true, "log_level": "loud"
	}`
	err := config.Decode([]byte(raw), &cfg)
	var invalid *config.InvalidError
	if !errors.As(err, &invalid) {
		t.Fatalf("err = %v", err)
	}
	want := []string{
		"address:", "host_key:", "bbs_ca_cert: is required", "bbs_client_cert: is required", "bbs_client_key: is required",
		"cc_api_url: is required for Cloud Foundry authentication", "uaa_token_url:", "uaa_username:", "uaa_password:",
		"diego_credentials: is required when enable_diego_auth is set",
		`allowed_ciphers: unknown algorithm "rot13"`, "idle_connection_timeout: must not be negative",
		"backends_tls_ca_certificates: backend tls ca certificates must be specified", "log_level:",
	}
	text := err.Error()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("missing problem %q in:\n%s", w, text)
		}
	}
	if len(invalid.Problems) != len(want) {
		t.Errorf("%d problems, want %d:\n%s", len(invalid.Problems), len(want), text)
	}
}

func TestMinimalConfigIsValid(t *testing.T) {
	cfg := DefaultConfig()
	raw, _ := json.Marshal(map[string]any{"host_key": hostKeyPEM(t), "bbs_address": "http://127.0.0.1:8889",
		"enable_diego_auth": true, "diego_credentials": "secret"})
	if err := config.Decode(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	if tlsCfg, err := BackendsTLSConfig(cfg); err != nil || tlsCfg != nil {
		t.Fatalf("backends TLS off: %v %v", tlsCfg, err)
	}
}
