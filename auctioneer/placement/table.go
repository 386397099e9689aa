package placement

import (
	"math"
	"net/url"
	"slices"
	"strings"

	rep "github.com/godiego/diego/rep/client"
)

// slot is the hot, mutable part of one cell, laid out for the scoring scan.
type slot struct {
	availMem, availDisk int32
	proxyMem            int32
	zone                int32
	availContainers     int
	starting            int
	tasks               int
	totalMem, totalDisk float64
	totalContainers     float64
	// Cell-only parts of the score, recomputed whenever the cell changes. They are the very
	// values the straightforward computation produces, so scores stay bit-identical.
	containersTerm float64 // 1 - (availContainers-1)/totalContainers
	startingTerm   float64 // starting × StartingContainerWeight
	indexTerm      float64 // normalised index × BinPackFirstFitWeight
	taskLocality   float64 // LocalityOffset × tasks
	// bound is a lower bound of any LRP score on this cell: the score of an empty request
	// with no colocated instance, computed with the same operations. Rounding is monotone,
	// so a real request can only score the same or higher.
	bound float64
	visit int32 // position in its zone's visiting order
}

// shortages is rep.Resources.Shortages on the slot: what the cell lacks for mem and disk.
func (s *slot) shortages(mem, disk int32) rep.Problems {
	var p rep.Problems
	if s.availDisk < disk {
		p |= rep.ProblemDisk
	}
	if s.availMem < mem {
		p |= rep.ProblemMemory
	}
	if s.availContainers < 1 {
		p |= rep.ProblemContainers
	}
	return p
}

// resourceScore is rep.CellState.ComputeScore on the slot, with the same operations in the
// same order: the mean used fraction after placing (mem, disk) plus the starting-container
// penalty.
func (s *slot) resourceScore(mem, disk int32) float64 {
	usedMem := 1.0 - float64(s.availMem-mem)/s.totalMem
	usedDisk := 1.0 - float64(s.availDisk-disk)/s.totalDisk
	return (usedMem+usedDisk+s.containersTerm)/3.0 + s.startingTerm
}

// lowerBound computes slot.bound; -Inf (no pruning) when the totals make the score
// undefined.
func (s *slot) lowerBound() float64 {
	if !(s.totalMem > 0 && s.totalDisk > 0 && s.totalContainers > 0) {
		return math.Inf(-1)
	}
	b := s.resourceScore(0, 0) + s.indexTerm
	if b != b {
		return math.Inf(-1)
	}
	return b
}

func (s *slot) refresh(opts *Options) {
	s.containersTerm = 1.0 - float64(s.availContainers-1)/s.totalContainers
	s.startingTerm = float64(float64(s.starting) * opts.StartingContainerWeight)
	s.taskLocality = float64(LocalityOffset * s.tasks)
}

// procCounts is a sparse per-cell count of one process's instances.
type procCounts struct {
	cells  []int32
	counts []int32
}

// filterResult is the outcome of the rootfs / volume-driver / placement-tag filters for one
// placement constraint: the eligible cells of each zone, or why there are none.
type filterResult struct {
	eligible [][]int32 // per zone, in visiting order
	mask     []bool    // per cell
	any      bool
	stage    filterStage // merged failure when !any
}

// table is one round's working state.
type table struct {
	opts      Options
	states    []rep.CellState
	slots     []slot
	zoneNames []string
	zoneCells [][]int32 // per zone (ordered by name), cells in visiting order
	procs     map[string]*procCounts
	filters   map[string]*filterResult
	inflight  int
	assigned  []rep.Work
	// byBound holds each zone's cells by ascending bound, so the LRP scan can stop early.
	// prune is false when a negative proxy overhead would break the bound.
	byBound [][]int32
	prune   bool

	// scratch, reused across auctions
	count    []int32 // instances of the current process per cell
	pos      []int32 // 1 + position of the cell in the current procCounts
	zoneInst []int
	order    []int32 // zones to visit for the current LRP
}

func newTable(cells []rep.CellState, batch Batch, opts Options) *table {
	n := len(cells)
	t := &table{
		opts:     opts,
		states:   cells,
		slots:    make([]slot, n),
		procs:    make(map[string]*procCounts),
		filters:  make(map[string]*filterResult),
		assigned: make([]rep.Work, n),
		count:    make([]int32, n),
		pos:      make([]int32, n),
	}

	zoneID := map[string]int32{}
	for _, c := range cells {
		if _, ok := zoneID[c.Zone]; !ok {
			zoneID[c.Zone] = 0
			t.zoneNames = append(t.zoneNames, c.Zone)
		}
	}
	slices.Sort(t.zoneNames)
	for i, z := range t.zoneNames {
		zoneID[z] = int32(i)
	}
	t.zoneCells = make([][]int32, len(t.zoneNames))
	t.zoneInst = make([]int, len(t.zoneNames))
	t.order = make([]int32, 0, len(t.zoneNames))

	for i := range cells {
		c := &cells[i]
		s := &t.slots[i]
		s.availMem, s.availDisk = c.AvailableResources.MemoryMB, c.AvailableResources.DiskMB
		s.availContainers = c.AvailableResources.Containers
		s.totalMem = float64(c.TotalResources.MemoryMB)
		s.totalDisk = float64(c.TotalResources.DiskMB)
		s.totalContainers = float64(c.TotalResources.Containers)
		s.proxyMem = int32(c.ProxyMemoryAllocationMB)
		s.starting = c.StartingContainerCount
		s.tasks = len(c.Tasks)
		s.zone = zoneID[c.Zone]
		s.refresh(&opts)
		t.zoneCells[s.zone] = append(t.zoneCells[s.zone], int32(i))
		t.inflight += c.StartingContainerCount
	}

	// Bin packing visits each zone in CellIndex order and weighs the position in it.
	if opts.BinPackFirstFitWeight > 0 {
		for _, zc := range t.zoneCells {
			slices.SortStableFunc(zc, func(a, b int32) int { return cells[a].CellIndex - cells[b].CellIndex })
			for pos, c := range zc {
				t.slots[c].indexTerm = float64(float64(pos) * opts.BinPackFirstFitWeight)
			}
		}
	} else {
		for i := range cells {
			t.slots[i].indexTerm = float64(float64(cells[i].CellIndex) * opts.BinPackFirstFitWeight)
		}
	}

	t.prune = true
	t.byBound = make([][]int32, len(t.zoneCells))
	for z, zc := range t.zoneCells {
		for pos, c := range zc {
			t.slots[c].visit = int32(pos)
			t.slots[c].bound = t.slots[c].lowerBound()
			if t.slots[c].proxyMem < 0 {
				t.prune = false
			}
		}
		t.byBound[z] = slices.Clone(zc)
		slices.SortFunc(t.byBound[z], t.compareBound)
	}

	// Count existing instances only for the processes being auctioned.
	for i := range batch.LRPs {
		if _, ok := t.procs[batch.LRPs[i].ProcessGUID]; !ok {
			t.procs[batch.LRPs[i].ProcessGUID] = &procCounts{}
		}
	}
	for ci := range cells {
		for li := range cells[ci].LRPs {
			p, ok := t.procs[cells[ci].LRPs[li].ProcessGUID]
			if !ok {
				continue
			}
			if k := len(p.cells); k > 0 && p.cells[k-1] == int32(ci) {
				p.counts[k-1]++
				continue
			}
			p.cells = append(p.cells, int32(ci))
			p.counts = append(p.counts, 1)
		}
	}
	return t
}

// compareBound orders a zone's cells by bound, then by visiting position, so that among
// equal bounds the scan meets cells in upstream's visiting order.
func (t *table) compareBound(a, b int32) int {
	ba, bb := t.slots[a].bound, t.slots[b].bound
	switch {
	case ba < bb:
		return -1
	case ba > bb:
		return 1
	}
	return int(t.slots[a].visit) - int(t.slots[b].visit)
}

// sameScoring reports whether two cells would score every request identically (given equal
// colocation counts): every input of shortages and resourceScore, and the index term, match.
func sameScoring(a, b *slot) bool {
	return a.availMem == b.availMem && a.availDisk == b.availDisk && a.proxyMem == b.proxyMem &&
		a.availContainers == b.availContainers && a.starting == b.starting &&
		a.totalMem == b.totalMem && a.totalDisk == b.totalDisk && a.totalContainers == b.totalContainers &&
		a.indexTerm == b.indexTerm
}

// rebound refreshes a changed cell's bound and moves it to its new place in byBound.
func (t *table) rebound(c int32) {
	s := &t.slots[c]
	arr := t.byBound[s.zone]
	i, found := slices.BinarySearchFunc(arr, c, t.compareBound)
	if !found {
		panic("placement: cell missing from its zone's bound order")
	}
	arr = slices.Delete(arr, i, i+1)
	s.bound = s.lowerBound()
	j, _ := slices.BinarySearchFunc(arr, c, t.compareBound)
	t.byBound[s.zone] = slices.Insert(arr, j, c)
}

// filter returns the cached filter outcome for a placement constraint.
func (t *table) filter(pc *rep.PlacementConstraint) *filterResult {
	key := pc.RootFs
	if len(pc.VolumeDrivers) > 0 || len(pc.PlacementTags) > 0 {
		key = pc.RootFs + "\x00" + strings.Join(pc.VolumeDrivers, "\x01") + "\x00" + strings.Join(pc.PlacementTags, "\x01")
	}
	if f, ok := t.filters[key]; ok {
		return f
	}
	f := t.computeFilter(pc)
	t.filters[key] = f
	return f
}

func (t *table) computeFilter(pc *rep.PlacementConstraint) *filterResult {
	u, err := url.Parse(pc.RootFs)
	f := &filterResult{eligible: make([][]int32, len(t.zoneCells)), mask: make([]bool, len(t.slots))}
	var merged filterStage
	haveErr := false
	for z, cells := range t.zoneCells {
		best := stageRootFS
		var eligible []int32
		for _, c := range cells {
			st := &t.states[c]
			if err != nil || !st.RootFSProviders.MatchURL(u) {
				continue
			}
			best = max(best, stageVolume)
			if !st.MatchVolumeDrivers(pc.VolumeDrivers) {
				continue
			}
			best = max(best, stageTags)
			if !st.MatchPlacementTags(pc.PlacementTags) {
				continue
			}
			best = stageOK
			eligible = append(eligible, c)
			f.mask[c] = true
		}
		if best == stageOK {
			f.eligible[z] = eligible
			f.any = true
			continue
		}
		merged = mergeZoneError(merged, best, haveErr)
		haveErr = true
	}
	f.stage = merged
	return f
}

// works collects the non-empty per-cell Work in snapshot order.
func (t *table) works() []rep.Work {
	var out []rep.Work
	for i := range t.assigned {
		if !t.assigned[i].Empty() {
			w := t.assigned[i]
			w.CellID = t.states[i].CellID
			out = append(out, w)
		}
	}
	return out
}
