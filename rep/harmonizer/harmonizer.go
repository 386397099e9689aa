// Package harmonizer keeps the BBS in step with the cell's containers: it
// turns every executor event into an operation for that container, and
// every polling interval (shorter once evacuating) it lists containers,
// this cell's actual LRPs and tasks, and plans every container and every
// record without one. Plans come from the pure reconcile package; this
// package executes them against the executor and the BBS.
package harmonizer

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/executor"
	"github.com/godiego/diego/executor/applog"
	"github.com/godiego/diego/proto/models"
	"github.com/godiego/diego/rep"
	"github.com/godiego/diego/rep/reconcile"
)

// MaxResultSize is the largest task result file the rep reports (50 KiB).
const MaxResultSize = 50 * 1024

// ErrResultFileTooLarge is returned when a result file exceeds MaxResultSize.
var ErrResultFileTooLarge = fmt.Errorf("result file is too large (over %d bytes)", MaxResultSize)

// Config configures a Harmonizer.
type Config struct {
	CellID                    string
	Zone                      string
	PreferInstanceAddress     bool
	PollingInterval           time.Duration
	EvacuationPollingInterval time.Duration
	Executor                  rep.Executor
	BBS                       rep.BBS
	Evacuation                *rep.Evacuation
	Sink                      applog.Sink
	Logger                    lager.Logger
	// Concurrency bounds operations in flight (default 64).
	Concurrency int
}

// Harmonizer executes reconcile plans.
type Harmonizer struct {
	cfg    Config
	log    lager.Logger
	q      *queue
	kick   chan struct{}
	mu     sync.Mutex
	synced int
}

// New returns a harmonizer.
func New(cfg Config) *Harmonizer {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 64
	}
	return &Harmonizer{cfg: cfg, log: cfg.Logger.Session("harmonizer"), q: newQueue(cfg.Concurrency), kick: make(chan struct{}, 1)}
}

// Kick asks the bulk loop for a pass now (evacuation uses it).
func (h *Harmonizer) Kick() {
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

// Run consumes executor events and runs the bulk loop until ctx ends.
func (h *Harmonizer) Run(ctx context.Context) {
	events, stop := h.cfg.Executor.Subscribe()
	defer stop()
	go h.bulkLoop(ctx)
	for {
		select {
		case <-ctx.Done():
			h.q.wait()
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			h.ProcessContainer(ctx, ev.Container.Guid)
		}
	}
}

func (h *Harmonizer) bulkLoop(ctx context.Context) {
	for {
		interval := h.cfg.PollingInterval
		if h.cfg.Evacuation.Evacuating() && h.cfg.EvacuationPollingInterval > 0 {
			interval = h.cfg.EvacuationPollingInterval
		}
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-h.kick:
			t.Stop()
		}
		if err := h.Sync(ctx); err != nil {
			h.log.Error("bulk-sync-failed", err)
		}
	}
}

// ProcessContainer schedules the plan for one container, made from its
// state when the operation runs.
func (h *Harmonizer) ProcessContainer(ctx context.Context, guid string) {
	h.q.push(ctx, guid, func(ctx context.Context) {
		c, err := h.cfg.Executor.GetContainer(guid)
		if err != nil {
			return
		}
		h.Execute(ctx, h.planFor(c))
	})
}

func (h *Harmonizer) planFor(c executor.Container) reconcile.Plan {
	var keys *reconcile.Keys
	if c.Tags[executor.LifecycleTag] == executor.LRPLifecycle {
		key, err1 := rep.ActualLRPKeyFromTags(c.Tags)
		ik, err2 := rep.ActualLRPInstanceKeyFromContainer(c, h.cfg.CellID)
		if err1 == nil && err2 == nil {
			keys = &reconcile.Keys{Key: key, InstanceKey: ik}
		}
	}
	return reconcile.ForContainer(c, keys, h.cfg.Evacuation.Evacuating())
}

// Sync is one bulk pass: every container and every orphaned BBS record
// gets its plan scheduled. It returns once they have been scheduled.
func (h *Harmonizer) Sync(ctx context.Context) error {
	var (
		wg    sync.WaitGroup
		lrps  []*models.ActualLRP
		tasks []*models.Task
		lErr  error
		tErr  error
	)
	containers := h.cfg.Executor.ListContainers()
	wg.Add(2)
	go func() {
		defer wg.Done()
		lrps, lErr = h.cfg.BBS.ActualLRPs(ctx, client.ActualLRPFilter{CellID: h.cfg.CellID})
	}()
	go func() { defer wg.Done(); tasks, tErr = h.cfg.BBS.Tasks(ctx, client.TaskFilter{CellID: h.cfg.CellID}) }()
	wg.Wait()
	if err := errors.Join(lErr, tErr); err != nil {
		return fmt.Errorf("listing this cell's BBS records: %w", err)
	}
	present := map[string]bool{}
	for _, c := range containers {
		present[c.Guid] = true
		h.ProcessContainer(ctx, c.Guid)
	}
	for _, p := range reconcile.Residuals(present, lrps, tasks) {
		plan := p
		h.q.push(ctx, plan.Guid, func(ctx context.Context) { h.Execute(ctx, plan) })
	}
	h.mu.Lock()
	h.synced++
	h.mu.Unlock()
	return nil
}

// Wait blocks until every scheduled operation has finished.
func (h *Harmonizer) Wait() { h.q.wait() }

// Execute runs a plan's operations in order.
func (h *Harmonizer) Execute(ctx context.Context, p reconcile.Plan) {
	for _, op := range p.Ops {
		if !h.do(ctx, p, op) {
			return
		}
	}
}

func errType(err error) models.Error_Type {
	var me *models.Error
	if errors.As(err, &me) {
		return me.GetType()
	}
	return models.Error_UnknownError
}

// do runs one operation and reports whether the plan continues.
func (h *Harmonizer) do(ctx context.Context, p reconcile.Plan, op reconcile.Kind) bool {
	log := h.log.WithData(lager.Data{"guid": p.Guid, "op": string(op)})
	x, b, cell := h.cfg.Executor, h.cfg.BBS, h.cfg.CellID
	var c executor.Container
	if p.Container != nil {
		c = *p.Container
	}
	fail := func(err error) bool {
		log.Error("failed", err)
		return false
	}
	switch op {
	case reconcile.GuardNoContainer:
		_, err := x.GetContainer(p.Guid)
		return errors.Is(err, executor.ErrContainerNotFound)
	case reconcile.ClaimLRP:
		if err := b.ClaimActualLRP(ctx, p.Key, p.InstanceKey); err != nil {
			if errType(err) == models.Error_ActualLRPCannotBeClaimed {
				x.DeleteContainer(p.Guid)
			}
			return fail(err)
		}
	case reconcile.RunLRP:
		desired, err := b.DesiredLRPByProcessGuid(ctx, p.Key.GetProcessGuid())
		if err != nil {
			return fail(err)
		}
		req, err := rep.NewRunRequestFromDesiredLRP(p.Guid, desired, p.Key, p.InstanceKey)
		if err == nil {
			err = x.RunContainer(req)
		}
		if err != nil {
			b.RemoveActualLRP(ctx, p.Key, p.InstanceKey)
			return fail(err)
		}
	case reconcile.StartLRP:
		routes := make([]*models.ActualLRPInternalRoute, 0, len(c.InternalRoutes))
		for _, r := range c.InternalRoutes {
			routes = append(routes, &models.ActualLRPInternalRoute{Hostname: r})
		}
		tags := c.MetricTags
		if tags == nil {
			tags = c.LogConfig.Tags
		}
		err := b.StartActualLRP(ctx, p.Key, p.InstanceKey, rep.NetInfo(c, h.cfg.PreferInstanceAddress), routes, tags, c.Routable, h.cfg.Zone)
		if err != nil {
			if errType(err) == models.Error_ActualLRPCannotBeStarted {
				x.StopContainer(p.Guid)
			}
			return fail(err)
		}
	case reconcile.CrashLRP:
		if err := b.CrashActualLRP(ctx, p.Key, p.InstanceKey, c.RunResult.FailureReason); err != nil {
			log.Error("crash-failed", err)
		}
	case reconcile.RemoveLRP:
		if err := b.RemoveActualLRP(ctx, p.Key, p.InstanceKey); err != nil {
			log.Error("remove-failed", err)
		}
	case reconcile.RemoveEvacuatingLRP:
		if err := b.RemoveEvacuatingActualLRP(ctx, p.Key, p.InstanceKey); err != nil {
			log.Error("remove-evacuating-failed", err)
		}
	case reconcile.EvacuateClaimed:
		if _, err := b.EvacuateClaimedActualLRP(ctx, p.Key, p.InstanceKey); err != nil {
			log.Error("evacuate-claimed-failed", err)
		}
	case reconcile.EvacuateStopped:
		if _, err := b.EvacuateStoppedActualLRP(ctx, p.Key, p.InstanceKey); err != nil {
			log.Error("evacuate-stopped-failed", err)
		}
	case reconcile.EvacuateCrashed:
		if _, err := b.EvacuateCrashedActualLRP(ctx, p.Key, p.InstanceKey, c.RunResult.FailureReason); err != nil {
			log.Error("evacuate-crashed-failed", err)
		}
	case reconcile.EvacuateRunning:
		h.cellLog(c).Printf("Cell %s requesting replacement for instance %s", cell, p.InstanceKey.GetInstanceGuid())
		routes := make([]*models.ActualLRPInternalRoute, 0, len(c.InternalRoutes))
		for _, r := range c.InternalRoutes {
			routes = append(routes, &models.ActualLRPInternalRoute{Hostname: r})
		}
		keep, err := b.EvacuateRunningActualLRP(ctx, p.Key, p.InstanceKey, rep.NetInfo(c, h.cfg.PreferInstanceAddress), routes, c.MetricTags, c.Routable, h.cfg.Zone)
		if err != nil {
			return fail(err)
		}
		if !keep {
			x.DeleteContainer(p.Guid)
		}
	case reconcile.StartTask:
		changed, err := b.StartTask(ctx, p.Guid, cell)
		if err != nil {
			if t := errType(err); t == models.Error_InvalidStateTransition || t == models.Error_ResourceNotFound {
				x.DeleteContainer(p.Guid)
			}
			return fail(err)
		}
		return changed
	case reconcile.RunTask:
		task, err := b.TaskByGuid(ctx, p.Guid)
		if err != nil {
			return fail(err)
		}
		req, err := rep.NewRunRequestFromTask(task)
		if err == nil {
			err = x.RunContainer(req)
		}
		if err != nil {
			b.CompleteTask(ctx, p.Guid, cell, true, reconcile.TaskReasonFailedToRun, "")
			return fail(err)
		}
	case reconcile.RejectTask:
		if err := b.RejectTask(ctx, p.Guid, c.RunResult.FailureReason); err != nil {
			log.Error("reject-failed", err)
		}
	case reconcile.CompleteTask:
		h.completeTask(ctx, c, log)
	case reconcile.CompleteMissingTask:
		if err := b.CompleteTask(ctx, p.Guid, cell, true, reconcile.TaskReasonMissingContainer, reconcile.TaskReasonMissingContainer); err != nil {
			log.Error("complete-missing-failed", err)
		}
	case reconcile.DeleteContainer:
		if err := x.DeleteContainer(p.Guid); err != nil && !errors.Is(err, executor.ErrContainerNotFound) {
			return fail(err)
		}
	}
	return true
}

func (h *Harmonizer) completeTask(ctx context.Context, c executor.Container, log lager.Logger) {
	b, cell := h.cfg.BBS, h.cfg.CellID
	var result string
	if path := c.Tags[executor.ResultFileTag]; !c.RunResult.Failed && path != "" {
		var err error
		result, err = h.resultFile(c.Guid, path)
		if err != nil {
			log.Error("fetch-result-failed", err)
			if err := b.CompleteTask(ctx, c.Guid, cell, true, reconcile.TaskReasonFailedToFetch, ""); err != nil {
				log.Error("complete-failed", err)
			}
			return
		}
	}
	err := b.CompleteTask(ctx, c.Guid, cell, c.RunResult.Failed, c.RunResult.FailureReason, result)
	if err != nil && errType(err) == models.Error_InvalidStateTransition {
		err = b.CompleteTask(ctx, c.Guid, cell, true, reconcile.TaskReasonInvalidTransition, "")
	}
	if err != nil {
		log.Error("complete-failed", err)
	}
}

// resultFile reads a task's result file (the first tar entry) up to MaxResultSize.
func (h *Harmonizer) resultFile(guid, path string) (string, error) {
	stream, err := h.cfg.Executor.GetFiles(guid, path)
	if err != nil {
		return "", err
	}
	defer stream.Close()
	tr := tar.NewReader(stream)
	if _, err := tr.Next(); err != nil {
		return "", fmt.Errorf("reading result file: %w", err)
	}
	buf, err := io.ReadAll(io.LimitReader(tr, MaxResultSize+1))
	if err != nil {
		return "", err
	}
	if len(buf) > MaxResultSize {
		return "", ErrResultFileTooLarge
	}
	return string(buf), nil
}

func (h *Harmonizer) cellLog(c executor.Container) *applog.Streamer {
	sink := h.cfg.Sink
	if sink == nil {
		sink = applog.LagerSink{Logger: h.cfg.Logger}
	}
	return applog.NewStreamer(sink, c.LogConfig.Guid, c.LogConfig.Index, "CELL", c.LogConfig.Tags)
}
