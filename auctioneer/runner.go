package auctioneer

import (
	"context"
	"os"
	"sort"
	"sync"
	"time"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/auctioneer/placement"
	"github.com/godiego/diego/internal/metrics"
	"github.com/godiego/diego/internal/workpool"
	"github.com/godiego/diego/proto/models"
	rep "github.com/godiego/diego/rep/client"
)

// BBS is what the auctioneer needs from the BBS.
type BBS interface {
	Cells(ctx context.Context) ([]*models.CellPresence, error)
	FailActualLRP(ctx context.Context, key *models.ActualLRPKey, placementError string) error
	RejectTask(ctx context.Context, taskGUID, rejectionReason string) error
}

// Reps makes clients for cells.
type Reps interface {
	Client(repAddress, repURL string) (*rep.Client, error)
}

// MaxCommitAttempts bounds how often an auction whose cell rejected the
// work is retried in a later round before it is reported as failed.
const MaxCommitAttempts = 3

// ErrWorkRejected is the placement error reported for an auction every
// chosen cell rejected.
const ErrWorkRejected = "insufficient resources: cell rejected the work"

// Runner runs auction rounds whenever the queue has work; it is an ifrit runner.
type Runner struct {
	Logger  lager.Logger
	Queue   *Queue
	BBS     BBS
	Reps    Reps
	Options placement.Options
	// Workers bounds concurrent calls to cells (auction_runner_workers).
	Workers int
	Metrics *Metrics
	Now     func() time.Time
}

// Metrics are the auctioneer's counters and timings.
type Metrics struct {
	Started, Succeeded, Failed *metrics.Counter   // label: kind (lrp, task)
	RoundDuration, FetchStates *metrics.Histogram // seconds
}

// NewMetrics registers the auctioneer's metrics on reg.
func NewMetrics(reg *metrics.Registry) *Metrics {
	return &Metrics{
		Started:       reg.Counter("auctioneer_auctions_started_total", "Auctions taken into a round.", "kind"),
		Succeeded:     reg.Counter("auctioneer_auctions_succeeded_total", "Auctions placed on a cell.", "kind"),
		Failed:        reg.Counter("auctioneer_auctions_failed_total", "Auctions reported as failed.", "kind"),
		RoundDuration: reg.Histogram("auctioneer_round_duration_seconds", "Duration of one auction round.", nil).With(),
		FetchStates:   reg.Histogram("auctioneer_fetch_cell_states_seconds", "Time to fetch every cell's state.", nil).With(),
	}
}

// Run implements ifrit.Runner.
func (r *Runner) Run(signals <-chan os.Signal, ready chan<- struct{}) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-signals; cancel() }()
	close(ready)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-r.Queue.HasWork():
			r.Round(ctx)
		}
	}
}

// Round runs one auction: everything queued now is placed or reported.
func (r *Runner) Round(ctx context.Context) {
	begin := time.Now()
	logger := r.Logger.Session("auction")
	cells, clients := r.usableCells(ctx, logger)
	if ctx.Err() != nil {
		return
	}
	lrps, tasks := r.Queue.drain()
	if len(lrps)+len(tasks) == 0 {
		return
	}
	batch := placement.Batch{}
	for _, l := range lrps {
		batch.LRPs = append(batch.LRPs, l.lrp)
	}
	for _, t := range tasks {
		batch.Tasks = append(batch.Tasks, t.task)
	}
	r.count(func(m *Metrics) {
		m.Started.With("lrp").Add(float64(len(lrps)))
		m.Started.With("task").Add(float64(len(tasks)))
	})

	plan := placement.Place(cells, batch, r.Options)
	rejected := r.commit(ctx, logger, plan.Works, clients)

	var retryLRPs []queuedLRP
	var retryTasks []queuedTask
	failedLRPs := plan.FailedLRPs
	failedTasks := plan.FailedTasks
	placedLRPs, placedTasks := plan.PlacedLRPs, plan.PlacedTasks
	for _, w := range rejected {
		for _, l := range w.LRPs {
			placedLRPs--
			q := lrps[l.Identifier()]
			if q.attempts+1 < MaxCommitAttempts {
				q.attempts++
				retryLRPs = append(retryLRPs, q)
			} else {
				failedLRPs = append(failedLRPs, placement.FailedLRP{LRP: l, Reason: ErrWorkRejected})
			}
		}
		for _, t := range w.Tasks {
			placedTasks--
			q := tasks[t.Identifier()]
			if q.attempts+1 < MaxCommitAttempts {
				q.attempts++
				retryTasks = append(retryTasks, q)
			} else {
				failedTasks = append(failedTasks, placement.FailedTask{Task: t, Reason: ErrWorkRejected})
			}
		}
	}
	r.Queue.requeue(retryLRPs, retryTasks)
	r.report(ctx, logger, failedLRPs, failedTasks)

	r.count(func(m *Metrics) {
		m.Succeeded.With("lrp").Add(float64(placedLRPs))
		m.Succeeded.With("task").Add(float64(placedTasks))
		m.Failed.With("lrp").Add(float64(len(failedLRPs)))
		m.Failed.With("task").Add(float64(len(failedTasks)))
		m.RoundDuration.Since(begin)
	})
	logger.Info("done", lager.Data{
		"cells": len(cells), "placed_lrps": placedLRPs, "placed_tasks": placedTasks,
		"failed_lrps": len(failedLRPs), "failed_tasks": len(failedTasks),
		"retried": len(retryLRPs) + len(retryTasks), "duration": time.Since(begin).String(),
	})
}

// usableCells fetches the registered cells and their states. Cells whose
// state cannot be fetched, that are evacuating, or that answer with another
// cell id are left out. With no usable cell at all it tries up to 4 times.
func (r *Runner) usableCells(ctx context.Context, logger lager.Logger) ([]rep.CellState, map[string]*rep.Client) {
	begin := time.Now()
	defer r.count(func(m *Metrics) { m.FetchStates.Since(begin) })
	for attempt := 0; attempt < 4; attempt++ {
		presences, err := r.BBS.Cells(ctx)
		for err != nil {
			logger.Error("failed-to-fetch-cells", err)
			select {
			case <-ctx.Done():
				return nil, nil
			case <-time.After(time.Second):
			}
			presences, err = r.BBS.Cells(ctx)
		}
		states, clients := r.fetchStates(ctx, logger, presences)
		if len(states) > 0 || len(presences) == 0 {
			return states, clients
		}
	}
	return nil, nil
}

func (r *Runner) fetchStates(ctx context.Context, logger lager.Logger, presences []*models.CellPresence) ([]rep.CellState, map[string]*rep.Client) {
	var (
		mu      sync.Mutex
		states  []rep.CellState
		clients = map[string]*rep.Client{}
	)
	r.parallel(len(presences), func(i int) {
		p := presences[i]
		client, err := r.Reps.Client(p.GetRepAddress(), p.GetRepUrl())
		if err != nil {
			logger.Error("no-client-for-cell", err, lager.Data{"cell_id": p.GetCellId()})
			return
		}
		state, err := client.State(ctx)
		if err != nil {
			logger.Error("failed-to-fetch-cell-state", err, lager.Data{"cell_id": p.GetCellId()})
			return
		}
		if state.Evacuating || (state.CellID != "" && state.CellID != p.GetCellId()) {
			return
		}
		state.CellID = p.GetCellId()
		mu.Lock()
		states = append(states, state)
		clients[p.GetCellId()] = client
		mu.Unlock()
	})
	// Fetches finish in any order; sorting keeps plans reproducible.
	sort.Slice(states, func(i, j int) bool { return states[i].CellID < states[j].CellID })
	return states, clients
}

// commit sends each cell its work and returns what cells rejected. A
// transport error counts as accepted, as upstream treats it: the BBS's
// convergence re-auctions anything that never started.
func (r *Runner) commit(ctx context.Context, logger lager.Logger, works []rep.Work, clients map[string]*rep.Client) []rep.Work {
	var (
		mu       sync.Mutex
		rejected []rep.Work
	)
	r.parallel(len(works), func(i int) {
		w := works[i]
		client := clients[w.CellID]
		failed, err := client.Perform(ctx, w)
		if err != nil {
			logger.Error("failed-to-perform-work", err, lager.Data{"cell_id": w.CellID})
			return
		}
		if !failed.Empty() {
			mu.Lock()
			rejected = append(rejected, failed)
			mu.Unlock()
		}
	})
	return rejected
}

// report tells the BBS what could not be placed.
func (r *Runner) report(ctx context.Context, logger lager.Logger, lrps []placement.FailedLRP, tasks []placement.FailedTask) {
	r.parallel(len(lrps)+len(tasks), func(i int) {
		if i < len(lrps) {
			f := lrps[i]
			key := &models.ActualLRPKey{ProcessGuid: f.LRP.ProcessGUID, Index: f.LRP.Index, Domain: f.LRP.Domain}
			if err := r.BBS.FailActualLRP(ctx, key, f.Reason); err != nil {
				logger.Error("failed-to-fail-lrp", err, lager.Data{"process_guid": key.ProcessGuid, "index": key.Index})
			}
			return
		}
		f := tasks[i-len(lrps)]
		if err := r.BBS.RejectTask(ctx, f.Task.TaskGUID, f.Reason); err != nil {
			logger.Error("failed-to-reject-task", err, lager.Data{"task_guid": f.Task.TaskGUID})
		}
	})
}

// parallel runs fn(0..n-1) on at most r.Workers goroutines (1000 when unset).
func (r *Runner) parallel(n int, fn func(i int)) {
	workers := r.Workers
	if workers <= 0 {
		workers = 1000
	}
	workpool.ForEach(n, workers, fn)
}

func (r *Runner) count(fn func(*Metrics)) {
	if r.Metrics != nil {
		fn(r.Metrics)
	}
}
