package healthchecker

import (
	"strings"
	"testing"
	"time"
)

const minimalYAML = `
component_name: example-healthchecker
failure_counter_file: /tmp/example.count
healthcheck_endpoint:
  host: 127.0.0.1
  port: 8053
`

func TestParseConfigAppliesUpstreamDefaults(t *testing.T) {
	cfg, err := ParseConfig([]byte(minimalYAML))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"healthcheck_poll_interval", cfg.HealthcheckPollInterval.D(), 10 * time.Second},
		{"healthcheck_timeout", cfg.HealthcheckTimeout.D(), 5 * time.Second},
		{"start_response_delay_interval", cfg.StartResponseDelayInterval.D(), 30 * time.Second},
		{"startup_delay_buffer", cfg.StartupDelayBuffer.D(), 5 * time.Second},
		{"log_level", cfg.LogLevel, "info"},
		{"scheme", cfg.HealthcheckEndpoint.Scheme, "http"},
		{"startup delay", cfg.StartupDelay(), 35 * time.Second},
		{"url", cfg.HealthcheckEndpoint.URL().String(), "http://127.0.0.1:8053"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestParseConfigReadsEveryKey(t *testing.T) {
	cfg, err := ParseConfig([]byte(`
component_name: c
failure_counter_file: /f
healthcheck_endpoint:
  scheme: https
  host: "::1"
  port: 1800
  path: health
  user: u
  password: p
healthcheck_poll_interval: 2s
healthcheck_timeout: 1500000000
start_response_delay_interval: 1m
startup_delay_buffer: 0s
log_level: debug
`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.HealthcheckEndpoint.URL().String(), "https://[::1]:1800/health"; got != want {
		t.Errorf("url = %q, want %q", got, want)
	}
	if cfg.HealthcheckPollInterval.D() != 2*time.Second || cfg.HealthcheckTimeout.D() != 1500*time.Millisecond {
		t.Errorf("durations = %v, %v", cfg.HealthcheckPollInterval.D(), cfg.HealthcheckTimeout.D())
	}
	if cfg.StartupDelay() != time.Minute+DefaultStartupDelayBuffer {
		t.Errorf("startup delay = %v (a zero buffer takes the default, as upstream)", cfg.StartupDelay())
	}
	if cfg.LogLevel != "debug" || cfg.HealthcheckEndpoint.User != "u" || cfg.HealthcheckEndpoint.Password != "p" {
		t.Errorf("cfg = %+v", cfg)
	}
}

func TestParseConfigSocketEndpoint(t *testing.T) {
	cfg, err := ParseConfig([]byte(`
component_name: c
failure_counter_file: /f
healthcheck_endpoint: {socket: /var/vcap/sys/run/job/health.sock, path: /ping}
`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.HealthcheckEndpoint.URL().String(), "http://unix/ping"; got != want {
		t.Errorf("url = %q, want %q", got, want)
	}
}

func TestParseConfigReportsEveryProblemByKey(t *testing.T) {
	_, err := ParseConfig([]byte(`
bogus: 1
healthcheck_endpoint:
  socket: /s
  host: h
  port: 70000
  scheme: https
  nope: x
healthcheck_poll_interval: soon
healthcheck_timeout: -1s
log_level: loud
`))
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{
		"bogus (line 2): unknown key",
		"healthcheck_endpoint.nope (line 8): unknown key",
		"component_name: is required",
		"failure_counter_file: is required",
		"healthcheck_endpoint.host: cannot be set together with healthcheck_endpoint.socket",
		"healthcheck_endpoint.port: cannot be set together",
		"healthcheck_endpoint.port: 70000 is not a port number",
		"healthcheck_endpoint.scheme: \"https\" cannot be used with a socket",
		"healthcheck_poll_interval (line 9): invalid duration \"soon\"",
		"healthcheck_timeout: must not be negative",
		"log_level: unknown log level \"loud\"",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestParseConfigRejectsShapes(t *testing.T) {
	cases := map[string]struct{ yaml, want string }{
		"empty file":         {"", "component_name: is required"},
		"not a mapping":      {"- a\n- b\n", "expected a mapping"},
		"malformed":          {"a: [\n", "malformed YAML"},
		"endpoint scalar":    {"healthcheck_endpoint: x\n", "healthcheck_endpoint (line 1): expected a mapping"},
		"list for a string":  {"component_name: [a]\n", "component_name (line 1): expected a single value"},
		"repeated key":       {"component_name: a\ncomponent_name: b\n", "component_name (line 2): set more than once"},
		"port as string":     {"healthcheck_endpoint: {port: \"80\"}\n", "healthcheck_endpoint.port (line 1): cannot unmarshal"},
		"no host, no socket": {"component_name: a\n", "healthcheck_endpoint.host: is required unless healthcheck_endpoint.socket is set"},
		"bad scheme":         {"healthcheck_endpoint: {scheme: ftp}\n", `healthcheck_endpoint.scheme: "ftp" is not http or https`},
		"path with query":    {"healthcheck_endpoint:\n  path: /a?b\n", "healthcheck_endpoint.path"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseConfig([]byte(c.yaml))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want it to contain %q", err, c.want)
			}
		})
	}
}
