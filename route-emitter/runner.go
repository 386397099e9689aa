package routeemitter

import (
	"context"
	"os"
	"time"

	"code.cloudfoundry.org/lager/v3"
	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/internal/metrics"
	"github.com/godiego/diego/proto/models"
	"github.com/godiego/diego/route-emitter/emitter"
	"github.com/godiego/diego/route-emitter/routingtable"
)

// BBS is what the route-emitter needs from the BBS API.
type BBS interface {
	// ActualLRPs lists instances, on one cell when cellID is set.
	ActualLRPs(ctx context.Context, cellID string) ([]*models.ActualLRP, error)
	DesiredLRPRoutingInfos(ctx context.Context) ([]*models.DesiredLRP, error)
	Domains(ctx context.Context) ([]string, error)
	// SubscribeToInstanceEvents streams desired and instance events, for
	// one cell's instances when cellID is set.
	SubscribeToInstanceEvents(ctx context.Context, cellID string) (EventSource, error)
}

// EventSource yields decoded BBS events until closed.
type EventSource interface {
	Next() (proto.Message, error)
	Close() error
}

// Emitter sends messages to routers.
type Emitter interface {
	Emit(routingtable.Messages) error
}

// Runner is the route-emitter's main loop, an ifrit runner.
type Runner struct {
	Logger                  lager.Logger
	BBS                     BBS
	Table                   *routingtable.Table
	Emitter                 Emitter
	Starts                  <-chan emitter.StartMessage // router.start messages from the greeter
	InternalStarts          <-chan emitter.StartMessage // service-discovery.start messages; nil unless enable_internal_emitter
	TCP                     TCPEmitter                  // routing API; nil unless enable_tcp_emitter
	CellID                  string                      // local mode when set
	SyncInterval            time.Duration
	UnregistrationInterval  time.Duration
	UnregistrationSendCount int
	JitterFactor            float64
	Metrics                 *metrics.Registry // optional
}

type syncResult struct {
	desired []*models.DesiredLRP
	actuals []*models.ActualLRP
	domains []string
	err     error
	took    time.Duration
}

// Run implements ifrit.Runner.
func (r *Runner) Run(signals <-chan os.Signal, ready chan<- struct{}) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logger := r.Logger.Session("route-emitter")

	var (
		routes      = r.gauge("route_emitter_routes", "Registrations a full emission sends.")
		emitted     = r.counter("route_emitter_messages_total", "Messages sent to routers, by kind.", "kind")
		syncSeconds = r.histogram("route_emitter_sync_duration_seconds", "Duration of a full BBS resync.")
	)
	events := make(chan proto.Message, 1024)
	go r.streamEvents(ctx, logger, events)

	var tcp *tcpSender
	if r.TCP != nil {
		tcp = newTCPSender(r.TCP, logger)
		go tcp.run(ctx)
	}
	unregs := emitter.NewUnregistrations(r.UnregistrationSendCount)
	emit := func(m routingtable.Messages) {
		if m.Empty() {
			return
		}
		if tcp != nil {
			tcp.changed(ctx, m)
		}
		if err := r.Emitter.Emit(m); err != nil {
			logger.Error("failed-to-emit", err)
		}
		unregs.Track(m)
		if emitted != nil {
			emitted.With("register").Add(float64(len(m.Registrations) + len(m.InternalRegistrations)))
			emitted.With("unregister").Add(float64(len(m.Unregistrations) + len(m.InternalUnregistrations)))
		}
	}

	syncDone := make(chan syncResult, 1)
	syncing := false
	var pending []proto.Message
	startSync := func() {
		if syncing {
			return
		}
		syncing = true
		go func() { syncDone <- r.fetch(ctx) }()
	}
	startSync()
	syncTicker := time.NewTicker(r.SyncInterval)
	defer syncTicker.Stop()
	unregTicker := time.NewTicker(r.UnregistrationInterval)
	defer unregTicker.Stop()
	// Periodic emissions, as upstream's two route broadcast schedulers:
	// router.* intervals re-send HTTP registrations and refresh TCP
	// mappings, service-discovery.* intervals re-send internal ones.
	external := &schedule{jitterFactor: r.JitterFactor}
	internal := &schedule{jitterFactor: r.JitterFactor}
	defer external.stop()
	defer internal.stop()
	emitExternal := func() {
		all := r.Table.All()
		if len(all.Registrations) > 0 {
			if err := r.Emitter.Emit(routingtable.Messages{Registrations: all.Registrations}); err != nil {
				logger.Error("failed-to-emit-all", err)
			}
		}
		if tcp != nil {
			tcp.refresh(all.TCPMappings)
		}
	}
	emitInternal := func() {
		all := r.Table.All()
		if len(all.InternalRegistrations) == 0 {
			return
		}
		if err := r.Emitter.Emit(routingtable.Messages{InternalRegistrations: all.InternalRegistrations}); err != nil {
			logger.Error("failed-to-emit-all-internal", err)
		}
	}

	close(ready)
	logger.Info("started", lager.Data{"cell_id": r.CellID})
	for {
		select {
		case <-signals:
			logger.Info("stopping")
			return nil
		case ev := <-events:
			if syncing {
				pending = append(pending, ev)
				continue
			}
			emit(r.apply(ev))
		case res := <-syncDone:
			syncing = false
			if res.err != nil {
				logger.Error("sync-failed", res.err)
				pending = pending[:0]
				continue
			}
			if syncSeconds != nil {
				syncSeconds.Observe(res.took.Seconds())
			}
			emit(r.sync(res))
			for _, ev := range pending {
				emit(r.apply(ev))
			}
			pending = pending[:0]
			if routes != nil {
				routes.Set(float64(r.Table.RouteCount()))
			}
		case <-syncTicker.C:
			startSync()
		case <-unregTicker.C:
			emit(unregs.Due())
		case start := <-r.Starts:
			if external.started(start) {
				emitExternal()
			}
		case <-external.jitter:
			external.jittered()
			emitExternal()
		case <-external.tick:
			emitExternal()
		case start := <-r.InternalStarts:
			if internal.started(start) {
				emitInternal()
			}
		case <-internal.jitter:
			internal.jittered()
			emitInternal()
		case <-internal.tick:
			emitInternal()
		}
	}
}

func (r *Runner) fetch(ctx context.Context) syncResult {
	begin := time.Now()
	var res syncResult
	ctx, cancel := context.WithTimeout(ctx, 2*r.SyncInterval)
	defer cancel()
	if res.domains, res.err = r.BBS.Domains(ctx); res.err != nil {
		return res
	}
	if res.desired, res.err = r.BBS.DesiredLRPRoutingInfos(ctx); res.err != nil {
		return res
	}
	res.actuals, res.err = r.BBS.ActualLRPs(ctx, r.CellID)
	res.took = time.Since(begin)
	return res
}

func (r *Runner) sync(res syncResult) routingtable.Messages {
	fresh := make(map[string]bool, len(res.domains))
	for _, d := range res.domains {
		fresh[d] = true
	}
	desired := make([]routingtable.DesiredRoutes, 0, len(res.desired))
	for _, d := range res.desired {
		desired = append(desired, routingtable.DesiredRoutesFrom(d))
	}
	return r.Table.Sync(desired, res.actuals, fresh)
}

// apply feeds one BBS event to the table.
func (r *Runner) apply(ev proto.Message) routingtable.Messages {
	switch e := ev.(type) {
	case *models.DesiredLRPCreatedEvent:
		return r.Table.SetDesired(routingtable.DesiredRoutesFrom(e.GetDesiredLrp()))
	case *models.DesiredLRPChangedEvent:
		return r.Table.SetDesired(routingtable.DesiredRoutesFrom(e.GetAfter()))
	case *models.DesiredLRPRemovedEvent:
		return r.Table.RemoveDesired(e.GetDesiredLrp().GetProcessGuid())
	case *models.ActualLRPInstanceCreatedEvent:
		return r.Table.SetActual(e.GetActualLrp())
	case *models.ActualLRPInstanceChangedEvent:
		return r.Table.SetActual(actualFromInfo(e.GetActualLrpKey(), e.GetActualLrpInstanceKey(), e.GetAfter()))
	case *models.ActualLRPInstanceRemovedEvent:
		return r.Table.RemoveActual(e.GetActualLrp())
	}
	return routingtable.Messages{}
}

func actualFromInfo(key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey, info *models.ActualLRPInfo) *models.ActualLRP {
	lrp := &models.ActualLRP{
		ActualLrpKey:         key,
		ActualLrpInstanceKey: ik,
		ActualLrpNetInfo:     info.GetActualLrpNetInfo(),
		State:                info.GetState(),
		Since:                info.GetSince(),
		Presence:             info.GetPresence(),
		AvailabilityZone:     info.GetAvailabilityZone(),
	}
	if r, ok := info.GetOptionalRoutable().(*models.ActualLRPInfo_Routable); ok {
		lrp.OptionalRoutable = &models.ActualLRP_Routable{Routable: r.Routable}
	}
	return lrp
}

// streamEvents subscribes to the BBS instance stream and reconnects after
// a second whenever it breaks, until ctx ends.
func (r *Runner) streamEvents(ctx context.Context, logger lager.Logger, out chan<- proto.Message) {
	for ctx.Err() == nil {
		src, err := r.BBS.SubscribeToInstanceEvents(ctx, r.CellID)
		if err != nil {
			logger.Error("failed-subscribing-to-events", err)
			sleep(ctx, time.Second)
			continue
		}
		go func() { <-ctx.Done(); _ = src.Close() }()
		for {
			ev, err := src.Next()
			if err != nil {
				if ctx.Err() == nil {
					logger.Error("event-stream-broke", err)
				}
				_ = src.Close()
				break
			}
			select {
			case out <- ev:
			case <-ctx.Done():
				return
			}
		}
		sleep(ctx, time.Second)
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func (r *Runner) gauge(name, help string) *metrics.Gauge {
	if r.Metrics == nil {
		return nil
	}
	return r.Metrics.Gauge(name, help).With()
}

func (r *Runner) counter(name, help string, labels ...string) *metrics.Counter {
	if r.Metrics == nil {
		return nil
	}
	return r.Metrics.Counter(name, help, labels...)
}

func (r *Runner) histogram(name, help string) *metrics.Histogram {
	if r.Metrics == nil {
		return nil
	}
	return r.Metrics.Histogram(name, help, nil).With()
}
