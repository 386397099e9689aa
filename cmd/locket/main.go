// Command locket serves the Locket gRPC API (locks and presences for the
// Diego daemons) from a SQL database: `locket -config FILE`.
package main

import (
	"context"
	"errors"
	"os"
	"time"

	"code.cloudfoundry.org/lager/v3"
	"github.com/tedsuo/ifrit"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/db/locketdb"
	"github.com/godiego/diego/internal/daemon"
	"github.com/godiego/diego/internal/debugserver"
	"github.com/godiego/diego/internal/logging"
	"github.com/godiego/diego/internal/metrics"
	"github.com/godiego/diego/internal/tlsconf"
	"github.com/godiego/diego/locket"
	"github.com/godiego/diego/locket/clock"
)

func main() {
	flags := daemon.ParseFlags("locket")
	cfg := locket.DefaultConfig()
	daemon.LoadConfig("locket", flags, &cfg)
	os.Exit(run(cfg))
}

func run(cfg locket.Config) int {
	logger, sink := logging.New("locket", cfg.LagerConfig)
	daemon.NoteUnusedKeys(logger, &cfg)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dbCfg := cfg.DBConfig()
	dbCfg.OnRetry = func(attempt int, err error) {
		logger.Info("sql-retrying-transaction", lager.Data{"attempt": attempt, "error": err.Error()})
	}
	sqlDB, err := db.Open(ctx, dbCfg)
	if err != nil {
		logger.Error("failed-to-open-sql", err)
		return daemon.ExitFailed
	}
	defer sqlDB.Close()
	store := locketdb.New(sqlDB, nil)
	if err := store.Migrate(ctx); err != nil {
		logger.Error("failed-to-migrate-lock-table", err)
		return daemon.ExitFailed
	}

	tlsConfig, err := tlsconf.Server(cfg.CertFile, cfg.KeyFile, cfg.CaFile)
	if err != nil {
		logger.Error("invalid-tls-config", err)
		return daemon.ExitFailed
	}

	clk := clock.Real()
	registry := metrics.NewRegistry()
	expiry := locket.NewExpiry(logger, store, clk)
	m := locket.NewMetrics(registry, expiry)
	registerPoolMetrics(registry, sqlDB)
	fatal := make(chan error, 1)
	onUnrecoverable := func(err error) {
		select {
		case fatal <- err:
		default:
		}
	}
	handler := locket.NewHandler(logger, store, expiry, m, onUnrecoverable)

	var members []daemon.Member
	if cfg.DebugAddress != "" {
		members = append(members, daemon.Member{Name: "debug-server", Runner: debugserver.Runner(cfg.DebugAddress, sink, registry)})
	}
	members = append(members,
		daemon.Member{Name: "server", Runner: locket.NewGRPCRunner(logger, cfg.ListenAddress, tlsConfig, handler)},
		daemon.Member{Name: "burglar", Runner: locket.NewBurglar(logger, store, expiry, clk, locket.RetryInterval)},
		daemon.Member{Name: "lock-metrics", Runner: locket.NewReporter(logger, store, m, clk, cfg.ReportInterval.D())},
		daemon.Member{Name: "unrecoverable-error-watch", Runner: exitOn(fatal)},
	)
	return daemon.Run(logger, members)
}

// exitOn returns a runner that fails, stopping the daemon, when the handler
// reports an unrecoverable database error (upstream exits then too).
func exitOn(fatal <-chan error) ifrit.Runner {
	return ifrit.RunFunc(func(signals <-chan os.Signal, ready chan<- struct{}) error {
		close(ready)
		select {
		case <-signals:
			return nil
		case err := <-fatal:
			return errors.Join(errors.New("shutting down on an unrecoverable database error"), err)
		}
	})
}

// registerPoolMetrics reports the SQL pool as upstream's db-metrics
// notifier does (DBOpenConnections, DBWaitCount, DBWaitDuration).
func registerPoolMetrics(reg *metrics.Registry, d *db.DB) {
	reg.GaugeFunc("locket_db_open_connections", "Open SQL connections (DBOpenConnections).",
		func() float64 { return float64(d.SQL().Stats().OpenConnections) })
	reg.GaugeFunc("locket_db_in_use_connections", "SQL connections in use.",
		func() float64 { return float64(d.SQL().Stats().InUse) })
	reg.GaugeFunc("locket_db_wait_count", "Waits for a free SQL connection so far (DBWaitCount).",
		func() float64 { return float64(d.SQL().Stats().WaitCount) })
	reg.GaugeFunc("locket_db_wait_seconds", "Time spent waiting for a free SQL connection so far (DBWaitDuration).",
		func() float64 { return d.SQL().Stats().WaitDuration.Seconds() })
}
