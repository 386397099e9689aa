// Package evacuation owns the rep's drain: once triggered it marks the cell
// evacuating (the auction skips it, Perform fails all work, the harmonizer
// hands instances over through the BBS evacuation routes and polls more
// often), waits until the executor holds no containers or the evacuation
// timeout passes, then cleans up and lets the rep exit.
package evacuation

import (
	"context"
	"sync"
	"time"

	"code.cloudfoundry.org/lager/v3"

	bbsclient "github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/executor"
	"github.com/godiego/diego/executor/applog"
	"github.com/godiego/diego/proto/models"
	"github.com/godiego/diego/rep"
)

// Kicker asks the sync loop for a pass now.
type Kicker interface{ Kick() }

// Evacuator runs an evacuation when triggered.
type Evacuator struct {
	CellID                   string
	Flag                     *rep.Evacuation
	Executor                 rep.Executor
	BBS                      rep.BBS
	Sync                     Kicker
	Timeout                  time.Duration
	PollingInterval          time.Duration
	GracefulShutdownInterval time.Duration
	Sink                     applog.Sink
	Logger                   lager.Logger

	once    sync.Once
	trigger chan struct{}
}

func (e *Evacuator) init() {
	e.once.Do(func() { e.trigger = make(chan struct{}) })
}

// Trigger starts the evacuation; later calls do nothing.
func (e *Evacuator) Trigger() {
	e.init()
	if e.Flag.Start() {
		e.Logger.Info("evacuation-started")
		close(e.trigger)
		e.Sync.Kick()
	}
}

// Run waits for a trigger, then evacuates. It returns true once the cell
// is evacuated (the rep should exit), false when ctx ends first.
func (e *Evacuator) Run(ctx context.Context) bool {
	e.init()
	select {
	case <-ctx.Done():
		return false
	case <-e.trigger:
	}
	deadline := time.NewTimer(e.Timeout)
	defer deadline.Stop()
	poll := time.NewTicker(e.pollInterval())
	defer poll.Stop()
	timedOut := false
	for len(e.Executor.ListContainers()) > 0 && !timedOut {
		select {
		case <-ctx.Done():
			timedOut = true
		case <-deadline.C:
			e.Logger.Info("evacuation-timed-out")
			timedOut = true
		case <-poll.C:
		}
	}
	e.Logger.Info("evacuation-complete", lager.Data{"timed_out": timedOut})
	e.Cleanup(context.Background())
	return true
}

func (e *Evacuator) pollInterval() time.Duration {
	if e.PollingInterval > 0 && e.PollingInterval < time.Second {
		return e.PollingInterval
	}
	return time.Second
}

// Cleanup removes this cell's EVACUATING actual LRPs from the BBS, deletes
// remaining containers (app log "Cell X reached evacuation timeout for
// instance Y") and waits up to the graceful shutdown interval for them.
func (e *Evacuator) Cleanup(ctx context.Context) {
	lrps, err := e.BBS.ActualLRPs(ctx, bbsclient.ActualLRPFilter{CellID: e.CellID})
	if err != nil {
		e.Logger.Error("cleanup-list-lrps-failed", err)
	}
	stranded := 0
	for _, l := range lrps {
		if l.GetPresence() != models.ActualLRP_EVACUATING {
			continue
		}
		stranded++
		if err := e.BBS.RemoveEvacuatingActualLRP(ctx, l.GetActualLrpKey(), l.GetActualLrpInstanceKey()); err != nil {
			e.Logger.Error("cleanup-remove-evacuating-failed", err)
		}
	}
	e.Logger.Info("stranded-evacuating-actual-lrps", lager.Data{"StrandedEvacuatingActualLRPs": stranded})

	containers := e.Executor.ListContainers()
	var wg sync.WaitGroup
	for _, c := range containers {
		if c.Tags[executor.LifecycleTag] == executor.LRPLifecycle {
			e.cellLog(c).Printf("Cell %s reached evacuation timeout for instance %s", e.CellID, c.Guid)
		}
		wg.Add(1)
		go func(guid string) {
			defer wg.Done()
			if err := e.Executor.DeleteContainer(guid); err != nil {
				e.Logger.Error("cleanup-delete-failed", err, lager.Data{"guid": guid})
			}
		}(c.Guid)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(e.GracefulShutdownInterval + 5*time.Second):
		e.Logger.Info("cleanup-gave-up-waiting")
	}
}

func (e *Evacuator) cellLog(c executor.Container) *applog.Streamer {
	sink := e.Sink
	if sink == nil {
		sink = applog.LagerSink{Logger: e.Logger}
	}
	return applog.NewStreamer(sink, c.LogConfig.Guid, c.LogConfig.Index, "CELL", c.LogConfig.Tags)
}
