package auctioneer

import (
	"context"
	"fmt"
	"time"

	"code.cloudfoundry.org/lager/v3"
	"github.com/google/uuid"
	"github.com/tedsuo/ifrit/http_server"

	bbsclient "github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/internal/daemon"
	"github.com/godiego/diego/internal/debugserver"
	"github.com/godiego/diego/internal/metrics"
	"github.com/godiego/diego/internal/tlsconf"
	locketclient "github.com/godiego/diego/locket/client"
	"github.com/godiego/diego/proto/locketmodels"
	rep "github.com/godiego/diego/rep/client"
)

// LockKey is the locket lock the active auctioneer holds.
const LockKey = "auctioneer"

// Members wires the auctioneer: the debug server, then the `auctioneer`
// lock, then the auction runner and the API server, which only start once
// the lock is held. The returned func releases connections.
func Members(ctx context.Context, cfg Config, logger lager.Logger, sink *lager.ReconfigurableSink, reg *metrics.Registry) ([]daemon.Member, func(), error) {
	locket, err := locketclient.New(ctx, cfg.Config)
	if err != nil {
		return nil, nil, err
	}
	bbs, err := bbsclient.NewForAddress(cfg.BBSAddress, cfg.BBSCACertFile, cfg.BBSClientCertFile, cfg.BBSClientKeyFile, cfg.CommunicationTimeout.D())
	if err != nil {
		locket.Close()
		return nil, nil, err
	}
	reps, err := newRepFactory(cfg)
	if err != nil {
		locket.Close()
		return nil, nil, err
	}
	queue := NewQueue()
	runner := &Runner{
		Logger: logger, Queue: queue, BBS: bbs, Reps: reps, Options: cfg.PlacementOptions(),
		Workers: cfg.AuctionRunnerWorkers, Metrics: NewMetrics(reg), Now: time.Now,
	}
	handler := &Handler{Logger: logger, Queue: queue, NewGUID: func() string { return uuid.NewString() }, Now: time.Now}
	reg.GaugeFunc("auctioneer_queued_auctions", "Auctions waiting for the next round.", func() float64 { return float64(queue.Len()) })

	var server = http_server.New(cfg.ListenAddress, handler.Routes())
	if cfg.ServesTLS() {
		tlsCfg, err := tlsconf.Server(cfg.ServerCertFile, cfg.ServerKeyFile, cfg.CACertFile)
		if err != nil {
			locket.Close()
			return nil, nil, fmt.Errorf("auctioneer server TLS: %w", err)
		}
		server = http_server.NewTLSServer(cfg.ListenAddress, handler.Routes(), tlsCfg)
	}
	lock := locketclient.NewLockRunner(logger, locket,
		&locketmodels.Resource{Key: LockKey, Owner: cfg.UUID, TypeCode: locketmodels.TypeCode_LOCK, Type: "lock"},
		int64(cfg.LockTTL.D()/time.Second), nil, cfg.LockRetryInterval.D())

	var members []daemon.Member
	if cfg.DebugAddress != "" {
		members = append(members, daemon.Member{Name: "debug-server", Runner: debugserver.Runner(cfg.DebugAddress, sink, reg)})
	}
	members = append(members,
		daemon.Member{Name: "lock", Runner: lock},
		daemon.Member{Name: "auction-runner", Runner: runner},
		daemon.Member{Name: "server", Runner: server},
	)
	return members, func() { locket.Close() }, nil
}

func newRepFactory(cfg Config) (*rep.Factory, error) {
	c := rep.Config{RequireTLS: cfg.RepRequireTLS, Timeout: cfg.CommunicationTimeout.D(), StateTimeout: cfg.CellStateTimeout.D(),
		SessionCacheSize: cfg.RepClientSessionCacheSize}
	if cfg.RepCACert != "" || cfg.RepClientCert != "" {
		tlsCfg, err := tlsconf.Client(cfg.RepClientCert, cfg.RepClientKey, cfg.RepCACert, false)
		if err != nil {
			return nil, fmt.Errorf("rep client TLS: %w", err)
		}
		c.TLS = tlsCfg
	}
	return rep.NewFactory(c), nil
}
