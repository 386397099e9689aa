// Package config owns the rep's configuration file: upstream's keys
// (rep@v0.1442.0 cmd/rep/config plus the embedded executor, debug server,
// lager and locket blocks, and the legacy keys older diego-release
// templates still write), the release defaults, and validation. Keys this
// implementation accepts but does not act on are tagged `unused:"true"`.
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/godiego/diego/internal/config"
	"github.com/godiego/diego/internal/debugserver"
	"github.com/godiego/diego/internal/logging"
	"github.com/godiego/diego/internal/loggregator"
	locketclient "github.com/godiego/diego/locket/client"
)

// Duration is a JSON duration ("30s").
type Duration = config.Duration

// RootFS is one preloaded stack and the path Garden serves it from.
type RootFS struct {
	Name, Path string
}

// RootFSes is upstream's preloaded_root_fs: a JSON list of "stack:path".
type RootFSes []RootFS

// UnmarshalJSON parses ["cflinuxfs4:/var/vcap/packages/cflinuxfs4/rootfs.tar", ...].
func (r *RootFSes) UnmarshalJSON(data []byte) error {
	var list []string
	if err := json.Unmarshal(data, &list); err != nil {
		return err
	}
	out := RootFSes{}
	for _, s := range list {
		name, path, ok := strings.Cut(s, ":")
		switch {
		case !ok:
			return errors.New("Invalid preloaded RootFS value: not of the form 'stack-name:path'")
		case name == "":
			return errors.New("Invalid preloaded RootFS value: blank stack")
		case path == "":
			return errors.New("Invalid preloaded RootFS value: blank path")
		}
		out = append(out, RootFS{name, path})
	}
	*r = out
	return nil
}

// MarshalJSON writes the "stack:path" list back.
func (r RootFSes) MarshalJSON() ([]byte, error) {
	list := make([]string, len(r))
	for i, fs := range r {
		list[i] = fs.Name + ":" + fs.Path
	}
	return json.Marshal(list)
}

// Names lists the stacks.
func (r RootFSes) Names() []string {
	names := make([]string, len(r))
	for i, fs := range r {
		names[i] = fs.Name
	}
	return names
}

// StackPathMap maps stack names to paths.
func (r RootFSes) StackPathMap() map[string]string {
	m := map[string]string{}
	for _, fs := range r {
		m[fs.Name] = fs.Path
	}
	return m
}

// Config is the rep's configuration.
type Config struct {
	AdvertiseDomain           string             `json:"advertise_domain,omitempty"`
	BBSAddress                string             `json:"bbs_address"`
	BBSClientSessionCacheSize int                `json:"bbs_client_session_cache_size,omitempty" unused:"true"`
	BBSMaxIdleConnsPerHost    int                `json:"bbs_max_idle_conns_per_host,omitempty" unused:"true"`
	BBSCACertFile             string             `json:"bbs_ca_cert_file"`
	BBSClientCertFile         string             `json:"bbs_client_cert_file"`
	BBSClientKeyFile          string             `json:"bbs_client_key_file"`
	CaCertFile                string             `json:"ca_cert_file"`
	CellID                    string             `json:"cell_id"`
	CellIndex                 int                `json:"cell_index"`
	CommunicationTimeout      Duration           `json:"communication_timeout,omitempty"`
	EvacuationPollingInterval Duration           `json:"evacuation_polling_interval,omitempty"`
	EvacuationTimeout         Duration           `json:"evacuation_timeout,omitempty"`
	LayeringMode              string             `json:"layering_mode,omitempty" unused:"true"`
	ListenAddr                string             `json:"listen_addr,omitempty"`
	ListenAddrSecurable       string             `json:"listen_addr_securable,omitempty"`
	LockRetryInterval         Duration           `json:"lock_retry_interval,omitempty"`
	LockTTL                   Duration           `json:"lock_ttl,omitempty"`
	OptionalPlacementTags     []string           `json:"optional_placement_tags"`
	PlacementTags             []string           `json:"placement_tags"`
	PollingInterval           Duration           `json:"polling_interval,omitempty"`
	PreloadedRootFS           RootFSes           `json:"preloaded_root_fs"`
	ServerCertFile            string             `json:"server_cert_file"`
	ServerKeyFile             string             `json:"server_key_file"`
	CertFile                  string             `json:"cert_file"`
	KeyFile                   string             `json:"key_file"`
	SessionName               string             `json:"session_name,omitempty" unused:"true"`
	SupportedProviders        []string           `json:"supported_providers"`
	Zone                      string             `json:"zone"`
	ReportInterval            Duration           `json:"report_interval,omitempty" unused:"true"`
	Loggregator               loggregator.Config `json:"loggregator,omitempty"`

	// Legacy keys of older release templates.
	RequireTLS               bool   `json:"require_tls,omitempty" unused:"true"`
	EnableLegacyAPIEndpoints bool   `json:"enable_legacy_api_endpoints,omitempty" unused:"true"`
	DropsondePort            int    `json:"dropsonde_port,omitempty" unused:"true"`
	ConsulCluster            string `json:"consul_cluster,omitempty" unused:"true"`
	ConsulCACert             string `json:"consul_ca_cert,omitempty" unused:"true"`
	ConsulClientCert         string `json:"consul_client_cert,omitempty" unused:"true"`
	ConsulClientKey          string `json:"consul_client_key,omitempty" unused:"true"`
	LoggregatorUseV2API      bool   `json:"loggregator_use_v2_api,omitempty"`
	LoggregatorAPIPort       int    `json:"loggregator_api_port,omitempty"`
	LoggregatorCAPath        string `json:"loggregator_ca_path,omitempty"`
	LoggregatorCertPath      string `json:"loggregator_cert_path,omitempty"`
	LoggregatorKeyPath       string `json:"loggregator_key_path,omitempty"`

	// AppLogDir (ours): when set, app logs go to <dir>/<log guid>.log
	// instead of the rep's own log.
	AppLogDir string `json:"app_log_dir,omitempty"`

	debugserver.DebugServerConfig
	ExecutorConfig
	LagerConfig
	LocketConfig
}

// LagerConfig is upstream's lager block.
type LagerConfig = logging.Config

// LocketConfig is upstream's locket client block.
type LocketConfig = locketclient.Config

// Defaults returns the release defaults.
func Defaults() Config {
	return Config{
		AdvertiseDomain:           "cell.service.cf.internal",
		CommunicationTimeout:      Duration(10 * time.Second),
		EvacuationPollingInterval: Duration(10 * time.Second),
		EvacuationTimeout:         Duration(600 * time.Second),
		ListenAddr:                "127.0.0.1:1800",
		ListenAddrSecurable:       "0.0.0.0:1801",
		LockRetryInterval:         Duration(locketclient.RetryInterval),
		LockTTL:                   Duration(time.Duration(locketclient.DefaultSessionTTLInSeconds) * time.Second),
		PollingInterval:           Duration(30 * time.Second),
		SessionName:               "rep",
		SupportedProviders:        []string{"docker"},
		ReportInterval:            Duration(time.Minute),
		ExecutorConfig:            ExecutorDefaults(),
	}
}

// Validate reports every problem.
func (c *Config) Validate() error {
	var p config.Problems
	p.Require("cell_id", c.CellID)
	p.Require("bbs_address", c.BBSAddress)
	if strings.HasPrefix(c.BBSAddress, "https://") {
		p.RequireFile("bbs_ca_cert_file", c.BBSCACertFile)
		p.RequireFile("bbs_client_cert_file", c.BBSClientCertFile)
		p.RequireFile("bbs_client_key_file", c.BBSClientKeyFile)
	}
	p.RequireFile("ca_cert_file", c.CaCertFile)
	cert, key := c.ServerCertAndKey()
	p.RequireFile("server_cert_file (or cert_file)", cert)
	p.RequireFile("server_key_file (or key_file)", key)
	p.Require("listen_addr", c.ListenAddr)
	p.Require("listen_addr_securable", c.ListenAddrSecurable)
	c.LocketConfig.Validate(&p)
	for _, msg := range c.LagerConfig.Validate() {
		p.Addf("%s", msg)
	}
	positive := map[string]Duration{
		"polling_interval": c.PollingInterval, "evacuation_polling_interval": c.EvacuationPollingInterval,
		"evacuation_timeout": c.EvacuationTimeout, "lock_ttl": c.LockTTL, "lock_retry_interval": c.LockRetryInterval,
	}
	for k, v := range positive {
		if v <= 0 {
			p.Addf("%s: must be positive", k)
		}
	}
	c.ExecutorConfig.validate(&p)
	if l, on := c.LoggregatorSettings(); on {
		if l.APIPort <= 0 {
			p.Addf("loggregator.loggregator_api_port: must be set when loggregator_use_v2_api is true")
		}
		p.RequireFile("loggregator.loggregator_ca_path", l.CACertPath)
		p.RequireFile("loggregator.loggregator_cert_path", l.CertPath)
		p.RequireFile("loggregator.loggregator_key_path", l.KeyPath)
	}
	return p.Err()
}

// ServerCertAndKey returns the server certificate and key, preferring the
// current keys over the deprecated server_* ones.
func (c *Config) ServerCertAndKey() (string, string) {
	cert, key := c.CertFile, c.KeyFile
	if cert == "" {
		cert = c.ServerCertFile
	}
	if key == "" {
		key = c.ServerKeyFile
	}
	return cert, key
}

// LoggregatorSettings returns the loggregator block in effect and whether
// app logs and container metrics go to the loggregator agent (v2 API). The
// top-level loggregator_* keys of older release templates count when the
// block does not turn the v2 API on.
func (c *Config) LoggregatorSettings() (loggregator.Config, bool) {
	if c.Loggregator.UseV2API {
		return c.Loggregator, true
	}
	if c.LoggregatorUseV2API {
		l := c.Loggregator
		l.UseV2API, l.APIPort = true, c.LoggregatorAPIPort
		l.CACertPath, l.CertPath, l.KeyPath = c.LoggregatorCAPath, c.LoggregatorCertPath, c.LoggregatorKeyPath
		return l, true
	}
	return c.Loggregator, false
}

// ParseCapacity reads "auto" (nil) or a number of MB from memory_mb / disk_mb.
func ParseCapacity(key, value string) (*int, error) {
	if value == "" || value == "auto" {
		return nil, nil
	}
	n, err := strconv.Atoi(value)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("%s: %q is neither \"auto\" nor a non-negative number", key, value)
	}
	return &n, nil
}
