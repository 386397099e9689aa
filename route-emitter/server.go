package routeemitter

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"code.cloudfoundry.org/lager/v3"
	"github.com/nats-io/nats.go"
	"github.com/tedsuo/ifrit"
	"github.com/tedsuo/ifrit/http_server"
	"google.golang.org/protobuf/proto"

	bbsclient "github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/internal/daemon"
	"github.com/godiego/diego/internal/debugserver"
	"github.com/godiego/diego/internal/metrics"
	"github.com/godiego/diego/internal/tlsconf"
	locketclient "github.com/godiego/diego/locket/client"
	"github.com/godiego/diego/proto/locketmodels"
	"github.com/godiego/diego/proto/models"
	"github.com/godiego/diego/route-emitter/emitter"
	"github.com/godiego/diego/route-emitter/routingtable"
)

// LockKey is the locket lock a global route-emitter holds.
const LockKey = "route_emitter"

// Members wires the route-emitter: health and debug servers, then (in
// global mode) the `route_emitter` lock, then the NATS greeter and the
// emitter loop. The returned func closes connections.
func Members(ctx context.Context, cfg Config, logger lager.Logger, sink *lager.ReconfigurableSink, reg *metrics.Registry) ([]daemon.Member, func(), error) {
	bbs, err := bbsclient.NewForAddress(cfg.BBSAddress, cfg.BBSCACertFile, cfg.BBSClientCertFile, cfg.BBSClientKeyFile, cfg.CommunicationTimeout.D())
	if err != nil {
		return nil, nil, err
	}
	conn, err := connectNATS(cfg, logger)
	if err != nil {
		return nil, nil, err
	}
	closers := []func(){conn.Close}
	closeAll := func() {
		for _, c := range closers {
			c()
		}
	}

	var members []daemon.Member
	members = append(members, daemon.Member{Name: "healthcheck", Runner: http_server.New(cfg.HealthCheckAddress,
		http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))})
	if cfg.DebugAddress != "" {
		members = append(members, daemon.Member{Name: "debug-server", Runner: debugserver.Runner(cfg.DebugAddress, sink, reg)})
	}
	if !cfg.LocalMode() {
		locket, err := locketclient.New(ctx, cfg.Config)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		closers = append(closers, func() { locket.Close() })
		members = append(members, daemon.Member{Name: "lock", Runner: locketclient.NewLockRunner(logger, locket,
			&locketmodels.Resource{Key: LockKey, Owner: cfg.UUID, TypeCode: locketmodels.TypeCode_LOCK, Type: "lock"},
			int64(cfg.LockTTL.D()/time.Second), nil, cfg.LockRetryInterval.D())})
	}

	starts := make(chan emitter.StartMessage, 4)
	var internalStarts chan emitter.StartMessage
	if cfg.EnableInternalEmitter {
		internalStarts = make(chan emitter.StartMessage, 4)
	}
	var tcp TCPEmitter
	if cfg.EnableTCPEmitter {
		e, err := newRoutingAPIEmitter(cfg, logger)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		tcp = e
	}
	runner := &Runner{
		Logger:                  logger,
		BBS:                     bbsAdapter{bbs},
		Table:                   routingtable.New(routingtable.Options{RegisterDirectInstanceRoutes: cfg.RegisterDirectInstanceRoutes}),
		Emitter:                 emitter.NewNATSEmitter(conn, cfg.EnableInternalEmitter),
		Starts:                  starts,
		InternalStarts:          internalStarts,
		TCP:                     tcp,
		CellID:                  cfg.CellID,
		SyncInterval:            cfg.SyncInterval.D(),
		UnregistrationInterval:  cfg.UnregistrationInterval.D(),
		UnregistrationSendCount: cfg.UnregistrationSendCount,
		JitterFactor:            cfg.JitterFactor,
		Metrics:                 reg,
	}
	members = append(members, daemon.Member{Name: "greeter", Runner: greeterRunner(emitter.NewGreeter(conn, false, time.Second), starts)})
	if cfg.EnableInternalEmitter {
		members = append(members, daemon.Member{Name: "internal-greeter",
			Runner: greeterRunner(emitter.NewGreeter(conn, true, time.Second), internalStarts)})
	}
	members = append(members, daemon.Member{Name: "emitter", Runner: runner})
	return members, closeAll, nil
}

// greeterRunner runs a greeter as an ifrit member.
func greeterRunner(g *emitter.Greeter, starts chan<- emitter.StartMessage) ifrit.Runner {
	return ifrit.RunFunc(func(signals <-chan os.Signal, ready chan<- struct{}) error {
		stop := make(chan struct{})
		done := make(chan error, 1)
		go func() { done <- g.Run(starts, stop) }()
		close(ready)
		select {
		case <-signals:
			close(stop)
			return <-done
		case err := <-done:
			return err
		}
	})
}

func connectNATS(cfg Config, logger lager.Logger) (*nats.Conn, error) {
	opts := []nats.Option{
		nats.Name("route-emitter"),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(500 * time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) { logger.Error("nats-disconnected", err) }),
		nats.ReconnectHandler(func(*nats.Conn) { logger.Info("nats-reconnected") }),
	}
	if cfg.NATSUsername != "" {
		opts = append(opts, nats.UserInfo(cfg.NATSUsername, cfg.NATSPassword))
	}
	if cfg.NATSTLSEnabled {
		tlsCfg, err := tlsconf.Client(cfg.NATSClientCertFile, cfg.NATSClientKeyFile, cfg.NATSCACertFile, false)
		if err != nil {
			return nil, fmt.Errorf("nats TLS: %w", err)
		}
		opts = append(opts, nats.Secure(tlsCfg))
	}
	urls := ""
	for i, u := range cfg.NATSURLs() {
		if i > 0 {
			urls += ","
		}
		urls += u
	}
	conn, err := nats.Connect(urls, opts...)
	if err != nil {
		return nil, fmt.Errorf("connecting to NATS at %s: %w", urls, err)
	}
	return conn, nil
}

// bbsAdapter fits the BBS client to the narrow interface the runner uses.
type bbsAdapter struct{ c *bbsclient.Client }

func (a bbsAdapter) ActualLRPs(ctx context.Context, cellID string) ([]*models.ActualLRP, error) {
	return a.c.ActualLRPs(ctx, bbsclient.ActualLRPFilter{CellID: cellID})
}

func (a bbsAdapter) DesiredLRPRoutingInfos(ctx context.Context) ([]*models.DesiredLRP, error) {
	return a.c.DesiredLRPRoutingInfos(ctx, bbsclient.DesiredLRPFilter{})
}

func (a bbsAdapter) Domains(ctx context.Context) ([]string, error) { return a.c.Domains(ctx) }

func (a bbsAdapter) SubscribeToInstanceEvents(ctx context.Context, cellID string) (EventSource, error) {
	var src *bbsclient.EventSource
	var err error
	if cellID == "" {
		src, err = a.c.SubscribeToInstanceEvents(ctx)
	} else {
		src, err = a.c.SubscribeToInstanceEventsByCellID(ctx, cellID)
	}
	if err != nil {
		return nil, err
	}
	return eventAdapter{src}, nil
}

type eventAdapter struct{ src *bbsclient.EventSource }

func (e eventAdapter) Next() (proto.Message, error) {
	ev, err := e.src.Next()
	return ev.Message, err
}

func (e eventAdapter) Close() error { return e.src.Close() }
