package routeemitter

import (
	"strings"
	"testing"
	"time"

	"github.com/godiego/diego/internal/config"
)

// upstreamConfig has the shape diego-release's route_emitter template renders.
const upstreamConfig = `{
  "bbs_address": "https://bbs.service.cf.internal:8889",
  "bbs_ca_cert_file": "/dev/null",
  "bbs_client_cert_file": "/dev/null",
  "bbs_client_key_file": "/dev/null",
  "bbs_client_session_cache_size": 0,
  "bbs_max_idle_conns_per_host": 0,
  "communication_timeout": "30s",
  "debug_address": "127.0.0.1:17009",
  "healthcheck_address": "127.0.0.1:17011",
  "jitter_factor": 0.2,
  "lock_retry_interval": "5s",
  "lock_ttl": "15s",
  "locket_address": "locket.service.cf.internal:8891",
  "locket_ca_cert_file": "/dev/null",
  "locket_client_cert_file": "/dev/null",
  "locket_client_key_file": "/dev/null",
  "log_level": "info",
  "loggregator": {"loggregator_use_v2_api": true, "loggregator_api_port": 3458, "loggregator_ca_path": "", "loggregator_cert_path": "", "loggregator_key_path": ""},
  "nats_addresses": "10.0.0.5:4222,10.0.0.6:4222",
  "nats_username": "nats",
  "nats_password": "secret",
  "nats_tls_enabled": false,
  "nats_ca_cert_file": "",
  "nats_client_cert_file": "",
  "nats_client_key_file": "",
  "oauth": {"uaa_url": "https://uaa.service.cf.internal:8443", "client_name": "tcp_emitter", "client_secret": "s", "ca_certs": "", "skip_cert_verify": false},
  "routing_api": {"url": "https://routing-api.service.cf.internal", "port": 3001, "auth_enabled": true},
  "enable_tcp_emitter": false,
  "enable_internal_emitter": false,
  "register_direct_instance_routes": false,
  "report_interval": "1m",
  "sync_interval": "1m",
  "tcp_route_ttl": "2m",
  "time_format": "rfc3339",
  "unregistration_interval": "30s",
  "unregistration_send_count": 20,
  "uuid": "8e3b2a10-0000-4000-8000-000000000001",
  "locket_session_name": "route-emitter"
}`

func TestUpstreamConfigLoads(t *testing.T) {
	cfg := DefaultConfig()
	if err := config.Decode([]byte(upstreamConfig), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.SyncInterval.D() != time.Minute || cfg.UnregistrationSendCount != 20 || cfg.LocalMode() {
		t.Fatalf("unexpected %+v", cfg)
	}
	urls := cfg.NATSURLs()
	if len(urls) != 2 || urls[0] != "nats://10.0.0.5:4222" {
		t.Fatalf("nats urls %v", urls)
	}
	unused := strings.Join(config.UnusedKeys(&cfg), ",")
	if !strings.Contains(unused, "loggregator") || !strings.Contains(unused, "report_interval") {
		t.Fatalf("unused keys %q", unused)
	}
}

func TestInvalidConfigNamesEveryKey(t *testing.T) {
	cfg := DefaultConfig()
	err := config.Decode([]byte(`{"jitter_factor": 3, "sync_interval": "0s"}`), &cfg)
	if err == nil {
		t.Fatal("want an error")
	}
	for _, key := range []string{"bbs_address", "locket_address", "uuid", "sync_interval", "jitter_factor"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("error does not name %s: %v", key, err)
		}
	}
	// Local mode needs no lock.
	cfg = DefaultConfig()
	if err := config.Decode([]byte(`{"bbs_address":"http://127.0.0.1:8889","cell_id":"cell-1"}`), &cfg); err != nil {
		t.Fatalf("local mode: %v", err)
	}
}

func TestTCPEmitterNeedsTheRoutingAPIAndUAAWhenAuthIsOn(t *testing.T) {
	cfg := DefaultConfig()
	err := config.Decode([]byte(`{"bbs_address":"http://127.0.0.1:8889","cell_id":"c","enable_tcp_emitter":true,"routing_api":{"auth_enabled":true}}`), &cfg)
	for _, key := range []string{"routing_api.url", "oauth.uaa_url", "oauth.client_name"} {
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("error does not name %s: %v", key, err)
		}
	}
	cfg = DefaultConfig()
	if err := config.Decode([]byte(`{"bbs_address":"http://127.0.0.1:8889","cell_id":"c","enable_tcp_emitter":true,
		"routing_api":{"url":"http://routing-api.service.cf.internal","port":3000}}`), &cfg); err != nil {
		t.Fatal(err)
	}
	if got := cfg.RoutingAPIURL(); got != "http://routing-api.service.cf.internal:3000" {
		t.Fatalf("routing API URL %q", got)
	}
}
