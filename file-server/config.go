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
	"github.com/godiego/diego/internal/loggregator"
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

	Loggregator loggregator.Config `json:"loggregator" unused:"true"`

	DebugServerConfig
	LagerConfig
}

// DebugServerConfig is the shared `debug_address` block, named so it can be
// embedded beside LagerConfig.
type DebugServerConfig = debugserver.Config

// LagerConfig is the shared lager block (`log_level`, `time_format`, ...).
type LagerConfig = logging.Config

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
