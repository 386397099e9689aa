package locket

import (
	"fmt"
	"time"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/internal/config"
	"github.com/godiego/diego/internal/debugserver"
	"github.com/godiego/diego/internal/logging"
	"github.com/godiego/diego/internal/loggregator"
)

// Config is the locket daemon's JSON config, with upstream's keys
// (locket cmd/locket/config and diego-release jobs/locket). Keys accepted
// but not acted on are tagged unused and noted in the log at start-up.
type Config struct {
	CaFile                        string             `json:"ca_file"`
	CertFile                      string             `json:"cert_file"`
	KeyFile                       string             `json:"key_file"`
	ListenAddress                 string             `json:"listen_address"`
	DatabaseDriver                string             `json:"database_driver,omitempty"`
	DatabaseConnectionString      string             `json:"database_connection_string"`
	MaxOpenDatabaseConnections    int                `json:"max_open_database_connections,omitempty"`
	MaxDatabaseConnectionLifetime config.Duration    `json:"max_database_connection_lifetime,omitempty"`
	SQLCACertFile                 string             `json:"sql_ca_cert_file,omitempty"`
	SQLEnableIdentityVerification bool               `json:"sql_enable_identity_verification,omitempty"`
	ReportInterval                config.Duration    `json:"report_interval,omitempty"`
	LoggregatorConfig             loggregator.Config `json:"loggregator" unused:"true"`

	// Keys newer diego-release templates write; accepted, not acted on.
	DBConnectionTimeout         config.Duration `json:"db_connection_timeout,omitempty" unused:"true"`
	DBReadTimeout               config.Duration `json:"db_read_timeout,omitempty" unused:"true"`
	DBWriteTimeout              config.Duration `json:"db_write_timeout,omitempty" unused:"true"`
	DBOperationTimeout          config.Duration `json:"db_operation_timeout,omitempty" unused:"true"`
	EnableDBHealthCheck         bool            `json:"enable_db_health_check,omitempty" unused:"true"`
	HealthCheckFailureThreshold int             `json:"health_check_failure_threshold,omitempty" unused:"true"`
	HealthCheckTimeout          config.Duration `json:"health_check_timeout,omitempty" unused:"true"`
	HealthCheckInterval         config.Duration `json:"health_check_interval,omitempty" unused:"true"`

	debugserver.DebugServerConfig
	logging.LagerConfig
}

// DefaultConfig returns the defaults applied before a config file is
// read: upstream's port and intervals, and an SQLite database file in the
// working directory, our addition for local runs.
func DefaultConfig() Config {
	return Config{
		ListenAddress:                 "0.0.0.0:8891",
		DatabaseDriver:                "sqlite",
		DatabaseConnectionString:      "locket.db",
		MaxOpenDatabaseConnections:    200,
		MaxDatabaseConnectionLifetime: config.Duration(time.Hour),
		ReportInterval:                config.Duration(time.Minute),
	}
}

// Validate reports every problem with the config at once.
func (c *Config) Validate() error {
	var p config.Problems
	p.RequireFile("ca_file", c.CaFile)
	p.RequireFile("cert_file", c.CertFile)
	p.RequireFile("key_file", c.KeyFile)
	p.Require("listen_address", c.ListenAddress)
	if _, err := db.ParseFlavor(c.DatabaseDriver); err != nil {
		p.Addf("database_driver: %v", err)
	}
	p.Require("database_connection_string", c.DatabaseConnectionString)
	if c.MaxOpenDatabaseConnections < 0 {
		p.Addf("max_open_database_connections: must not be negative")
	}
	if c.MaxDatabaseConnectionLifetime < 0 {
		p.Addf("max_database_connection_lifetime: must not be negative")
	}
	if c.SQLCACertFile != "" {
		p.RequireFile("sql_ca_cert_file", c.SQLCACertFile)
	}
	if c.ReportInterval.D() <= 0 {
		p.Addf("report_interval: must be positive, got %s", c.ReportInterval.D())
	}
	for _, problem := range c.LagerConfig.Validate() {
		p.Addf("%s", problem)
	}
	return p.Err()
}

// DBConfig is the database part of the config.
func (c *Config) DBConfig() db.Config {
	return db.Config{
		Driver:          c.DatabaseDriver,
		DSN:             c.DatabaseConnectionString,
		CACertFile:      c.SQLCACertFile,
		VerifyIdentity:  c.SQLEnableIdentityVerification,
		MaxOpenConns:    c.MaxOpenDatabaseConnections,
		ConnMaxLifetime: c.MaxDatabaseConnectionLifetime.D(),
	}
}

// String summarises the config for the start-up log, without secrets.
func (c *Config) String() string {
	return fmt.Sprintf("listen=%s driver=%s", c.ListenAddress, c.DatabaseDriver)
}
