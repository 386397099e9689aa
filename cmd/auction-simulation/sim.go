package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"syscall"
	"time"

	"github.com/godiego/diego/auctioneer/placement"
	rep "github.com/godiego/diego/rep/client"
)

// cluster is how the simulation reaches its cells: directly or through the rep HTTP API.
type cluster interface {
	States(ctx context.Context) []rep.CellState
	Commit(ctx context.Context, works []rep.Work) rep.Work
}

// scenario is one run's shape.
type scenario struct {
	name      string
	cells     int
	zones     int
	instances int
	batch     int // auctions per round
	maxRounds int
	capacity  rep.Resources
	sizesMB   []int32
	diskMB    int32
	maxPerLRP int // instances per LRP are 1..maxPerLRP
	seed      uint64
	opts      placement.Options
	http      bool
	workers   int
}

// result is what one run measured.
type result struct {
	scenario    scenario
	placed      int
	failed      int
	rounds      int
	placeTime   time.Duration // inside placement.Place only
	placeCPU    time.Duration // process CPU time spent in placement.Place (incl. GC)
	wallTime    time.Duration // rounds end to end: states, placement, commits
	cells       []*simCell
	lastReasons map[string]int
}

func makeCells(s scenario) []*simCell {
	cells := make([]*simCell, s.cells)
	for i := range cells {
		zone := fmt.Sprintf("z%d", i%s.zones+1)
		cells[i] = newSimCell(fmt.Sprintf("cell-%04d", i), zone, i/s.zones, s.capacity)
	}
	return cells
}

// makeWorkload is LRPs of random sizes with several instances each, in desire order.
func makeWorkload(s scenario) []rep.LRP {
	r := rand.New(rand.NewPCG(s.seed, s.seed^0x9e3779b97f4a7c15))
	lrps := make([]rep.LRP, 0, s.instances)
	for p := 0; len(lrps) < s.instances; p++ {
		n := 1 + r.IntN(s.maxPerLRP)
		mem := s.sizesMB[r.IntN(len(s.sizesMB))]
		for i := 0; i < n && len(lrps) < s.instances; i++ {
			lrps = append(lrps, rep.LRP{
				InstanceGUID:        fmt.Sprintf("ig-%d-%d", p, i),
				ActualLRPKey:        rep.ActualLRPKey{ProcessGUID: fmt.Sprintf("pg-%d", p), Index: int32(i), Domain: "cf-apps"},
				PlacementConstraint: rep.PlacementConstraint{RootFs: "preloaded:cflinuxfs4"},
				Resource:            rep.Resource{MemoryMB: mem, DiskMB: s.diskMB, MaxPids: 1024},
			})
		}
	}
	return lrps
}

// run auctions the workload round by round: each round takes up to batch queued instances,
// fetches the cells' states, places, commits, and requeues what failed; between rounds the
// cells start what they reserved. It stops when the queue is empty or a round places nothing.
func run(ctx context.Context, s scenario, cells []*simCell, c cluster) result {
	queue := makeWorkload(s)
	res := result{scenario: s, cells: cells}
	start := time.Now()
	for len(queue) > 0 && res.rounds < s.maxRounds {
		n := min(s.batch, len(queue))
		batch := placement.Batch{LRPs: queue[:n:n]}
		rest := queue[n:]

		states := c.States(ctx)
		t0, c0 := time.Now(), cpuTime()
		plan := placement.Place(states, batch, s.opts)
		res.placeTime += time.Since(t0)
		res.placeCPU += cpuTime() - c0
		failedWork := c.Commit(ctx, plan.Works)
		res.rounds++

		retry := make([]rep.LRP, 0, len(plan.FailedLRPs)+len(failedWork.LRPs))
		reasons := map[string]int{}
		for _, f := range plan.FailedLRPs {
			retry = append(retry, f.LRP)
			reasons[f.Reason]++
		}
		for _, l := range failedWork.LRPs {
			l.State = ""
			retry = append(retry, l)
			reasons["rejected by the cell"]++
		}
		placedNow := plan.PlacedLRPs - len(failedWork.LRPs)
		res.placed += placedNow
		res.lastReasons = reasons
		queue = append(rest, retry...)
		for _, cell := range cells {
			cell.StartAll()
		}
		if placedNow == 0 && len(rest) == 0 {
			break // nothing fits any more
		}
	}
	res.failed = len(queue)
	res.wallTime = time.Since(start)
	return res
}

// cpuTime is the process's user plus system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
