package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"code.cloudfoundry.org/lager/v3"
	"github.com/tedsuo/ifrit"
	"github.com/tedsuo/ifrit/http_server"

	auctioneer "github.com/godiego/diego/auctioneer/client"
	"github.com/godiego/diego/bbs/cells"
	"github.com/godiego/diego/bbs/controllers"
	"github.com/godiego/diego/bbs/converger"
	"github.com/godiego/diego/bbs/events"
	"github.com/godiego/diego/bbs/handlers"
	"github.com/godiego/diego/db"
	"github.com/godiego/diego/db/bbsdb"
	"github.com/godiego/diego/db/bbsdb/encryption"
	"github.com/godiego/diego/internal/daemon"
	"github.com/godiego/diego/internal/debugserver"
	"github.com/godiego/diego/internal/metrics"
	"github.com/godiego/diego/internal/tlsconf"
	locket "github.com/godiego/diego/locket/client"
	"github.com/godiego/diego/proto/locketmodels"
	"github.com/godiego/diego/proto/models"
	rep "github.com/godiego/diego/rep/client"
)

// LockKey is the Locket lock the active BBS holds.
const LockKey = "bbs"

// Members builds the BBS's ordered process group. It dials Locket and
// opens the database (without migrating); the returned close function
// releases them.
func Members(ctx context.Context, cfg Config, logger lager.Logger, sink *lager.ReconfigurableSink, reg *metrics.Registry) ([]daemon.Member, func(), error) {
	serverTLS, err := tlsconf.Server(cfg.CertFile, cfg.KeyFile, cfg.CaFile)
	if err != nil {
		return nil, nil, fmt.Errorf("server TLS: %w", err)
	}
	// Event streams hijack their connection, which only HTTP/1.1 allows.
	serverTLS.NextProtos = []string{"http/1.1"}
	ring, err := encryption.NewKeyRing(cfg.EncryptionConfig)
	if err != nil {
		return nil, nil, err
	}
	sqlDB, err := db.Open(ctx, cfg.dbConfig())
	if err != nil {
		return nil, nil, fmt.Errorf("opening database: %w", err)
	}
	// The active BBS is the only writer: reads come from a write-through
	// index, loaded once migrations are done.
	store := bbsdb.NewIndexed(bbsdb.New(sqlDB, encryption.NewEncoder(ring, nil), nil, nil))

	locketClient, err := locket.New(ctx, cfg.LocketConfig)
	if err != nil {
		sqlDB.Close()
		return nil, nil, err
	}
	closeAll := func() { locketClient.Close(); sqlDB.Close() }

	auctioneerClient, err := newAuctioneerClient(cfg)
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	repFactory, err := newRepFactory(cfg)
	if err != nil {
		closeAll()
		return nil, nil, err
	}

	cellLister := &cells.Locket{Client: locketClient, Logger: logger.Session("cells")}
	subscribers := reg.Gauge("bbs_event_stream_subscribers", "Open event stream subscriptions, by stream.", "stream")
	hub := events.NewHub(func(kinds []events.Kind, delta int) {
		subscribers.With(streamName(kinds)).Add(float64(delta))
	})
	ctrl := &controllers.Controller{
		Store: store, Auctioneer: auctioneerClient, Reps: cells.Reps{Factory: repFactory}, Cells: cellLister,
		Emitter: hub, Logger: logger,
		MaxTaskRetries: cfg.MaxTaskRetries, UpdateWorkers: cfg.UpdateWorkers,
	}
	callbackTLS := serverTLS.Clone()
	callbackTLS.RootCAs = serverTLS.ClientCAs
	callbackTLS.ClientAuth = tls.NoClientCert
	ctrl.Callbacks = &controllers.TaskCallbacks{
		HTTP:       &http.Client{Timeout: cfg.CommunicationTimeout.D(), Transport: &http.Transport{TLSClientConfig: callbackTLS}},
		Controller: ctrl, Logger: logger.Session("task-callbacks"),
	}

	var accessLogger lager.Logger
	if cfg.AccessLogPath != "" {
		f, err := os.OpenFile(cfg.AccessLogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("opening access_log_path: %w", err)
		}
		accessLogger = lager.NewLogger("bbs-access")
		accessLogger.RegisterSink(lager.NewWriterSink(f, lager.INFO))
	}

	migrated := make(chan struct{})
	exit := make(chan struct{}, 1)
	api := handlers.New(handlers.Config{
		Logger: logger, AccessLogger: accessLogger, Store: store, Controller: ctrl, Cells: cellLister, Hub: hub,
		Metrics: handlers.NewMetrics(reg), Ready: migrated, Exit: exit,
	})

	conv := &converger.Converger{
		Controller: ctrl, Cells: cellLister, Logger: logger.Session("converger"),
		Interval: cfg.ConvergeRepeatInterval.D(), Kick: cfg.KickTaskDuration.D(),
		ExpirePending: cfg.ExpirePendingTaskDuration.D(), ExpireCompleted: cfg.ExpireCompletedTaskDuration.D(),
		Workers: cfg.ConvergenceWorkers, Metrics: converger.NewMetrics(reg),
	}

	lock := locket.NewLockRunner(logger.Session("lock"), locketClient, &locketmodels.Resource{
		Key: LockKey, Owner: cfg.UUID, Type: "lock", TypeCode: locketmodels.TypeCode_LOCK,
	}, locket.DefaultSessionTTLInSeconds, nil, locket.SQLRetryInterval)

	var members []daemon.Member
	members = append(members, daemon.Member{Name: "health", Runner: http_server.New(cfg.HealthAddress, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	}))})
	if cfg.DebugAddress != "" {
		members = append(members, daemon.Member{Name: "debug-server", Runner: debugserver.Runner(cfg.DebugAddress, sink, reg)})
	}
	members = append(members,
		daemon.Member{Name: "lock", Runner: lock},
		daemon.Member{Name: "hub-closer", Runner: closeOnSignal(hub.Close)},
		daemon.Member{Name: "server", Runner: http_server.NewTLSServer(cfg.ListenAddress, api, serverTLS)},
		daemon.Member{Name: "migration-manager", Runner: migrations(store, migrated, logger)},
		daemon.Member{Name: "encryptor", Runner: rotateKeys(store, ring, logger)},
		daemon.Member{Name: "task-callbacks", Runner: callbackWorkers(ctrl.Callbacks, cfg.TaskCallbackWorkers)},
		daemon.Member{Name: "converger", Runner: conv},
		daemon.Member{Name: "exit-on-unrecoverable", Runner: exitOn(exit, logger)},
	)
	return members, closeAll, nil
}

func streamName(kinds []events.Kind) string {
	for _, k := range kinds {
		switch k {
		case events.KindTask:
			return "tasks"
		case events.KindActualGroup:
			return "lrp_groups"
		case events.KindActualInstance:
			return "lrp_instances"
		}
	}
	return "other"
}

func newAuctioneerClient(cfg Config) (*auctioneer.Client, error) {
	ac := auctioneer.Config{URL: cfg.AuctioneerAddress, RequireTLS: cfg.AuctioneerRequireTLS, Timeout: cfg.CommunicationTimeout.D()}
	if cfg.AuctioneerCACert != "" {
		t, err := tlsconf.Client(cfg.AuctioneerClientCert, cfg.AuctioneerClientKey, cfg.AuctioneerCACert, false)
		if err != nil {
			return nil, fmt.Errorf("auctioneer client TLS: %w", err)
		}
		ac.TLS = t
	}
	return auctioneer.New(ac)
}

func newRepFactory(cfg Config) (*rep.Factory, error) {
	rc := rep.Config{RequireTLS: cfg.RepRequireTLS, Timeout: cfg.CommunicationTimeout.D(), SessionCacheSize: cfg.RepClientSessionCacheSize}
	if cfg.RepCACert != "" {
		t, err := tlsconf.Client(cfg.RepClientCert, cfg.RepClientKey, cfg.RepCACert, false)
		if err != nil {
			return nil, fmt.Errorf("rep client TLS: %w", err)
		}
		rc.TLS = t
	}
	return rep.NewFactory(rc), nil
}

// migrations brings the schema up to date, then opens the API.
func migrations(store bbsdb.Store, done chan<- struct{}, logger lager.Logger) ifrit.Runner {
	return ifrit.RunFunc(func(signals <-chan os.Signal, ready chan<- struct{}) error {
		logger := logger.Session("migration-manager")
		start := time.Now()
		errCh := make(chan error, 1)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() { errCh <- store.Migrate(ctx) }()
		select {
		case err := <-errCh:
			if err != nil {
				logger.Error("failed-to-migrate", err)
				return fmt.Errorf("migrating: %w", err)
			}
		case <-signals:
			return nil
		}
		logger.Info("finished-migrations", lager.Data{"duration": time.Since(start).String()})
		close(done)
		close(ready)
		<-signals
		return nil
	})
}

// rotateKeys re-encrypts stored data when the active key changed. A stored
// label that no configured key has is fatal: the data could not be read.
func rotateKeys(store bbsdb.Store, ring *encryption.KeyRing, logger lager.Logger) ifrit.Runner {
	return ifrit.RunFunc(func(signals <-chan os.Signal, ready chan<- struct{}) error {
		logger := logger.Session("encryptor")
		ctx := context.Background()
		current, err := store.EncryptionKeyLabel(ctx)
		if err != nil && !isNotFound(err) {
			return fmt.Errorf("reading the encryption key label: %w", err)
		}
		active := ring.Active().Label()
		if current != active {
			if current != "" && !ring.Has(current) {
				return fmt.Errorf("existing encryption key version (%s) is not among the known keys", current)
			}
			start := time.Now()
			if err := store.PerformEncryption(ctx); err != nil {
				return fmt.Errorf("re-encrypting: %w", err)
			}
			if err := store.SetEncryptionKeyLabel(ctx, active); err != nil {
				return err
			}
			logger.Info("encryption-finished", lager.Data{"from": current, "to": active, "duration": time.Since(start).String()})
		}
		close(ready)
		<-signals
		return nil
	})
}

func isNotFound(err error) bool {
	var me *models.Error
	return errors.As(err, &me) && me.Type == models.Error_ResourceNotFound
}

func callbackWorkers(p *controllers.TaskCallbacks, workers int) ifrit.Runner {
	return ifrit.RunFunc(func(signals <-chan os.Signal, ready chan<- struct{}) error {
		p.Start(workers)
		close(ready)
		<-signals
		p.Stop()
		return nil
	})
}

// closeOnSignal runs fn when the group stops (closing the hub ends every
// event stream, so clients reconnect to the next leader).
func closeOnSignal(fn func()) ifrit.Runner {
	return ifrit.RunFunc(func(signals <-chan os.Signal, ready chan<- struct{}) error {
		close(ready)
		<-signals
		fn()
		return nil
	})
}

// exitOn stops the group, cleanly as upstream does, when exit receives a
// value (a handler met an Unrecoverable error).
func exitOn(exit <-chan struct{}, logger lager.Logger) ifrit.Runner {
	return ifrit.RunFunc(func(signals <-chan os.Signal, ready chan<- struct{}) error {
		close(ready)
		select {
		case <-signals:
		case <-exit:
			logger.Info("exiting-after-unrecoverable-error")
		}
		return nil
	})
}
