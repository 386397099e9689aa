package main

import (
	"slices"
	"sync"

	rep "github.com/godiego/diego/rep/client"
)

// simCell is an in-process cell: the part of a rep the auction sees (its state and Perform).
type simCell struct {
	mu    sync.Mutex
	state rep.CellState
}

func newSimCell(id, zone string, index int, capacity rep.Resources) *simCell {
	return &simCell{state: rep.CellState{
		RepURL:    "",
		CellID:    id,
		CellIndex: index,
		Zone:      zone,
		RootFSProviders: rep.RootFSProviders{
			"preloaded":       rep.FixedSetProvider("cflinuxfs4"),
			"preloaded+layer": rep.FixedSetProvider("cflinuxfs4"),
			"docker":          rep.ArbitraryProvider(),
		},
		AvailableResources: capacity,
		TotalResources:     capacity,
		LRPs:               []rep.LRP{},
		Tasks:              []rep.Task{},
	}}
}

// State is what GET /state would return. The LRP and task slices are shared, not copied:
// the auction only reads them, and they are only appended to after the round.
func (c *simCell) State() rep.CellState {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.state
	s.LRPs = c.state.LRPs[:len(c.state.LRPs):len(c.state.LRPs)]
	s.Tasks = c.state.Tasks[:len(c.state.Tasks):len(c.state.Tasks)]
	return s
}

// Perform reserves what fits, biggest LRPs first, like the rep, and returns the rest.
func (c *simCell) Perform(work rep.Work) rep.Work {
	c.mu.Lock()
	defer c.mu.Unlock()
	var failed rep.Work
	lrps := slices.Clone(work.LRPs)
	slices.SortStableFunc(lrps, func(a, b rep.LRP) int { return int(b.MemoryMB) - int(a.MemoryMB) })
	for _, l := range lrps {
		need := l.Resource
		if need.MemoryMB > 0 {
			need.MemoryMB += int32(c.state.ProxyMemoryAllocationMB)
		}
		if c.state.AvailableResources.Shortages(need) != 0 || c.state.Evacuating {
			failed.LRPs = append(failed.LRPs, l)
			continue
		}
		l.State = rep.LRPStateClaimed
		c.state.AddLRP(l)
	}
	for _, t := range work.Tasks {
		if c.state.AvailableResources.Shortages(t.Resource) != 0 || c.state.Evacuating {
			failed.Tasks = append(failed.Tasks, t)
			continue
		}
		t.State = rep.TaskStateRunning
		c.state.AddTask(t)
	}
	return failed
}

// StartAll marks every starting container as running (time passing between rounds).
func (c *simCell) StartAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.state.LRPs {
		c.state.LRPs[i].State = rep.LRPStateRunning
	}
	c.state.StartingContainerCount = 0
}
