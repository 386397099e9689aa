// Package sshproxy is the ssh-proxy daemon (diego-ssh:cmd/ssh-proxy): its
// config file with upstream's keys, and the wiring of the authenticators,
// the BBS lookups, the proxy, the health server and the debug server into
// the daemon's process group. The in-container daemon lives in sshd/, the
// proxying in proxy/, the login decisions in authenticators/.
package sshproxy

import (
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/godiego/diego/internal/config"
	"github.com/godiego/diego/internal/debugserver"
	"github.com/godiego/diego/internal/logging"
	"github.com/godiego/diego/internal/loggregator"
)

// Config is the ssh-proxy's config file, with upstream's keys.
type Config struct {
	Address                  string `json:"address,omitempty"`
	HealthCheckAddress       string `json:"health_check_address,omitempty"`
	DisableHealthCheckServer bool   `json:"disable_health_check_server,omitempty"`
	HostKey                  string `json:"host_key"`

	BBSAddress                string `json:"bbs_address"`
	BBSCACert                 string `json:"bbs_ca_cert"`
	BBSClientCert             string `json:"bbs_client_cert"`
	BBSClientKey              string `json:"bbs_client_key"`
	BBSClientSessionCacheSize int    `json:"bbs_client_session_cache_size" unused:"true"`
	BBSMaxIdleConnsPerHost    int    `json:"bbs_max_idle_conns_per_host" unused:"true"`

	CCAPIURL       string `json:"cc_api_url"`
	CCAPICACert    string `json:"cc_api_ca_cert"`
	UAATokenURL    string `json:"uaa_token_url"`
	UAAPassword    string `json:"uaa_password"`
	UAAUsername    string `json:"uaa_username"`
	UAACACert      string `json:"uaa_ca_cert"`
	SkipCertVerify bool   `json:"skip_cert_verify"`

	EnableCFAuth     bool   `json:"enable_cf_auth"`
	EnableDiegoAuth  bool   `json:"enable_diego_auth"`
	DiegoCredentials string `json:"diego_credentials"`

	AllowedCiphers      string `json:"allowed_ciphers"`
	AllowedMACs         string `json:"allowed_macs"`
	AllowedKeyExchanges string `json:"allowed_key_exchanges"`

	LoggregatorConfig        loggregator.Config `json:"loggregator" unused:"true"`
	CommunicationTimeout     config.Duration    `json:"communication_timeout,omitempty"`
	IdleConnectionTimeout    config.Duration    `json:"idle_connection_timeout,omitempty"`
	ConnectToInstanceAddress bool               `json:"connect_to_instance_address"`

	BackendsTLSEnabled    bool   `json:"backends_tls_enabled,omitempty"`
	BackendsTLSCACerts    string `json:"backends_tls_ca_certificates,omitempty"`
	BackendsTLSClientCert string `json:"backends_tls_client_certificate,omitempty"`
	BackendsTLSClientKey  string `json:"backends_tls_client_private_key,omitempty"`

	logging.LagerConfig
	debugserver.DebugServerConfig
}

// Upstream's algorithm defaults, used when the allow-lists are empty.
var (
	DefaultCiphers      = []string{"aes128-gcm@openssh.com", "aes256-ctr", "aes192-ctr", "aes128-ctr"}
	DefaultMACs         = []string{"hmac-sha2-256-etm@openssh.com", "hmac-sha2-256"}
	DefaultKeyExchanges = []string{"curve25519-sha256@libssh.org"}
)

// DefaultConfig holds upstream's (diego-release) defaults.
func DefaultConfig() Config {
	return Config{
		Address:               "0.0.0.0:2222",
		HealthCheckAddress:    "0.0.0.0:2223",
		CommunicationTimeout:  config.Duration(10 * time.Second),
		IdleConnectionTimeout: config.Duration(300 * time.Second),
		LagerConfig:           logging.LagerConfig{LogLevel: "info"},
	}
}

// Validate reports every problem in the config.
func (c *Config) Validate() error {
	var p config.Problems
	requireHostPort(&p, "address", c.Address)
	if !c.DisableHealthCheckServer {
		requireHostPort(&p, "health_check_address", c.HealthCheckAddress)
	}
	if c.HostKey == "" {
		p.Addf("host_key: is required")
	} else if _, err := ssh.ParsePrivateKey([]byte(c.HostKey)); err != nil {
		p.Addf("host_key: %v", err)
	}

	if c.BBSAddress == "" {
		p.Addf("bbs_address: is required")
	} else if u, err := url.Parse(c.BBSAddress); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		p.Addf("bbs_address: %q is not an http(s) URL", c.BBSAddress)
	} else if u.Scheme == "https" {
		p.RequireFile("bbs_ca_cert", c.BBSCACert)
		p.RequireFile("bbs_client_cert", c.BBSClientCert)
		p.RequireFile("bbs_client_key", c.BBSClientKey)
	}

	if c.EnableCFAuth {
		requireURL(&p, "cc_api_url", c.CCAPIURL)
		requireURL(&p, "uaa_token_url", c.UAATokenURL)
		if c.UAAUsername == "" {
			p.Addf("uaa_username: is required for Cloud Foundry authentication")
		}
		if c.UAAPassword == "" {
			p.Addf("uaa_password: is required for Cloud Foundry authentication")
		}
		optionalFile(&p, "uaa_ca_cert", c.UAACACert)
		optionalFile(&p, "cc_api_ca_cert", c.CCAPICACert)
	}

	if c.EnableDiegoAuth && c.DiegoCredentials == "" {
		// Upstream would then let anyone in with an empty password.
		p.Addf("diego_credentials: is required when enable_diego_auth is set")
	}

	algorithms := ssh.SupportedAlgorithms()
	insecure := ssh.InsecureAlgorithms()
	checkAlgorithms(&p, "allowed_ciphers", c.AllowedCiphers, append(algorithms.Ciphers, insecure.Ciphers...))
	checkAlgorithms(&p, "allowed_macs", c.AllowedMACs, append(algorithms.MACs, insecure.MACs...))
	// x/crypto implements curve25519-sha256@libssh.org (upstream's default)
	// as an alias it does not list.
	kex := append(algorithms.KeyExchanges, insecure.KeyExchanges...)
	kex = append(kex, "curve25519-sha256@libssh.org")
	checkAlgorithms(&p, "allowed_key_exchanges", c.AllowedKeyExchanges, kex)

	if c.CommunicationTimeout.D() < 0 {
		p.Addf("communication_timeout: must not be negative")
	}
	if c.IdleConnectionTimeout.D() < 0 {
		p.Addf("idle_connection_timeout: must not be negative")
	}
	if c.BackendsTLSEnabled {
		if c.BackendsTLSCACerts == "" {
			p.Addf("backends_tls_ca_certificates: backend tls ca certificates must be specified if backend TLS is enabled")
		} else {
			p.RequireFile("backends_tls_ca_certificates", c.BackendsTLSCACerts)
		}
		optionalFile(&p, "backends_tls_client_certificate", c.BackendsTLSClientCert)
		optionalFile(&p, "backends_tls_client_private_key", c.BackendsTLSClientKey)
	}
	for _, msg := range c.LagerConfig.Validate() {
		p.Addf("%s", msg)
	}
	return p.Err()
}

func requireHostPort(p *config.Problems, key, value string) {
	if value == "" {
		p.Addf("%s: is required", key)
		return
	}
	if _, _, err := net.SplitHostPort(value); err != nil {
		p.Addf("%s: %q is not host:port: %v", key, value, err)
	}
}

func requireURL(p *config.Problems, key, value string) {
	if value == "" {
		p.Addf("%s: is required for Cloud Foundry authentication", key)
		return
	}
	if u, err := url.Parse(value); err != nil || u.Scheme == "" || u.Host == "" {
		p.Addf("%s: %q is not a URL", key, value)
	}
}

func optionalFile(p *config.Problems, key, path string) {
	if path != "" {
		p.RequireFile(key, path)
	}
}

func checkAlgorithms(p *config.Problems, key, list string, known []string) {
	for _, name := range splitList(list) {
		if !slices.Contains(known, name) {
			p.Addf("%s: unknown algorithm %q", key, name)
		}
	}
}

// splitList splits a comma-separated allow-list; empty means none given.
func splitList(list string) []string {
	if list == "" {
		return nil
	}
	return strings.Split(list, ",")
}

// Algorithms returns the cipher, MAC and key exchange lists the proxy
// offers: the configured allow-lists, or upstream's defaults.
func (c *Config) Algorithms() (ciphers, macs, kex []string) {
	pick := func(list string, def []string) []string {
		if names := splitList(list); names != nil {
			return names
		}
		return slices.Clone(def)
	}
	return pick(c.AllowedCiphers, DefaultCiphers), pick(c.AllowedMACs, DefaultMACs), pick(c.AllowedKeyExchanges, DefaultKeyExchanges)
}
