package placement

import (
	rep "github.com/godiego/diego/rep/client"
)

// noWinner is upstream's starting "best score": any real score beats it.
const noWinner = 1e20

func (t *table) overInflightCap() bool {
	return t.opts.StartingContainerCountMaximum > 0 && t.inflight >= t.opts.StartingContainerCountMaximum
}

// auctionLRP places one LRP instance or records why it cannot be placed.
func (t *table) auctionLRP(lrp *rep.LRP, plan *Plan) {
	if t.overInflightCap() {
		plan.FailedLRPs = append(plan.FailedLRPs, FailedLRP{LRP: *lrp, Reason: ErrInflightLimit.Error()})
		return
	}
	f := t.filter(&lrp.PlacementConstraint)
	if !f.any {
		plan.FailedLRPs = append(plan.FailedLRPs, FailedLRP{LRP: *lrp, Reason: stageError(f.stage, lrp.PlacementTags).Error()})
		return
	}

	proc := t.procs[lrp.ProcessGUID]
	if proc == nil { // not in the batch the table was built for; count nothing
		proc = &procCounts{}
		t.procs[lrp.ProcessGUID] = proc
	}
	t.loadProcess(proc)
	defer t.unloadProcess(proc)

	winner, problems := t.bestCellForLRP(lrp, f)
	if winner < 0 {
		plan.FailedLRPs = append(plan.FailedLRPs, FailedLRP{LRP: *lrp, Reason: rep.InsufficientResourcesError{Problems: problems}.Error()})
		return
	}
	// Reserving checks the bare resources again (without the proxy overhead) and books
	// only those, as upstream does.
	if p := t.slots[winner].shortages(lrp.MemoryMB, lrp.DiskMB); p != 0 {
		plan.FailedLRPs = append(plan.FailedLRPs, FailedLRP{LRP: *lrp, Reason: rep.InsufficientResourcesError{Problems: p}.Error()})
		return
	}
	t.book(winner, lrp.Resource)
	t.assigned[winner].LRPs = append(t.assigned[winner].LRPs, *lrp)
	t.addInstance(proc, winner)
	plan.PlacedLRPs++
}

// bestCellForLRP visits the eligible cells zone by zone, fewest instances of the process
// first, and returns the winner (or -1 and the shortages every visited cell shares).
func (t *table) bestCellForLRP(lrp *rep.LRP, f *filterResult) (int32, rep.Problems) {
	// Zones with eligible cells, stably ordered by how many instances they hold.
	order := t.order[:0]
	for z := range f.eligible {
		if len(f.eligible[z]) == 0 {
			continue
		}
		order = append(order, int32(z))
		for i := len(order) - 1; i > 0 && t.zoneInst[order[i]] < t.zoneInst[order[i-1]]; i-- {
			order[i], order[i-1] = order[i-1], order[i]
		}
	}
	t.order = order

	if t.prune && lrp.MemoryMB >= 0 && lrp.DiskMB >= 0 {
		return t.bestCellForLRPPruned(lrp, f, order)
	}
	mem, disk := lrp.MemoryMB, lrp.DiskMB
	winner := int32(-1)
	best := noWinner
	problems := rep.AllProblems
	for zi, z := range order {
		for _, c := range f.eligible[z] {
			s := &t.slots[c]
			need := mem + s.proxyMem
			if p := s.shortages(need, disk); p != 0 {
				problems &= p
				continue
			}
			score := s.resourceScore(need, disk) + float64(LocalityOffset*int(t.count[c])) + s.indexTerm
			if score < best {
				best, winner = score, c
			}
		}
		if zi+1 < len(order) && t.zoneInst[z] == t.zoneInst[order[zi+1]] {
			continue // tied zones are searched together
		}
		if winner >= 0 {
			break
		}
	}
	return winner, problems
}

// bestCellForLRPPruned finds the same winner as the plain scan, visiting each zone's cells
// by ascending bound and stopping once no remaining cell can beat (or tie) the best score.
// Equal scores go to the cell earlier in upstream's visiting order.
func (t *table) bestCellForLRPPruned(lrp *rep.LRP, f *filterResult, order []int32) (int32, rep.Problems) {
	mem, disk := lrp.MemoryMB, lrp.DiskMB
	n := len(t.slots)
	winner, winnerKey := int32(-1), -1
	best := noWinner
	problems := rep.AllProblems
	for first := 0; first < len(order); {
		last := first
		for last+1 < len(order) && t.zoneInst[order[last+1]] == t.zoneInst[order[first]] {
			last++
		}
		prev := int32(-1) // the last cell scored in this group
		for rank := first; rank <= last; rank++ {
			for _, c := range t.byBound[order[rank]] {
				s := &t.slots[c]
				if winner >= 0 && s.bound > best {
					break
				}
				if !f.mask[c] {
					continue
				}
				// A twin of the last scored cell, met later in visiting order, scores the
				// same and loses the tie (or fails the same way): skip the arithmetic.
				if prev >= 0 && s.bound == t.slots[prev].bound && t.count[c] == t.count[prev] && sameScoring(s, &t.slots[prev]) {
					continue
				}
				prev = c
				need := mem + s.proxyMem
				if p := s.shortages(need, disk); p != 0 {
					problems &= p
					continue
				}
				score := s.resourceScore(need, disk) + float64(LocalityOffset*int(t.count[c])) + s.indexTerm
				key := rank*n + int(s.visit)
				if score < best || (score == best && key < winnerKey) {
					best, winner, winnerKey = score, c, key
				}
			}
		}
		if winner >= 0 {
			break
		}
		first = last + 1
	}
	return winner, problems
}

// auctionTask places one task or records why it cannot be placed.
func (t *table) auctionTask(task *rep.Task, plan *Plan) {
	if t.overInflightCap() {
		plan.FailedTasks = append(plan.FailedTasks, FailedTask{Task: *task, Reason: ErrInflightLimit.Error()})
		return
	}
	f := t.filter(&task.PlacementConstraint)
	if !f.any {
		plan.FailedTasks = append(plan.FailedTasks, FailedTask{Task: *task, Reason: stageError(f.stage, task.PlacementTags).Error()})
		return
	}
	mem, disk := task.MemoryMB, task.DiskMB
	winner := int32(-1)
	best := noWinner
	problems := rep.AllProblems
	for z := range f.eligible {
		for _, c := range f.eligible[z] {
			s := &t.slots[c]
			if p := s.shortages(mem, disk); p != 0 {
				problems &= p
				continue
			}
			score := s.resourceScore(mem, disk) + s.taskLocality
			if score < best {
				best, winner = score, c
			}
		}
	}
	if winner < 0 {
		plan.FailedTasks = append(plan.FailedTasks, FailedTask{Task: *task, Reason: rep.InsufficientResourcesError{Problems: problems}.Error()})
		return
	}
	t.book(winner, task.Resource)
	t.slots[winner].tasks++
	t.slots[winner].refresh(&t.opts)
	t.assigned[winner].Tasks = append(t.assigned[winner].Tasks, *task)
	plan.PlacedTasks++
}

// book takes res from the cell and counts one more starting container.
func (t *table) book(c int32, res rep.Resource) {
	s := &t.slots[c]
	s.availMem -= res.MemoryMB
	s.availDisk -= res.DiskMB
	s.availContainers--
	s.starting++
	s.refresh(&t.opts)
	t.rebound(c)
	t.inflight++
}

// loadProcess spreads the process's sparse counts into the dense scratch arrays and sums
// them per zone.
func (t *table) loadProcess(p *procCounts) {
	clear(t.zoneInst)
	for i, c := range p.cells {
		t.count[c] = p.counts[i]
		t.pos[c] = int32(i + 1)
		t.zoneInst[t.slots[c].zone] += int(p.counts[i])
	}
}

func (t *table) unloadProcess(p *procCounts) {
	for _, c := range p.cells {
		t.count[c] = 0
		t.pos[c] = 0
	}
}

func (t *table) addInstance(p *procCounts, c int32) {
	if i := t.pos[c]; i > 0 {
		p.counts[i-1]++
	} else {
		p.cells = append(p.cells, c)
		p.counts = append(p.counts, 1)
		t.pos[c] = int32(len(p.cells))
	}
	t.count[c]++
}
