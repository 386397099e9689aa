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
func randomWorld(r *rand.Rand) ([]rep.CellState, Batch, Options) {
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

	cells := make([]rep.CellState, r.IntN(25))
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
	for i := r.IntN(40); i > 0; i-- {
		res := rep.Resource{MemoryMB: int32(128 * r.IntN(9)), DiskMB: int32(256 * r.IntN(9))}
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
	for i := r.IntN(15); i > 0; i-- {
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
		cells, batch, opts := randomWorld(r)
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
		cells, batch, opts := randomWorld(r)
		before := fmt.Sprintf("%+v %+v", cells, batch)
		Place(cells, batch, opts)
		if after := fmt.Sprintf("%+v %+v", cells, batch); after != before {
			t.Fatal("Place modified its input")
		}
	}
}
