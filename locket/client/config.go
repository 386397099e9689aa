// Package client is how Diego daemons talk to Locket: upstream's client
// config keys, a dial helper (mutual TLS, keepalive, bounded dial), and the
// lock and presence runners that hold a Locket resource for a process's
// lifetime.
package client

import (
	"time"

	"github.com/godiego/diego/internal/config"
)

// Upstream's timing constants (code.cloudfoundry.org/locket schema.go).
const (
	// DefaultSessionTTLInSeconds is the TTL every Diego lock and presence
	// asks for.
	DefaultSessionTTLInSeconds int64 = 15
	// RetryInterval is how often presences (the rep's cell presence) are
	// refreshed.
	RetryInterval = 5 * time.Second
	// SQLRetryInterval is how often locks (bbs, auctioneer, route-emitter)
	// are refreshed or retried.
	SQLRetryInterval = time.Second
	// DialTimeout bounds how long NewClient waits for a connection.
	DialTimeout = 10 * time.Second
)

// Keepalive defaults (diego-release job specs), in seconds.
const (
	DefaultKeepAliveTime    = 10
	DefaultKeepAliveTimeout = 22
)

// Config is upstream's Locket client config block; embed it in a daemon
// config so its keys sit at the top level, as upstream's do.
type Config struct {
	LocketAddress                string `json:"locket_address,omitempty"`
	LocketCACertFile             string `json:"locket_ca_cert_file,omitempty"`
	LocketClientCertFile         string `json:"locket_client_cert_file,omitempty"`
	LocketClientKeyFile          string `json:"locket_client_key_file,omitempty"`
	LocketClientKeepAliveTime    int    `json:"locket_client_keepalive_time,omitempty"`
	LocketClientKeepAliveTimeout int    `json:"locket_client_keepalive_timeout,omitempty"`
}

// Validate records a problem for each missing or unreadable setting.
func (c Config) Validate(p *config.Problems) {
	p.Require("locket_address", c.LocketAddress)
	p.RequireFile("locket_ca_cert_file", c.LocketCACertFile)
	p.RequireFile("locket_client_cert_file", c.LocketClientCertFile)
	p.RequireFile("locket_client_key_file", c.LocketClientKeyFile)
	if c.LocketClientKeepAliveTime < 0 {
		p.Addf("locket_client_keepalive_time: must not be negative")
	}
	if c.LocketClientKeepAliveTimeout < 0 {
		p.Addf("locket_client_keepalive_timeout: must not be negative")
	}
}

func (c Config) keepAlive() (time.Duration, time.Duration) {
	t, to := c.LocketClientKeepAliveTime, c.LocketClientKeepAliveTimeout
	if t == 0 {
		t = DefaultKeepAliveTime
	}
	if to == 0 {
		to = DefaultKeepAliveTimeout
	}
	return time.Duration(t) * time.Second, time.Duration(to) * time.Second
}
