package placement

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	rep "github.com/godiego/diego/rep/client"
)

// randomWorld builds a small, deliberately messy snapshot and batch: few zones, overlapping
// constraints, nearly full cells, shared processes, odd totals.
func randomWorld(r *rand.Rand, maxCells, maxLRPs, maxTasks int) ([]rep.CellState, Batch, Options) {
	pick := func(from []string) []string {
		var out []string
		for _, s := range from {
			if r.IntN(3) == 0 {
				out = append(out, s)
			}
		}
		return out
	}
	zones := []string{"z1", "z2", "z3", "z4"}[:1+r.IntN(4)]
	stacks := []string{"cflinuxfs3", "cflinuxfs4"}
	drivers := []string{"nfs", "smb"}
	tags := []string{"a", "b", "c"}
	procs := make([]string, 1+r.IntN(8))
	for i := range procs {
		procs[i] = fmt.Sprintf("pg-%d", i)
	}

	cells := make([]rep.CellState, r.IntN(maxCells))
	for i := range cells {
		total := rep.Resources{MemoryMB: int32(1024 * (1 + r.IntN(8))), DiskMB: int32(2048 * (1 + r.IntN(8))), Containers: 1 + r.IntN(20)}
		if r.IntN(40) == 0 {
			total = rep.Resources{} // NaN / Inf scores must behave the same
		}
		avail := rep.Resources{
			MemoryMB:   int32(r.IntN(int(total.MemoryMB) + 1)),
			DiskMB:     int32(r.IntN(int(total.DiskMB) + 1)),
			Containers: r.IntN(total.Containers + 1),
		}
		providers := rep.RootFSProviders{"preloaded": rep.FixedSetProvider(pick(stacks)...)}
		if r.IntN(2) == 0 {
			providers["docker"] = rep.ArbitraryProvider()
		}
		c := rep.CellState{
			CellID:                 fmt.Sprintf("cell-%d", i),
			CellIndex:              r.IntN(10),
			RootFSProviders:        providers,
			AvailableResources:     avail,
			TotalResources:         total,
			StartingContainerCount: r.IntN(4),
			Zone:                   zones[r.IntN(len(zones))],
			VolumeDrivers:          pick(drivers),
			PlacementTags:          pick(tags[:1]),
			OptionalPlacementTags:  pick(tags[1:]),
		}
		if r.IntN(3) == 0 {
			c.ProxyMemoryAllocationMB = 32 * r.IntN(3)
		}
		if r.IntN(200) == 0 {
			c.ProxyMemoryAllocationMB = -32 // nonsense, but must not break agreement
		}
		for j := r.IntN(6); j > 0; j-- {
			c.LRPs = append(c.LRPs, rep.LRP{ActualLRPKey: rep.ActualLRPKey{ProcessGUID: procs[r.IntN(len(procs))]}, State: rep.LRPStateRunning})
		}
		for j := r.IntN(3); j > 0; j-- {
			c.Tasks = append(c.Tasks, rep.Task{TaskGUID: "old", State: rep.TaskStateRunning})
		}
		cells[i] = c
	}
	// Clones make exact score ties, so the visiting order is exercised too.
	for i := range cells {
		if i > 0 && r.IntN(3) == 0 {
			c := cells[r.IntN(i)]
			c.CellID = fmt.Sprintf("cell-%d", i)
			if r.IntN(2) == 0 {
				c.Zone = zones[r.IntN(len(zones))]
			}
			cells[i] = c
		}
	}

	constraint := func() rep.PlacementConstraint {
		rootfs := []string{"preloaded:cflinuxfs4", "preloaded:cflinuxfs3", "docker:///busybox", "preloaded:windows", "%%bad"}
		return rep.PlacementConstraint{
			RootFs:        rootfs[r.IntN(len(rootfs))],
			VolumeDrivers: pick(drivers),
			PlacementTags: pick(tags),
		}
	}
	var batch Batch
	for i := r.IntN(maxLRPs); i > 0; i-- {
		res := rep.Resource{MemoryMB: int32(128 * r.IntN(9)), DiskMB: int32(256 * r.IntN(9))}
		if r.IntN(100) == 0 {
			res.MemoryMB = -res.MemoryMB // invalid requests are filtered upstream; still agree
		}
		pc := constraint()
		if r.IntN(2) == 0 {
			pc = rep.PlacementConstraint{RootFs: "preloaded:cflinuxfs4"}
		}
		batch.LRPs = append(batch.LRPs, rep.LRP{
			InstanceGUID:        fmt.Sprintf("ig-%d", i),
			ActualLRPKey:        rep.ActualLRPKey{ProcessGUID: procs[r.IntN(len(procs))], Index: int32(r.IntN(4)), Domain: "d"},
			PlacementConstraint: pc,
			Resource:            res,
		})
	}
	for i := r.IntN(maxTasks); i > 0; i-- {
		batch.Tasks = append(batch.Tasks, rep.Task{
			TaskGUID:            fmt.Sprintf("tg-%d", i),
			PlacementConstraint: constraint(),
			Resource:            rep.Resource{MemoryMB: int32(128 * r.IntN(9)), DiskMB: int32(256 * r.IntN(9))},
		})
	}
	opts := Options{StartingContainerWeight: []float64{0, 0.25, r.Float64()}[r.IntN(3)]}
	switch r.IntN(4) {
	case 0:
		opts.BinPackFirstFitWeight = r.Float64()
	case 1:
		opts.BinPackFirstFitWeight = -r.Float64() // upstream then weighs the raw CellIndex
	}
	if r.IntN(3) == 0 {
		opts.StartingContainerCountMaximum = r.IntN(40)
	}
	return cells, batch, opts
}

func TestPlaceAgreesWithReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	placed, failed := 0, 0
	reasons := map[string]bool{}
	for i := 0; i < 3000; i++ {
		cells, batch, opts := randomWorld(r, 25, 40, 15)
		got := Place(cells, batch, opts)
		want := referencePlace(cells, batch, opts)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d differs\nopts %+v\n got %+v\nwant %+v", i, opts, got, want)
		}
		placed += got.PlacedLRPs + got.PlacedTasks
		failed += len(got.FailedLRPs) + len(got.FailedTasks)
		for _, f := range got.FailedLRPs {
			reasons[f.Reason] = true
		}
		for _, f := range got.FailedTasks {
			reasons[f.Reason] = true
		}
	}
	// The generator must exercise both outcomes and many reasons, or the test proves little.
	if placed < 1000 || failed < 1000 || len(reasons) < 10 {
		t.Fatalf("weak coverage: placed %d failed %d reasons %d", placed, failed, len(reasons))
	}
	t.Logf("placed %d, failed %d, %d distinct reasons", placed, failed, len(reasons))
}

func TestPlaceDoesNotModifyInput(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < 200; i++ {
		cells, batch, opts := randomWorld(r, 25, 40, 15)
		before := fmt.Sprintf("%+v %+v", cells, batch)
		Place(cells, batch, opts)
		if after := fmt.Sprintf("%+v %+v", cells, batch); after != before {
			t.Fatal("Place modified its input")
		}
	}
}

// TestPlaceAgreesWithReferenceAtScale uses more cells and auctions per round, where the
// bound-ordered scan prunes most cells.
func TestPlaceAgreesWithReferenceAtScale(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 40; i++ {
		cells, batch, opts := randomWorld(r, 300, 800, 100)
		got := Place(cells, batch, opts)
		want := referencePlace(cells, batch, opts)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d differs (%d cells, %d lrps, %d tasks, opts %+v)", i, len(cells), len(batch.LRPs), len(batch.Tasks), opts)
		}
	}
}

// TestPlaceAgreesWithReferenceOnTies makes every cell a clone and many requests empty, so
// scores equal bounds and ties are everywhere: the visiting order alone decides.
func TestPlaceAgreesWithReferenceOnTies(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	for i := 0; i < 200; i++ {
		cells, batch, opts := randomWorld(r, 40, 120, 20)
		for j := range cells {
			if j > 0 {
				zone, id := cells[j].Zone, cells[j].CellID
				cells[j] = cells[r.IntN(min(j, 2))]
				cells[j].Zone, cells[j].CellID = zone, id
			}
		}
		for j := range batch.LRPs {
			if r.IntN(2) == 0 {
				batch.LRPs[j].Resource = rep.Resource{}
			}
		}
		got := Place(cells, batch, opts)
		want := referencePlace(cells, batch, opts)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d differs (%d cells, opts %+v)\n got %+v\nwant %+v", i, len(cells), opts, got.Works, want.Works)
		}
	}
}
