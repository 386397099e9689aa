package placement

import (
	"slices"
	"sort"

	rep "github.com/godiego/diego/rep/client"
)

// referencePlace is the straightforward algorithm, written the way upstream's auctionrunner
// reads, on whole rep.CellState values and the rep helpers, with none of Place's indexes or
// caches. Place must agree with it exactly.
func referencePlace(cells []rep.CellState, batch Batch, opts Options) Plan {
	if len(cells) == 0 {
		return unreachable(batch)
	}
	type refCell struct {
		state rep.CellState
		index int
		work  rep.Work
		order int
	}
	states := make([]*refCell, len(cells))
	zones := map[string][]*refCell{}
	for i, c := range cells {
		c.LRPs = slices.Clone(c.LRPs)
		c.Tasks = slices.Clone(c.Tasks)
		states[i] = &refCell{state: c, index: c.CellIndex, order: i}
		zones[c.Zone] = append(zones[c.Zone], states[i])
	}
	var names []string
	for z := range zones {
		names = append(names, z)
	}
	sort.Strings(names)
	if opts.BinPackFirstFitWeight > 0 {
		for _, z := range names {
			sort.SliceStable(zones[z], func(a, b int) bool { return zones[z][a].state.CellIndex < zones[z][b].state.CellIndex })
			for i, c := range zones[z] {
				c.index = i
			}
		}
	}

	filterZone := func(cells []*refCell, pc rep.PlacementConstraint) ([]*refCell, error) {
		var out []*refCell
		err := error(ErrRootFSMismatch)
		for _, c := range cells {
			if !c.state.MatchRootFS(pc.RootFs) {
				continue
			}
			if err == ErrRootFSMismatch {
				err = ErrVolumeDriverMismatch
			}
			if !c.state.MatchVolumeDrivers(pc.VolumeDrivers) {
				continue
			}
			if err == ErrVolumeDriverMismatch {
				err = PlacementTagMismatchError{Tags: pc.PlacementTags}
			}
			if c.state.MatchPlacementTags(pc.PlacementTags) {
				err = nil
				out = append(out, c)
			}
		}
		return out, err
	}
	type zoneCells struct {
		cells     []*refCell
		instances int
	}
	filterZones := func(pc rep.PlacementConstraint, instances map[string]int) ([]zoneCells, error) {
		var out []zoneCells
		var zoneErr error
		for _, z := range names {
			cells, err := filterZone(zones[z], pc)
			if err != nil {
				_, curTags := zoneErr.(PlacementTagMismatchError)
				_, newTags := err.(PlacementTagMismatchError)
				if curTags || (zoneErr == ErrVolumeDriverMismatch && newTags) || zoneErr == ErrRootFSMismatch || zoneErr == nil {
					zoneErr = err
				}
				continue
			}
			out = append(out, zoneCells{cells, instances[z]})
		}
		if len(out) == 0 {
			return nil, zoneErr
		}
		return out, nil
	}
	inflight := 0
	for _, c := range states {
		inflight += c.state.StartingContainerCount
	}
	over := func() bool {
		return opts.StartingContainerCountMaximum > 0 && inflight >= opts.StartingContainerCountMaximum
	}

	var plan Plan
	scheduleLRP := func(lrp rep.LRP) {
		if over() {
			plan.FailedLRPs = append(plan.FailedLRPs, FailedLRP{lrp, ErrInflightLimit.Error()})
			return
		}
		instances := map[string]int{}
		for _, z := range names {
			for _, c := range zones[z] {
				for _, l := range c.state.LRPs {
					if l.ProcessGUID == lrp.ProcessGUID {
						instances[z]++
					}
				}
			}
		}
		zs, err := filterZones(lrp.PlacementConstraint, instances)
		if err != nil {
			plan.FailedLRPs = append(plan.FailedLRPs, FailedLRP{lrp, err.Error()})
			return
		}
		sort.SliceStable(zs, func(a, b int) bool { return zs[a].instances < zs[b].instances })
		var winner *refCell
		best := 1e20
		problems := rep.AllProblems
		for zi, z := range zs {
			for _, c := range z.cells {
				proxied := lrp.Resource
				proxied.MemoryMB += int32(c.state.ProxyMemoryAllocationMB)
				if err := c.state.ResourceMatch(proxied); err != nil {
					problems &= err.(rep.InsufficientResourcesError).Problems
					continue
				}
				n := 0
				for _, l := range c.state.LRPs {
					if l.ProcessGUID == lrp.ProcessGUID {
						n++
					}
				}
				score := c.state.ComputeScore(proxied, opts.StartingContainerWeight) + float64(LocalityOffset*n) + float64(float64(c.index)*opts.BinPackFirstFitWeight)
				if score < best {
					best, winner = score, c
				}
			}
			if zi+1 < len(zs) && z.instances == zs[zi+1].instances {
				continue
			}
			if winner != nil {
				break
			}
		}
		if winner == nil {
			plan.FailedLRPs = append(plan.FailedLRPs, FailedLRP{lrp, rep.InsufficientResourcesError{Problems: problems}.Error()})
			return
		}
		if err := winner.state.ResourceMatch(lrp.Resource); err != nil {
			plan.FailedLRPs = append(plan.FailedLRPs, FailedLRP{lrp, err.Error()})
			return
		}
		winner.state.AddLRP(lrp)
		winner.work.LRPs = append(winner.work.LRPs, lrp)
		inflight++
		plan.PlacedLRPs++
	}
	scheduleTask := func(task rep.Task) {
		if over() {
			plan.FailedTasks = append(plan.FailedTasks, FailedTask{task, ErrInflightLimit.Error()})
			return
		}
		zs, err := filterZones(task.PlacementConstraint, nil)
		if err != nil {
			plan.FailedTasks = append(plan.FailedTasks, FailedTask{task, err.Error()})
			return
		}
		var winner *refCell
		best := 1e20
		problems := rep.AllProblems
		for _, z := range zs {
			for _, c := range z.cells {
				if err := c.state.ResourceMatch(task.Resource); err != nil {
					problems &= err.(rep.InsufficientResourcesError).Problems
					continue
				}
				score := c.state.ComputeScore(task.Resource, opts.StartingContainerWeight) + float64(LocalityOffset*len(c.state.Tasks))
				if score < best {
					best, winner = score, c
				}
			}
		}
		if winner == nil {
			plan.FailedTasks = append(plan.FailedTasks, FailedTask{task, rep.InsufficientResourcesError{Problems: problems}.Error()})
			return
		}
		winner.state.AddTask(task)
		winner.work.Tasks = append(winner.work.Tasks, task)
		inflight++
		plan.PlacedTasks++
	}

	lrps := slices.Clone(batch.LRPs)
	sort.SliceStable(lrps, func(a, b int) bool {
		if lrps[a].Index == lrps[b].Index {
			return lrps[a].MemoryMB > lrps[b].MemoryMB
		}
		return lrps[a].Index < lrps[b].Index
	})
	tasks := slices.Clone(batch.Tasks)
	sort.SliceStable(tasks, func(a, b int) bool { return tasks[a].MemoryMB > tasks[b].MemoryMB })
	for _, l := range lrps {
		if l.Index <= 0 {
			scheduleLRP(l)
		}
	}
	for _, t := range tasks {
		scheduleTask(t)
	}
	for _, l := range lrps {
		if l.Index > 0 {
			scheduleLRP(l)
		}
	}
	for _, c := range states {
		if !c.work.Empty() {
			w := c.work
			w.CellID = c.state.CellID
			plan.Works = append(plan.Works, w)
		}
	}
	return plan
}
