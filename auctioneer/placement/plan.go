package placement

import (
	"slices"

	rep "github.com/godiego/diego/rep/client"
)

// Batch is one round's auctions. Callers dedupe first (LRPs by process guid and index,
// tasks by guid), as the auctioneer's batch does.
type Batch struct {
	LRPs  []rep.LRP
	Tasks []rep.Task
}

// FailedLRP is an LRP instance that could not be placed, with its placement error.
type FailedLRP struct {
	LRP    rep.LRP
	Reason string
}

// FailedTask is a task that could not be placed, with its placement error.
type FailedTask struct {
	Task   rep.Task
	Reason string
}

// Plan is the outcome of one round.
type Plan struct {
	// Works holds one Work per cell that received something, in snapshot order, with CellID
	// set: what to POST to each cell's /work.
	Works []rep.Work
	// FailedLRPs and FailedTasks are in the order they were considered.
	FailedLRPs  []FailedLRP
	FailedTasks []FailedTask
	// PlacedLRPs and PlacedTasks count what went into Works.
	PlacedLRPs, PlacedTasks int
}

// Place decides where the batch goes. cells are the usable cells (the caller has already
// dropped evacuating cells and those whose state could not be fetched); each must have its
// CellID set. Neither cells nor batch is modified.
func Place(cells []rep.CellState, batch Batch, opts Options) Plan {
	if len(cells) == 0 {
		return unreachable(batch)
	}
	t := newTable(cells, batch, opts)

	// Sort positions rather than the (large) structs; ties keep batch order.
	lrps := make([]int32, len(batch.LRPs))
	for i := range lrps {
		lrps[i] = int32(i)
	}
	slices.SortFunc(lrps, func(a, b int32) int {
		if c := compareLRPs(&batch.LRPs[a], &batch.LRPs[b]); c != 0 {
			return c
		}
		return int(a) - int(b)
	})
	tasks := make([]int32, len(batch.Tasks))
	for i := range tasks {
		tasks[i] = int32(i)
	}
	slices.SortFunc(tasks, func(a, b int32) int {
		if c := compareMemoryDesc(batch.Tasks[a].MemoryMB, batch.Tasks[b].MemoryMB); c != 0 {
			return c
		}
		return int(a) - int(b)
	})

	split := len(lrps)
	for i, l := range lrps {
		if batch.LRPs[l].Index > 0 {
			split = i
			break
		}
	}

	var plan Plan
	for _, l := range lrps[:split] {
		t.auctionLRP(&batch.LRPs[l], &plan)
	}
	for _, k := range tasks {
		t.auctionTask(&batch.Tasks[k], &plan)
	}
	for _, l := range lrps[split:] {
		t.auctionLRP(&batch.LRPs[l], &plan)
	}
	plan.Works = t.works()
	return plan
}

// unreachable fails everything: there is no cell to talk to.
func unreachable(batch Batch) Plan {
	var plan Plan
	for _, l := range batch.LRPs {
		plan.FailedLRPs = append(plan.FailedLRPs, FailedLRP{LRP: l, Reason: ErrCellCommunication.Error()})
	}
	for _, t := range batch.Tasks {
		plan.FailedTasks = append(plan.FailedTasks, FailedTask{Task: t, Reason: ErrCellCommunication.Error()})
	}
	return plan
}

func compareLRPs(a, b *rep.LRP) int {
	if a.Index != b.Index {
		if a.Index < b.Index {
			return -1
		}
		return 1
	}
	return compareMemoryDesc(a.MemoryMB, b.MemoryMB)
}

func compareMemoryDesc(a, b int32) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}
