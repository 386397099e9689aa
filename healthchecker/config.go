// Package healthchecker owns the monit-side watchdog that healthchecker-release
// ships beside a BOSH job: its YAML config (upstream's keys and defaults), the
// endpoint poller, and the failure counter file that restart-monit-job reads
// to decide whether to restart the job it guards.
package healthchecker

import (
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/godiego/diego/internal/config"
	"github.com/godiego/diego/internal/logging"
)

// Upstream's defaults, applied to every duration left unset or set to zero.
const (
	DefaultPollInterval       = 10 * time.Second
	DefaultTimeout            = 5 * time.Second
	DefaultStartResponseDelay = 30 * time.Second
	DefaultStartupDelayBuffer = 5 * time.Second
	DefaultLogLevel           = "info"
	DefaultScheme             = "http"
)

// socketHost is the Host header sent over a unix socket, as upstream sends it.
const socketHost = "unix"

// Endpoint is the `healthcheck_endpoint` block: either a unix socket, or a
// scheme, host and port; the path and the basic-auth credentials apply to both.
type Endpoint struct {
	Socket   string `yaml:"socket"`
	Scheme   string `yaml:"scheme"`
	Host     string `yaml:"host"`
	Port     int    `yaml:"port"`
	Path     string `yaml:"path"`
	User     string `yaml:"user"`
	Password string `yaml:"password"`
}

// Config is upstream's healthchecker.yml.
type Config struct {
	ComponentName              string   `yaml:"component_name"`
	FailureCounterFile         string   `yaml:"failure_counter_file"`
	HealthcheckEndpoint        Endpoint `yaml:"healthcheck_endpoint"`
	HealthcheckPollInterval    Duration `yaml:"healthcheck_poll_interval"`
	HealthcheckTimeout         Duration `yaml:"healthcheck_timeout"`
	StartResponseDelayInterval Duration `yaml:"start_response_delay_interval"`
	StartupDelayBuffer         Duration `yaml:"startup_delay_buffer"`
	LogLevel                   string   `yaml:"log_level"`
}

// LoadConfig reads, decodes, validates and defaults the YAML file at path.
// Every problem (unknown key, wrong type, invalid value) is reported at once,
// each naming its key.
func LoadConfig(path string) (Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("reading config: %w", err)
	}
	return ParseConfig(raw)
}

// ParseConfig is LoadConfig for bytes already in memory.
func ParseConfig(raw []byte) (Config, error) {
	var cfg Config
	var problems config.Problems
	if err := decodeStrict(raw, &cfg, &problems); err != nil {
		return Config{}, err
	}
	cfg.validate(&problems)
	if err := problems.Err(); err != nil {
		return Config{}, err
	}
	cfg.applyDefaults()
	return cfg, nil
}

// StartupDelay is how long the watchdog waits before its first poll cycle:
// the job's own start-up allowance plus the buffer.
func (c Config) StartupDelay() time.Duration {
	return c.StartResponseDelayInterval.D() + c.StartupDelayBuffer.D()
}

// Lager returns the logger settings: the configured level, RFC 3339 times
// as upstream logs them.
func (c Config) Lager() logging.LagerConfig {
	return logging.LagerConfig{LogLevel: c.LogLevel, TimeFormat: "rfc3339"}
}

// URL is the address polled: scheme://host:port/path, or http://unix/path
// for a socket endpoint (the socket itself is dialled by the transport).
func (e Endpoint) URL() *url.URL {
	u := &url.URL{Scheme: e.Scheme, Path: e.Path}
	if e.Socket != "" {
		u.Scheme, u.Host = DefaultScheme, socketHost
	} else {
		u.Host = fmt.Sprintf("%s:%d", hostForURL(e.Host), e.Port)
	}
	if u.Path != "" && !strings.HasPrefix(u.Path, "/") {
		u.Path = "/" + u.Path
	}
	return u
}

// hasCredentials reports whether basic auth is configured.
func (e Endpoint) hasCredentials() bool { return e.User != "" || e.Password != "" }

func hostForURL(host string) string {
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		return "[" + host + "]" // a bare IPv6 address
	}
	return host
}

func (c *Config) applyDefaults() {
	defaultDuration(&c.HealthcheckPollInterval, DefaultPollInterval)
	defaultDuration(&c.HealthcheckTimeout, DefaultTimeout)
	defaultDuration(&c.StartResponseDelayInterval, DefaultStartResponseDelay)
	defaultDuration(&c.StartupDelayBuffer, DefaultStartupDelayBuffer)
	if c.LogLevel == "" {
		c.LogLevel = DefaultLogLevel
	}
	if c.HealthcheckEndpoint.Scheme == "" {
		c.HealthcheckEndpoint.Scheme = DefaultScheme
	}
}

func defaultDuration(d *Duration, def time.Duration) {
	if *d == 0 {
		*d = Duration(def)
	}
}

// validate records every invalid value; zero durations are left for the
// defaults, as upstream treats them.
func (c Config) validate(p *config.Problems) {
	p.Require("component_name", c.ComponentName)
	p.Require("failure_counter_file", c.FailureCounterFile)
	c.HealthcheckEndpoint.validate(p)
	for _, d := range []struct {
		key   string
		value Duration
	}{
		{"healthcheck_poll_interval", c.HealthcheckPollInterval},
		{"healthcheck_timeout", c.HealthcheckTimeout},
		{"start_response_delay_interval", c.StartResponseDelayInterval},
		{"startup_delay_buffer", c.StartupDelayBuffer},
	} {
		if d.value < 0 {
			p.Addf("%s: must not be negative, got %s", d.key, d.value.D())
		}
	}
	if _, err := logging.ParseLevel(c.LogLevel); err != nil {
		p.Addf("log_level: %v", err)
	}
}

func (e Endpoint) validate(p *config.Problems) {
	const k = "healthcheck_endpoint."
	if e.Socket == "" {
		if strings.TrimSpace(e.Host) == "" {
			p.Addf("%shost: is required unless %ssocket is set", k, k)
		}
		if e.Port == 0 {
			p.Addf("%sport: is required unless %ssocket is set", k, k)
		}
	} else {
		if e.Host != "" {
			p.Addf("%shost: cannot be set together with %ssocket", k, k)
		}
		if e.Port != 0 {
			p.Addf("%sport: cannot be set together with %ssocket", k, k)
		}
		if e.Scheme == "https" {
			p.Addf("%sscheme: %q cannot be used with a socket (plain HTTP only)", k, e.Scheme)
		}
	}
	if e.Port < 0 || e.Port > 65535 {
		p.Addf("%sport: %d is not a port number (1-65535)", k, e.Port)
	}
	switch e.Scheme {
	case "", "http", "https":
	default:
		p.Addf("%sscheme: %q is not http or https", k, e.Scheme)
	}
	if strings.ContainsAny(e.Path, "?# \t\r\n") {
		p.Addf("%spath: %q must be a plain path (no query, fragment or whitespace)", k, e.Path)
	}
}
