// Package devrouter is a small HTTP router for local Diego runs, in the
// role gorouter plays in Cloud Foundry but with none of its scope: it learns
// routes from the route-emitter over NATS (router.greet / router.start /
// router.register / router.unregister), prunes endpoints that stop being
// re-registered, and reverse-proxies requests by Host header round-robin to
// the registered backends. It is a development tool, not a gorouter.
package devrouter

import (
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/godiego/diego/internal/config"
	"github.com/godiego/diego/internal/debugserver"
	"github.com/godiego/diego/internal/logging"
)

// Config is the dev-router's JSON config. The NATS keys are spelled as the
// route-emitter spells them.
type Config struct {
	ListenAddress string `json:"listen_address"`

	NATSAddresses Addresses `json:"nats_addresses"`
	NATSUsername  string    `json:"nats_username,omitempty"`
	NATSPassword  string    `json:"nats_password,omitempty"`

	// MinimumRegisterInterval is announced in router.start: how often
	// emitters should re-send every registration.
	MinimumRegisterInterval config.Duration `json:"minimum_register_interval"`
	// PruneStaleAfter drops an endpoint not re-registered for this long;
	// it is announced in router.start as pruneThresholdInSeconds.
	PruneStaleAfter config.Duration `json:"prune_stale_after"`
	// PruneInterval is how often stale endpoints are looked for.
	PruneInterval config.Duration `json:"prune_interval"`

	DebugServerConfig
	LagerConfig
}

// DebugServerConfig is the shared `debug_address` block.
type DebugServerConfig = debugserver.Config

// LagerConfig is the shared lager block (`log_level`, ...).
type LagerConfig = logging.Config

// DefaultConfig returns gorouter-like defaults on the local router port.
func DefaultConfig() Config {
	return Config{
		ListenAddress:           "127.0.0.1:8081",
		NATSAddresses:           Addresses{"127.0.0.1:4222"},
		MinimumRegisterInterval: config.Duration(20 * time.Second),
		PruneStaleAfter:         config.Duration(120 * time.Second),
		PruneInterval:           config.Duration(30 * time.Second),
	}
}

// Validate reports every problem with the config.
func (c *Config) Validate() error {
	var p config.Problems
	if _, _, err := net.SplitHostPort(c.ListenAddress); err != nil {
		p.Addf("listen_address: %v", err)
	}
	if len(c.NATSAddresses) == 0 {
		p.Addf("nats_addresses: is required")
	}
	for _, a := range c.NATSAddresses {
		if _, _, err := net.SplitHostPort(strings.TrimPrefix(a, "nats://")); err != nil {
			p.Addf("nats_addresses: %q: %v", a, err)
		}
	}
	if c.MinimumRegisterInterval.D() < time.Second {
		p.Addf("minimum_register_interval: must be at least 1s (announced in whole seconds)")
	}
	if c.PruneStaleAfter.D() < time.Second {
		p.Addf("prune_stale_after: must be at least 1s (announced in whole seconds)")
	}
	if c.PruneInterval.D() <= 0 {
		p.Addf("prune_interval: must be positive")
	}
	if c.DebugAddress != "" {
		if _, _, err := net.SplitHostPort(c.DebugAddress); err != nil {
			p.Addf("debug_address: %v", err)
		}
	}
	for _, problem := range c.LagerConfig.Validate() {
		p.Addf("%s", problem)
	}
	return p.Err()
}

// NATSURLs returns the server URLs for the NATS client.
func (c *Config) NATSURLs() string {
	urls := make([]string, len(c.NATSAddresses))
	for i, a := range c.NATSAddresses {
		urls[i] = "nats://" + strings.TrimPrefix(a, "nats://")
	}
	return strings.Join(urls, ",")
}

// Addresses is a list of host:port addresses written in JSON either as the
// route-emitter writes nats_addresses, one comma-separated string, or as
// an array of strings.
type Addresses []string

// UnmarshalJSON accepts "a:1,b:2" or ["a:1","b:2"].
func (a *Addresses) UnmarshalJSON(b []byte) error {
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("want a comma-separated string or an array of strings, got %s", b)
		}
		list = strings.Split(s, ",")
	}
	out := Addresses{}
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	*a = out
	return nil
}
