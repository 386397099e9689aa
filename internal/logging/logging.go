// Package logging builds the lager logger every daemon uses, configured by
// upstream's lager keys (`log_level`, `time_format`, `redact_secrets`, ...),
// with a reconfigurable sink so the debug server can change the level live.
package logging

import (
	"fmt"
	"os"
	"strings"

	"code.cloudfoundry.org/lager/v3"
)

// LagerConfig holds upstream's lager config keys. Embed it in a daemon
// config (its distinct name lets it sit beside other embedded blocks).
type LagerConfig struct {
	LogLevel            string   `json:"log_level,omitempty"`
	RedactSecrets       bool     `json:"redact_secrets,omitempty"`
	RedactPatterns      []string `json:"redact_patterns,omitempty"`
	TimeFormat          string   `json:"time_format,omitempty"`
	MaxDataStringLength int      `json:"max_data_string_length,omitempty"`
}

// Config is another name for LagerConfig.
type Config = LagerConfig

// Validate checks the level and time format names.
func (c LagerConfig) Validate() []string {
	var problems []string
	if _, err := ParseLevel(c.LogLevel); err != nil {
		problems = append(problems, "log_level: "+err.Error())
	}
	switch c.TimeFormat {
	case "", "unix-epoch", "rfc3339":
	default:
		problems = append(problems, fmt.Sprintf("time_format: %q is not unix-epoch or rfc3339", c.TimeFormat))
	}
	return problems
}

// ParseLevel maps upstream's level names to lager levels; empty means info.
func ParseLevel(name string) (lager.LogLevel, error) {
	switch strings.ToLower(name) {
	case "debug":
		return lager.DEBUG, nil
	case "", "info":
		return lager.INFO, nil
	case "error":
		return lager.ERROR, nil
	case "fatal":
		return lager.FATAL, nil
	}
	return lager.INFO, fmt.Errorf("unknown log level %q (debug, info, error or fatal)", name)
}

// New returns a logger named component writing JSON lines to stdout, and the
// sink whose level can be changed at run time.
func New(component string, cfg Config) (lager.Logger, *lager.ReconfigurableSink) {
	level, err := ParseLevel(cfg.LogLevel)
	if err != nil {
		level = lager.INFO
	}
	var sink lager.Sink
	if cfg.TimeFormat == "rfc3339" {
		sink = lager.NewPrettySink(os.Stdout, lager.DEBUG)
	} else {
		sink = lager.NewWriterSink(os.Stdout, lager.DEBUG)
	}
	if cfg.RedactSecrets {
		if redacting, err := lager.NewRedactingSink(sink, cfg.RedactPatterns, nil); err == nil {
			sink = redacting
		}
	}
	reconfigurable := lager.NewReconfigurableSink(sink, level)
	logger := lager.NewLogger(component)
	logger.RegisterSink(reconfigurable)
	return logger, reconfigurable
}
