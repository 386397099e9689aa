// Package config owns the Garden server's JSON configuration: its keys (see
// /work/shared/CONVENTIONS.md), their defaults and their validation. Nothing
// else about the server lives here.
package config

import (
	"net"
	"os"
	"path/filepath"
	"strings"

	diegoconfig "github.com/godiego/diego/internal/config"
	"github.com/godiego/diego/internal/logging"
)

// Config is the whole configuration of one Garden server. Every key is listed
// in garden/README.md with its default.
type Config struct {
	ListenNetwork     string               `json:"listen_network"`
	ListenAddress     string               `json:"listen_address"`
	DepotDir          string               `json:"depot_dir"`
	DefaultRootFS     string               `json:"default_rootfs"`
	PreloadedRootFSes map[string]string    `json:"preloaded_rootfses"`
	NetworkPool       string               `json:"network_pool"`
	PortPoolStart     uint32               `json:"port_pool_start"`
	PortPoolSize      uint32               `json:"port_pool_size"`
	ExternalIP        string               `json:"external_ip"`
	DefaultGraceTime  diegoconfig.Duration `json:"default_grace_time"`
	MaxContainers     uint64               `json:"max_containers"`
	LogLevel          string               `json:"log_level"`
}

// Defaults returns the configuration used for every key a file leaves out.
func Defaults() Config {
	return Config{
		ListenNetwork:     "tcp",
		ListenAddress:     "127.0.0.1:7777",
		DepotDir:          "/var/vcap/data/garden/depot",
		PreloadedRootFSes: map[string]string{},
		NetworkPool:       "10.254.0.0/22",
		PortPoolStart:     61001,
		PortPoolSize:      4534,
		ExternalIP:        "127.0.0.1",
		MaxContainers:     250,
		LogLevel:          "info",
	}
}

// Load reads path strictly (unknown keys are errors) over the defaults and
// validates the result.
func Load(path string) (Config, error) {
	cfg := Defaults()
	if err := diegoconfig.Load(path, &cfg); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// Validate reports every problem with the configuration at once.
func (c *Config) Validate() error {
	var p diegoconfig.Problems
	switch c.ListenNetwork {
	case "tcp":
		if _, _, err := net.SplitHostPort(c.ListenAddress); err != nil {
			p.Addf("listen_address: %q is not host:port: %v", c.ListenAddress, err)
		}
	case "unix":
		if c.ListenAddress == "" || !filepath.IsAbs(c.ListenAddress) {
			p.Addf("listen_address: %q must be an absolute socket path", c.ListenAddress)
		}
	default:
		p.Addf("listen_network: %q is not tcp or unix", c.ListenNetwork)
	}
	if c.DepotDir == "" || !filepath.IsAbs(c.DepotDir) {
		p.Addf("depot_dir: %q must be an absolute path", c.DepotDir)
	}
	if c.DefaultRootFS != "" {
		if _, err := os.Stat(c.DefaultRootFS); err != nil {
			p.Addf("default_rootfs: %v", err)
		}
	}
	for name, path := range c.PreloadedRootFSes {
		if name == "" || strings.ContainsAny(name, ":/") {
			p.Addf("preloaded_rootfses: name %q must be non-empty without ':' or '/'", name)
		}
		if _, err := os.Stat(path); err != nil {
			p.Addf("preloaded_rootfses: %s: %v", name, err)
		}
	}
	if _, pool, err := net.ParseCIDR(c.NetworkPool); err != nil {
		p.Addf("network_pool: %v", err)
	} else if pool.IP.To4() == nil {
		p.Addf("network_pool: %q must be IPv4", c.NetworkPool)
	} else if ones, _ := pool.Mask.Size(); ones > 29 {
		p.Addf("network_pool: %q is too small (need at least a /29)", c.NetworkPool)
	}
	if c.PortPoolStart == 0 || c.PortPoolSize == 0 || uint64(c.PortPoolStart)+uint64(c.PortPoolSize) > 65536 {
		p.Addf("port_pool_start, port_pool_size: %d+%d must be a non-empty range within 1-65535", c.PortPoolStart, c.PortPoolSize)
	}
	if ip := net.ParseIP(c.ExternalIP); ip == nil || ip.To4() == nil {
		p.Addf("external_ip: %q is not an IPv4 address", c.ExternalIP)
	}
	if c.DefaultGraceTime < 0 {
		p.Addf("default_grace_time: must not be negative")
	}
	if c.MaxContainers == 0 {
		p.Addf("max_containers: must be positive")
	}
	if _, err := logging.ParseLevel(c.LogLevel); err != nil {
		p.Addf("log_level: %v", err)
	}
	return p.Err()
}

// Tag is a short name derived from the depot directory that keeps this
// server's host resources (bridge, iptables chains, cgroups, namespaces)
// apart from another server's on the same machine.
func (c *Config) Tag() string {
	return TagFor(c.DepotDir)
}
