package routeemitter

import (
	"strings"
	"time"

	"github.com/godiego/diego/internal/config"
	"github.com/godiego/diego/internal/debugserver"
	"github.com/godiego/diego/internal/logging"
	"github.com/godiego/diego/internal/loggregator"
	locketclient "github.com/godiego/diego/locket/client"
)

// RoutingAPIConfig is upstream's routing_api block (TCP routes).
type RoutingAPIConfig struct {
	URL            string `json:"url"`
	Port           uint16 `json:"port"`
	CACertFile     string `json:"ca_cert_file"`
	ClientCertFile string `json:"client_cert_file"`
	ClientKeyFile  string `json:"client_key_file"`
	AuthEnabled    bool   `json:"auth_enabled"`
}

// OAuthConfig is upstream's oauth block (the UAA client for the routing API).
type OAuthConfig struct {
	UAAURL            string          `json:"uaa_url"`
	UAARequestTimeout config.Duration `json:"uaa_request_timeout"`
	ClientName        string          `json:"client_name"`
	ClientSecret      string          `json:"client_secret"`
	CACerts           string          `json:"ca_certs"`
	SkipCertVerify    bool            `json:"skip_cert_verify"`
}

// Config is the route-emitter's config file, with upstream's keys.
type Config struct {
	BBSAddress                   string             `json:"bbs_address"`
	BBSCACertFile                string             `json:"bbs_ca_cert_file"`
	BBSClientCertFile            string             `json:"bbs_client_cert_file"`
	BBSClientKeyFile             string             `json:"bbs_client_key_file"`
	BBSClientSessionCacheSize    int                `json:"bbs_client_session_cache_size,omitempty" unused:"true"`
	BBSMaxIdleConnsPerHost       int                `json:"bbs_max_idle_conns_per_host,omitempty"`
	CellID                       string             `json:"cell_id,omitempty"`
	UUID                         string             `json:"uuid,omitempty"`
	RegisterDirectInstanceRoutes bool               `json:"register_direct_instance_routes,omitempty"`
	CommunicationTimeout         config.Duration    `json:"communication_timeout,omitempty"`
	HealthCheckAddress           string             `json:"healthcheck_address,omitempty"`
	JitterFactor                 float64            `json:"jitter_factor,omitempty"`
	LockRetryInterval            config.Duration    `json:"lock_retry_interval,omitempty"`
	LockTTL                      config.Duration    `json:"lock_ttl,omitempty"`
	NATSAddresses                string             `json:"nats_addresses,omitempty"`
	NATSUsername                 string             `json:"nats_username,omitempty"`
	NATSPassword                 string             `json:"nats_password,omitempty"`
	NATSTLSEnabled               bool               `json:"nats_tls_enabled"`
	NATSCACertFile               string             `json:"nats_ca_cert_file"`
	NATSClientCertFile           string             `json:"nats_client_cert_file"`
	NATSClientKeyFile            string             `json:"nats_client_key_file"`
	RouteEmittingWorkers         int                `json:"route_emitting_workers,omitempty" unused:"true"`
	SyncInterval                 config.Duration    `json:"sync_interval,omitempty"`
	TCPRouteTTL                  config.Duration    `json:"tcp_route_ttl,omitempty"`
	TCPEnableTLS                 bool               `json:"tcp_enable_tls" unused:"true"`
	OAuth                        OAuthConfig        `json:"oauth"`
	RoutingAPI                   RoutingAPIConfig   `json:"routing_api"`
	EnableTCPEmitter             bool               `json:"enable_tcp_emitter"`
	Loggregator                  loggregator.Config `json:"loggregator" unused:"true"`
	ReportInterval               config.Duration    `json:"report_interval,omitempty" unused:"true"`
	UnregistrationInterval       config.Duration    `json:"unregistration_interval,omitempty"`
	UnregistrationSendCount      int                `json:"unregistration_send_count,omitempty"`
	EnableInternalEmitter        bool               `json:"enable_internal_emitter"`
	LocketSessionName            string             `json:"locket_session_name" unused:"true"`

	locketclient.Config
	logging.LagerConfig
	debugserver.DebugServerConfig
}

// DefaultConfig holds upstream's (diego-release) defaults.
func DefaultConfig() Config {
	return Config{
		CommunicationTimeout:    config.Duration(30 * time.Second),
		HealthCheckAddress:      "127.0.0.1:17011",
		JitterFactor:            0.2,
		LockRetryInterval:       config.Duration(time.Second),
		LockTTL:                 config.Duration(15 * time.Second),
		NATSAddresses:           "127.0.0.1:4222",
		RouteEmittingWorkers:    20,
		SyncInterval:            config.Duration(time.Minute),
		TCPRouteTTL:             config.Duration(2 * time.Minute),
		UnregistrationInterval:  config.Duration(30 * time.Second),
		UnregistrationSendCount: 20,
		LagerConfig:             logging.LagerConfig{LogLevel: "info"},
	}
}

// LocalMode reports whether this route-emitter serves one cell (no lock).
func (c *Config) LocalMode() bool { return c.CellID != "" }

// Validate reports every problem in the config.
func (c *Config) Validate() error {
	var p config.Problems
	p.Require("bbs_address", c.BBSAddress)
	if strings.HasPrefix(c.BBSAddress, "https://") {
		p.RequireFile("bbs_ca_cert_file", c.BBSCACertFile)
		p.RequireFile("bbs_client_cert_file", c.BBSClientCertFile)
		p.RequireFile("bbs_client_key_file", c.BBSClientKeyFile)
	}
	p.Require("nats_addresses", c.NATSAddresses)
	if !c.LocalMode() {
		c.Config.Validate(&p)
		p.Require("uuid", c.UUID)
	}
	if c.SyncInterval.D() <= 0 {
		p.Addf("sync_interval: must be positive")
	}
	if c.UnregistrationInterval.D() <= 0 {
		p.Addf("unregistration_interval: must be positive")
	}
	if c.UnregistrationSendCount < 0 {
		p.Addf("unregistration_send_count: must not be negative")
	}
	if c.JitterFactor < 0 || c.JitterFactor > 1 {
		p.Addf("jitter_factor: must be between 0 and 1, got %g", c.JitterFactor)
	}
	if c.TCPRouteTTL.D() > 65535*time.Second {
		p.Addf("tcp_route_ttl: must be at most 65535s")
	}
	if c.NATSTLSEnabled {
		p.RequireFile("nats_ca_cert_file", c.NATSCACertFile)
		p.RequireFile("nats_client_cert_file", c.NATSClientCertFile)
		p.RequireFile("nats_client_key_file", c.NATSClientKeyFile)
	}
	if c.EnableTCPEmitter {
		p.Require("routing_api.url", c.RoutingAPI.URL)
		if c.RoutingAPI.AuthEnabled {
			p.Require("oauth.uaa_url", c.OAuth.UAAURL)
			p.Require("oauth.client_name", c.OAuth.ClientName)
		}
	}
	for _, msg := range c.LagerConfig.Validate() {
		p.Addf("%s", msg)
	}
	return p.Err()
}

// NATSURLs turns nats_addresses ("host:port,host:port" or nats:// URLs)
// into connection URLs with the configured credentials.
func (c *Config) NATSURLs() []string {
	var urls []string
	for _, addr := range strings.Split(c.NATSAddresses, ",") {
		addr = strings.TrimSpace(addr)
		if addr == "" {
			continue
		}
		if !strings.Contains(addr, "://") {
			scheme := "nats://"
			if c.NATSTLSEnabled {
				scheme = "tls://"
			}
			addr = scheme + addr
		}
		urls = append(urls, addr)
	}
	return urls
}
