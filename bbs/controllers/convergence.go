package controllers

import (
	"context"
	"sync"
	"time"

	"code.cloudfoundry.org/lager/v3"

	auctioneer "github.com/godiego/diego/auctioneer/client"
	"github.com/godiego/diego/bbs/events"
	"github.com/godiego/diego/db/bbsdb"
	rep "github.com/godiego/diego/rep/client"
)

// cellSet fetches the live cells as a set.
func (c *Controller) cellSet(ctx context.Context) (bbsdb.CellSet, error) {
	set := bbsdb.CellSet{}
	if c.Cells == nil {
		return set, nil
	}
	cells, err := c.Cells.Cells(ctx)
	if err != nil {
		return nil, err
	}
	for _, cell := range cells {
		set[cell.GetCellId()] = cell
	}
	return set, nil
}

// ConvergeLRPs runs one LRP convergence pass: the store applies the row
// changes (events go out in the same critical section), then the result's
// instances are auctioned in one batch, extra instances retired, and
// drifted internal routes and metric tags pushed to the reps. workers
// bounds the parallel retire and rep calls.
func (c *Controller) ConvergeLRPs(ctx context.Context, workers int) (bbsdb.LRPConvergenceResult, error) {
	logger := c.logger(ctx).Session("converge-lrps")
	cells, err := c.cellSet(ctx)
	if err != nil {
		logger.Error("failed-to-fetch-cells", err)
		return bbsdb.LRPConvergenceResult{}, err
	}
	unlock := c.serial.LockAll()
	res, err := c.Store.ConvergeLRPs(ctx, cells)
	changes := make([]events.Change, len(res.Changes))
	for i, ch := range res.Changes {
		changes[i] = events.Change{Before: ch.Before, After: ch.After}
	}
	evs := events.ChangeEvents(changes, TraceID(ctx))
	for _, d := range res.DesiredChanges {
		evs = append(evs, events.DesiredLRPEvent(d.Before, d.After, TraceID(ctx)))
	}
	c.emit(evs...)
	unlock()
	if err != nil {
		logger.Error("failed-to-converge", err)
		return res, err
	}

	var starts []auctioneer.LRPStartRequest
	for _, group := range [][]*bbsdb.LRPKeyWithSchedulingInfo{res.MissingLRPKeys, res.UnstartedLRPKeys, res.KeysWithMissingCells} {
		for _, k := range group {
			if k.SchedulingInfo == nil {
				continue
			}
			starts = append(starts, LRPStartRequest(k.SchedulingInfo, int(k.Key.GetIndex())))
		}
	}

	var work []func()
	for _, key := range res.KeysToRetire {
		key := key
		work = append(work, func() {
			if err := c.RetireActualLRP(ctx, key); err != nil && !isNotFound(err) {
				logger.Error("failed-to-retire", err, lager.Data{"process_guid": key.GetProcessGuid(), "index": key.GetIndex()})
			}
		})
	}
	for _, u := range res.KeysWithInternalRouteChanges {
		u := u
		work = append(work, func() {
			routes := []rep.InternalRoute{}
			for _, r := range u.DesiredInternalRoutes {
				routes = append(routes, rep.InternalRoute{Hostname: r.GetHostname()})
			}
			c.pushUpdate(ctx, logger, u, routes, nil)
		})
	}
	for _, u := range res.KeysWithMetricTagChanges {
		u := u
		work = append(work, func() {
			c.pushUpdate(ctx, logger, u, nil, ResolveMetricTags(u.DesiredMetricTags, u.Key.GetIndex(), u.InstanceKey.GetInstanceGuid()))
		})
	}
	runBounded(workers, work)
	auctionLRPs(ctx, logger, c.Auctioneer, starts)
	return res, nil
}

func (c *Controller) pushUpdate(ctx context.Context, logger lager.Logger, u *bbsdb.LRPKeyWithDesiredUpdate, routes []rep.InternalRoute, tags map[string]string) {
	cell, err := CellByID(ctx, c.Cells, u.InstanceKey.GetCellId())
	if err != nil {
		return
	}
	r, err := c.Reps.Rep(cell)
	if err != nil {
		logger.Error("failed-to-create-rep-client", err)
		return
	}
	update := rep.LRPUpdate{
		InstanceGUID:   u.InstanceKey.GetInstanceGuid(),
		ActualLRPKey:   rep.ActualLRPKey{ProcessGUID: u.Key.GetProcessGuid(), Index: u.Key.GetIndex(), Domain: u.Key.GetDomain()},
		InternalRoutes: routes,
		MetricTags:     tags,
	}
	if err := r.UpdateLRPInstance(ctx, update); err != nil {
		logger.Error("failed-to-update-lrp-instance", err)
	}
}

// ConvergeTasks runs one task convergence pass: the store applies the
// changes (events go out in the same critical section), pending tasks are
// auctioned again, and completed tasks' callbacks are sent again.
func (c *Controller) ConvergeTasks(ctx context.Context, kick, expirePending, expireCompleted time.Duration) (bbsdb.TaskConvergenceResult, error) {
	logger := c.logger(ctx).Session("converge-tasks")
	cells, err := c.cellSet(ctx)
	if err != nil {
		logger.Error("failed-to-fetch-cells", err)
		return bbsdb.TaskConvergenceResult{}, err
	}
	unlock := c.serial.LockAll()
	res, err := c.Store.ConvergeTasks(ctx, cells, kick, expirePending, expireCompleted)
	var evs []events.Event
	for _, ch := range res.Changes {
		evs = append(evs, events.TaskEvent(ch.Before, ch.After))
	}
	c.emit(evs...)
	unlock()
	if err != nil {
		logger.Error("failed-to-converge", err)
		return res, err
	}
	var starts []auctioneer.TaskStartRequest
	for _, t := range res.TasksToAuction {
		starts = append(starts, TaskStartRequest(t))
	}
	auctionTasks(ctx, logger, c.Auctioneer, starts)
	for _, t := range res.TasksToComplete {
		c.submitCallback(t)
	}
	return res, nil
}

// runBounded runs work on up to workers goroutines and waits.
func runBounded(workers int, work []func()) {
	if workers <= 0 {
		workers = 20
	}
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for _, w := range work {
		w := w
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			w()
		}()
	}
	wg.Wait()
}
