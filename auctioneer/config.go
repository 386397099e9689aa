package auctioneer

import (
	"strings"
	"time"

	"github.com/godiego/diego/auctioneer/placement"
	"github.com/godiego/diego/internal/config"
	"github.com/godiego/diego/internal/debugserver"
	"github.com/godiego/diego/internal/logging"
	"github.com/godiego/diego/internal/loggregator"
	locketclient "github.com/godiego/diego/locket/client"
)

// Config is the auctioneer's config file, with upstream's keys.
type Config struct {
	AuctionRunnerWorkers          int                `json:"auction_runner_workers,omitempty"`
	BBSAddress                    string             `json:"bbs_address,omitempty"`
	BBSCACertFile                 string             `json:"bbs_ca_cert_file,omitempty"`
	BBSClientCertFile             string             `json:"bbs_client_cert_file,omitempty"`
	BBSClientKeyFile              string             `json:"bbs_client_key_file,omitempty"`
	BBSClientSessionCacheSize     int                `json:"bbs_client_session_cache_size,omitempty" unused:"true"`
	BBSMaxIdleConnsPerHost        int                `json:"bbs_max_idle_conns_per_host,omitempty" unused:"true"`
	CACertFile                    string             `json:"ca_cert_file,omitempty"`
	BinPackFirstFitWeight         float64            `json:"bin_pack_first_fit_weight,omitempty"`
	CellStateTimeout              config.Duration    `json:"cell_state_timeout,omitempty"`
	CommunicationTimeout          config.Duration    `json:"communication_timeout,omitempty"`
	ListenAddress                 string             `json:"listen_address,omitempty"`
	LockRetryInterval             config.Duration    `json:"lock_retry_interval,omitempty"`
	LockTTL                       config.Duration    `json:"lock_ttl,omitempty"`
	Loggregator                   loggregator.Config `json:"loggregator" unused:"true"`
	RepCACert                     string             `json:"rep_ca_cert,omitempty"`
	RepClientCert                 string             `json:"rep_client_cert,omitempty"`
	RepClientKey                  string             `json:"rep_client_key,omitempty"`
	RepClientSessionCacheSize     int                `json:"rep_client_session_cache_size,omitempty"`
	RepRequireTLS                 bool               `json:"rep_require_tls,omitempty"`
	ReportInterval                config.Duration    `json:"report_interval,omitempty" unused:"true"`
	ServerCertFile                string             `json:"server_cert_file,omitempty"`
	ServerKeyFile                 string             `json:"server_key_file,omitempty"`
	StartingContainerCountMaximum int                `json:"starting_container_count_maximum,omitempty"`
	StartingContainerWeight       float64            `json:"starting_container_weight,omitempty"`
	UUID                          string             `json:"uuid,omitempty"`

	locketclient.Config
	debugserver.DebugServerConfig
	logging.LagerConfig
}

// DefaultConfig holds diego-release's defaults.
func DefaultConfig() Config {
	return Config{
		AuctionRunnerWorkers:      1000,
		CellStateTimeout:          config.Duration(10 * time.Second),
		CommunicationTimeout:      config.Duration(10 * time.Second),
		ListenAddress:             "0.0.0.0:9016",
		LockRetryInterval:         config.Duration(time.Second),
		LockTTL:                   config.Duration(15 * time.Second),
		RepClientSessionCacheSize: 4096,
		StartingContainerWeight:   0.25,
		LagerConfig:               logging.LagerConfig{LogLevel: "info"},
	}
}

// ServesTLS reports whether the API listener uses mutual TLS: upstream
// turns it on when any of the server certificate, key or CA is configured.
func (c *Config) ServesTLS() bool {
	return c.ServerCertFile != "" || c.ServerKeyFile != "" || c.CACertFile != ""
}

// PlacementOptions turns the weights into placement options.
func (c *Config) PlacementOptions() placement.Options {
	opts := placement.DefaultOptions()
	opts.StartingContainerWeight = c.StartingContainerWeight
	opts.BinPackFirstFitWeight = c.BinPackFirstFitWeight
	opts.StartingContainerCountMaximum = c.StartingContainerCountMaximum
	return opts
}

// Validate reports every problem in the config.
func (c *Config) Validate() error {
	var p config.Problems
	p.Require("listen_address", c.ListenAddress)
	p.Require("bbs_address", c.BBSAddress)
	if strings.HasPrefix(c.BBSAddress, "https://") {
		p.RequireFile("bbs_ca_cert_file", c.BBSCACertFile)
		p.RequireFile("bbs_client_cert_file", c.BBSClientCertFile)
		p.RequireFile("bbs_client_key_file", c.BBSClientKeyFile)
	}
	c.Config.Validate(&p)
	p.Require("uuid", c.UUID)
	if c.ServesTLS() {
		p.RequireFile("ca_cert_file", c.CACertFile)
		p.RequireFile("server_cert_file", c.ServerCertFile)
		p.RequireFile("server_key_file", c.ServerKeyFile)
	}
	if c.RepRequireTLS {
		p.RequireFile("rep_ca_cert", c.RepCACert)
		p.RequireFile("rep_client_cert", c.RepClientCert)
		p.RequireFile("rep_client_key", c.RepClientKey)
	}
	if c.AuctionRunnerWorkers <= 0 {
		p.Addf("auction_runner_workers: must be positive")
	}
	if c.CellStateTimeout.D() <= 0 || c.CommunicationTimeout.D() <= 0 {
		p.Addf("cell_state_timeout and communication_timeout: must be positive")
	}
	if c.StartingContainerWeight < 0 || c.StartingContainerWeight > 1 {
		p.Addf("starting_container_weight: must be between 0 and 1, got %g", c.StartingContainerWeight)
	}
	if c.BinPackFirstFitWeight < 0 || c.BinPackFirstFitWeight > 1 {
		p.Addf("bin_pack_first_fit_weight: must be between 0 and 1, got %g", c.BinPackFirstFitWeight)
	}
	if c.StartingContainerCountMaximum < 0 {
		p.Addf("starting_container_count_maximum: must not be negative")
	}
	for _, msg := range c.LagerConfig.Validate() {
		p.Addf("%s", msg)
	}
	return p.Err()
}
