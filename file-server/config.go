// Package fileserver owns the Diego file-server: the `/v1/static/` download
// route that serves lifecycle tarballs from a directory with content-hash
// ETags, its optional HTTPS listener (with the plain listener then
// redirecting to it), and the daemon's config.
package fileserver

import (
	"net"
	"os"

	"github.com/godiego/diego/internal/config"
	"github.com/godiego/diego/internal/debugserver"
	"github.com/godiego/diego/internal/logging"
)

// Config is the file-server's JSON config, with upstream's key names
// (fileserver:cmd/file-server/config/config.go).
type Config struct {
	ServerAddress   string `json:"server_address,omitempty"`
	StaticDirectory string `json:"static_directory,omitempty"`

	HTTPSServerEnabled bool   `json:"https_server_enabled"`
	HTTPSListenAddr    string `json:"https_listen_addr"`
	CertFile           string `json:"cert_file"`
	KeyFile            string `json:"key_file"`

	Loggregator LoggregatorConfig `json:"loggregator" unused:"true"`

	DebugServerConfig
	LagerConfig
}

// DebugServerConfig is the shared `debug_address` block, named so it can be
// embedded beside LagerConfig.
type DebugServerConfig = debugserver.Config

// LagerConfig is the shared lager block (`log_level`, `time_format`, ...).
type LagerConfig = logging.Config

// LoggregatorConfig is upstream's `loggregator` block (diego-logging-client
// Config). It is accepted so upstream config files load unchanged; this
// implementation emits no loggregator envelopes.
type LoggregatorConfig struct {
	UseV2API                 bool     `json:"loggregator_use_v2_api"`
	APIPort                  int      `json:"loggregator_api_port"`
	CACertPath               string   `json:"loggregator_ca_path"`
	CertPath                 string   `json:"loggregator_cert_path"`
	KeyPath                  string   `json:"loggregator_key_path"`
	JobDeployment            string   `json:"loggregator_job_deployment"`
	JobName                  string   `json:"loggregator_job_name"`
	JobIndex                 string   `json:"loggregator_job_index"`
	JobIP                    string   `json:"loggregator_job_ip"`
	JobOrigin                string   `json:"loggregator_job_origin"`
	SourceID                 string   `json:"loggregator_source_id"`
	InstanceID               string   `json:"loggregator_instance_id"`
	BatchMaxSize             uint     `json:"loggregator_batch_max_size"`
	BatchFlushInterval       int64    `json:"BatchFlushInterval"`
	AppMetricExclusionFilter []string `json:"loggregator_app_metric_exclusion_filter"`
}

// DefaultConfig returns the defaults of diego-release's file_server job.
func DefaultConfig() Config {
	return Config{
		ServerAddress:   "0.0.0.0:8080",
		HTTPSListenAddr: "0.0.0.0:8443",
	}
}

// Validate reports every problem with the config.
func (c *Config) Validate() error {
	var p config.Problems
	checkAddr(&p, "server_address", c.ServerAddress)
	if c.StaticDirectory == "" {
		p.Addf("static_directory: is required")
	} else if info, err := os.Stat(c.StaticDirectory); err != nil {
		p.Addf("static_directory: %v", err)
	} else if !info.IsDir() {
		p.Addf("static_directory: %s is not a directory", c.StaticDirectory)
	}
	if c.HTTPSServerEnabled {
		checkAddr(&p, "https_listen_addr", c.HTTPSListenAddr)
		p.RequireFile("cert_file", c.CertFile)
		p.RequireFile("key_file", c.KeyFile)
	}
	if c.DebugAddress != "" {
		checkAddr(&p, "debug_address", c.DebugAddress)
	}
	for _, problem := range c.LagerConfig.Validate() {
		p.Addf("%s", problem)
	}
	return p.Err()
}

func checkAddr(p *config.Problems, key, addr string) {
	if addr == "" {
		p.Addf("%s: is required", key)
		return
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		p.Addf("%s: %v", key, err)
	}
}
