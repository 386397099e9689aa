package daemon

import (
	"context"
	"os"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/internal/logging"
	"github.com/godiego/diego/internal/metrics"
)

// Env is what a daemon's wiring gets besides its config.
type Env struct {
	Logger  lager.Logger
	Sink    *lager.ReconfigurableSink // for the debug server's /log-level
	Metrics *metrics.Registry         // served on the debug server's /metrics
}

// Wiring builds a daemon's ordered members from its loaded config; the
// returned func (may be nil) releases connections after the members stop.
type Wiring[C any] func(ctx context.Context, cfg C, env Env) ([]Member, func(), error)

// Main is a whole daemon main: it parses -config/-check-config, loads the
// config over the defaults in cfg, builds the logger from the config's
// lager keys (lagerOf picks them out), notes unused keys, wires the members,
// runs them and exits with the group's code.
func Main[C any](name string, cfg *C, lagerOf func(*C) logging.LagerConfig, wire Wiring[C]) {
	flags := ParseFlags(name)
	LoadConfig(name, flags, cfg)
	logger, sink := logging.New(name, lagerOf(cfg))
	NoteUnusedKeys(logger, cfg)
	members, closeAll, err := wire(context.Background(), *cfg, Env{Logger: logger, Sink: sink, Metrics: metrics.NewRegistry()})
	if err != nil {
		logger.Error("failed-to-start", err)
		os.Exit(ExitFailed)
	}
	code := Run(logger, members)
	if closeAll != nil {
		closeAll()
	}
	os.Exit(code)
}
