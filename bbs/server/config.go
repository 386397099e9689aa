// Package server assembles the BBS daemon from its config: the health and
// debug listeners, the Locket lock (the API serves only while it is held),
// the API listener (503 until migrations finish), migrations, encryption
// key rotation, task callback workers and the converger, as an ordered
// process group.
package server

import (
	"net/url"
	"time"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/db/bbsdb/encryption"
	"github.com/godiego/diego/internal/config"
	"github.com/godiego/diego/internal/debugserver"
	"github.com/godiego/diego/internal/logging"
	"github.com/godiego/diego/internal/loggregator"
	locket "github.com/godiego/diego/locket/client"
)

// EncryptionConfig holds `encryption_keys` and `active_key_label`.
type EncryptionConfig = encryption.Config

// LocketConfig holds the `locket_*` client keys.
type LocketConfig = locket.Config

// Config is the BBS config file, with upstream's keys (cmd/bbs/config).
type Config struct {
	AccessLogPath                 string             `json:"access_log_path,omitempty"`
	AdvertiseURL                  string             `json:"advertise_url,omitempty" unused:"true"`
	AuctioneerAddress             string             `json:"auctioneer_address,omitempty"`
	AuctioneerCACert              string             `json:"auctioneer_ca_cert,omitempty"`
	AuctioneerClientCert          string             `json:"auctioneer_client_cert,omitempty"`
	AuctioneerClientKey           string             `json:"auctioneer_client_key,omitempty"`
	AuctioneerRequireTLS          bool               `json:"auctioneer_require_tls,omitempty"`
	UUID                          string             `json:"uuid,omitempty"`
	CaFile                        string             `json:"ca_file,omitempty"`
	CertFile                      string             `json:"cert_file,omitempty"`
	KeyFile                       string             `json:"key_file,omitempty"`
	CommunicationTimeout          config.Duration    `json:"communication_timeout,omitempty"`
	ConvergeRepeatInterval        config.Duration    `json:"converge_repeat_interval,omitempty"`
	ConvergenceWorkers            int                `json:"convergence_workers,omitempty"`
	DatabaseConnectionString      string             `json:"database_connection_string"`
	DatabaseDriver                string             `json:"database_driver,omitempty"`
	DesiredLRPCreationTimeout     config.Duration    `json:"desired_lrp_creation_timeout,omitempty" unused:"true"`
	ExpireCompletedTaskDuration   config.Duration    `json:"expire_completed_task_duration,omitempty"`
	ExpirePendingTaskDuration     config.Duration    `json:"expire_pending_task_duration,omitempty"`
	HealthAddress                 string             `json:"health_address,omitempty"`
	KickTaskDuration              config.Duration    `json:"kick_task_duration,omitempty"`
	ListenAddress                 string             `json:"listen_address,omitempty"`
	LockRetryInterval             config.Duration    `json:"lock_retry_interval,omitempty" unused:"true"`
	LockTTL                       config.Duration    `json:"lock_ttl,omitempty" unused:"true"`
	MaxIdleDatabaseConnections    int                `json:"max_idle_database_connections,omitempty"`
	MaxOpenDatabaseConnections    int                `json:"max_open_database_connections,omitempty"`
	MaxDatabaseConnectionLifetime config.Duration    `json:"max_database_connection_lifetime,omitempty"`
	MaxTaskRetries                int                `json:"max_task_retries,omitempty"`
	RepCACert                     string             `json:"rep_ca_cert,omitempty"`
	RepClientCert                 string             `json:"rep_client_cert,omitempty"`
	RepClientKey                  string             `json:"rep_client_key,omitempty"`
	RepClientSessionCacheSize     int                `json:"rep_client_session_cache_size,omitempty"`
	RepRequireTLS                 bool               `json:"rep_require_tls,omitempty"`
	ReportInterval                config.Duration    `json:"report_interval,omitempty" unused:"true"`
	RequireSSL                    bool               `json:"require_ssl,omitempty" unused:"true"`
	SQLCACertFile                 string             `json:"sql_ca_cert_file,omitempty"`
	SQLEnableIdentityVerification bool               `json:"sql_enable_identity_verification,omitempty"`
	SessionName                   string             `json:"session_name,omitempty" unused:"true"`
	TaskCallbackWorkers           int                `json:"task_callback_workers,omitempty"`
	UpdateWorkers                 int                `json:"update_workers,omitempty"`
	Loggregator                   loggregator.Config `json:"loggregator" unused:"true"`

	EncryptionConfig
	LocketConfig
	logging.LagerConfig
	debugserver.DebugServerConfig
}

// DefaultConfig returns the defaults of diego-release's bbs job spec and
// upstream's DefaultConfig. Keys accepted but not acted on get no default,
// so that only keys an operator set are reported as unused. The lock
// always uses Locket's TTL (15 s) and retry interval (1 s), as upstream's
// BBS does whatever lock_ttl and lock_retry_interval say.
func DefaultConfig() Config {
	return Config{
		ListenAddress:               "0.0.0.0:8889",
		HealthAddress:               "127.0.0.1:8890",
		DatabaseDriver:              "sqlite",
		CommunicationTimeout:        config.Duration(10 * time.Second),
		ConvergeRepeatInterval:      config.Duration(30 * time.Second),
		ConvergenceWorkers:          20,
		KickTaskDuration:            config.Duration(30 * time.Second),
		ExpireCompletedTaskDuration: config.Duration(120 * time.Second),
		ExpirePendingTaskDuration:   config.Duration(1800 * time.Second),
		MaxTaskRetries:              3,
		MaxOpenDatabaseConnections:  200,
		MaxIdleDatabaseConnections:  200,
		TaskCallbackWorkers:         1000,
		UpdateWorkers:               1000,
		LagerConfig:                 logging.LagerConfig{LogLevel: "info"},
	}
}

// Validate reports every problem at once.
func (c *Config) Validate() error {
	var p config.Problems
	p.Require("listen_address", c.ListenAddress)
	p.Require("health_address", c.HealthAddress)
	p.Require("uuid", c.UUID)
	p.RequireFile("ca_file", c.CaFile)
	p.RequireFile("cert_file", c.CertFile)
	p.RequireFile("key_file", c.KeyFile)
	p.Require("database_connection_string", c.DatabaseConnectionString)
	if _, err := db.ParseFlavor(c.DatabaseDriver); err != nil {
		p.Addf("database_driver: %v", err)
	}
	if c.SQLCACertFile != "" {
		p.RequireFile("sql_ca_cert_file", c.SQLCACertFile)
	}
	if _, err := encryption.NewKeyRing(c.EncryptionConfig); err != nil {
		p.Addf("encryption_keys/active_key_label: %v", err)
	}
	if c.AuctioneerAddress == "" {
		p.Addf("auctioneer_address: is required")
	} else if u, err := url.Parse(c.AuctioneerAddress); err != nil || u.Host == "" {
		p.Addf("auctioneer_address: %q is not a URL (e.g. https://auctioneer.service.cf.internal:9016)", c.AuctioneerAddress)
	}
	for key, path := range map[string]string{"auctioneer_ca_cert": c.AuctioneerCACert, "auctioneer_client_cert": c.AuctioneerClientCert, "auctioneer_client_key": c.AuctioneerClientKey} {
		if path != "" || c.AuctioneerRequireTLS {
			p.RequireFile(key, path)
		}
	}
	for key, path := range map[string]string{"rep_ca_cert": c.RepCACert, "rep_client_cert": c.RepClientCert, "rep_client_key": c.RepClientKey} {
		if path != "" || c.RepRequireTLS {
			p.RequireFile(key, path)
		}
	}
	c.LocketConfig.Validate(&p)
	positive := map[string]time.Duration{
		"converge_repeat_interval": c.ConvergeRepeatInterval.D(), "kick_task_duration": c.KickTaskDuration.D(),
		"expire_completed_task_duration": c.ExpireCompletedTaskDuration.D(), "expire_pending_task_duration": c.ExpirePendingTaskDuration.D(),
	}
	for key, d := range positive {
		if d <= 0 {
			p.Addf("%s: must be positive", key)
		}
	}
	for key, n := range map[string]int{"convergence_workers": c.ConvergenceWorkers, "task_callback_workers": c.TaskCallbackWorkers, "update_workers": c.UpdateWorkers} {
		if n <= 0 {
			p.Addf("%s: must be positive", key)
		}
	}
	if c.MaxTaskRetries < 0 {
		p.Addf("max_task_retries: must not be negative")
	}
	for _, problem := range c.LagerConfig.Validate() {
		p.Addf("%s", problem)
	}
	return p.Err()
}

// dbConfig is the SQL connection config.
func (c *Config) dbConfig() db.Config {
	return db.Config{
		Driver: c.DatabaseDriver, DSN: c.DatabaseConnectionString, CACertFile: c.SQLCACertFile,
		VerifyIdentity: c.SQLEnableIdentityVerification, MaxOpenConns: c.MaxOpenDatabaseConnections,
		MaxIdleConns: c.MaxIdleDatabaseConnections, ConnMaxLifetime: c.MaxDatabaseConnectionLifetime.D(),
	}
}
