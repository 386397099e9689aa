package placement

import (
	"fmt"
	"reflect"
	"testing"

	rep "github.com/godiego/diego/rep/client"
)

func TestNoCellsMeansUnreachable(t *testing.T) {
	p := place(t, nil, Batch{LRPs: []rep.LRP{lrp("pg", 0, 1, 1)}, Tasks: []rep.Task{task("t", 1, 1)}}, DefaultOptions())
	if len(p.FailedLRPs) != 1 || p.FailedLRPs[0].Reason != "unable to communicate to compatible cells" ||
		len(p.FailedTasks) != 1 || p.FailedTasks[0].Reason != "unable to communicate to compatible cells" {
		t.Fatalf("%+v", p)
	}
}

func TestSpreadsAcrossCells(t *testing.T) {
	cells := []rep.CellState{cell("a", "z1", 4096, 8192, 100), cell("b", "z1", 4096, 8192, 100), cell("c", "z1", 4096, 8192, 100)}
	var b Batch
	for i := int32(0); i < 6; i++ {
		b.LRPs = append(b.LRPs, lrp("pg", i, 256, 256))
	}
	p := place(t, cells, b, DefaultOptions())
	if p.PlacedLRPs != 6 || len(p.Works) != 3 {
		t.Fatalf("%+v", p)
	}
	for _, w := range p.Works {
		if len(w.LRPs) != 2 {
			t.Fatalf("cell %s got %d instances, want 2", w.CellID, len(w.LRPs))
		}
	}
}

func TestPrefersEmptierCell(t *testing.T) {
	busy := cell("busy", "z1", 4096, 8192, 100)
	busy.AvailableResources = rep.Resources{MemoryMB: 1024, DiskMB: 2048, Containers: 90}
	cells := []rep.CellState{busy, cell("idle", "z1", 4096, 8192, 100)}
	p := place(t, cells, Batch{LRPs: []rep.LRP{lrp("pg", 0, 256, 256)}, Tasks: []rep.Task{task("t", 256, 256)}}, DefaultOptions())
	got := placements(p)
	if got["pg-0"] != "idle" || got["t"] != "idle" {
		t.Fatalf("placements %v", got)
	}
}

func TestColocationPenalty(t *testing.T) {
	// "a" is emptier, but already runs an instance of pg: 1000 per instance outweighs it.
	a := cell("a", "z1", 8192, 8192, 100)
	a.LRPs = running("pg", 1)
	b := cell("b", "z1", 4096, 8192, 100)
	b.AvailableResources.MemoryMB = 1024
	p := place(t, []rep.CellState{a, b}, Batch{LRPs: []rep.LRP{lrp("pg", 5, 128, 128), lrp("other", 0, 128, 128)}}, DefaultOptions())
	got := placements(p)
	if got["pg-5"] != "b" || got["other-0"] != "a" {
		t.Fatalf("placements %v", got)
	}
}

func TestStartingContainerWeight(t *testing.T) {
	a := cell("a", "z1", 4096, 4096, 100)
	a.StartingContainerCount = 2
	b := cell("b", "z1", 4096, 4096, 100)
	b.AvailableResources.MemoryMB = 2048 // fuller: 0.5 memory used → +0.166 score
	batch := Batch{LRPs: []rep.LRP{lrp("pg", 0, 128, 128)}}
	if got := placements(place(t, []rep.CellState{a, b}, batch, Options{StartingContainerWeight: 0.25}))["pg-0"]; got != "b" {
		t.Fatalf("with weight 0.25 (a pays 0.5): got %s", got)
	}
	if got := placements(place(t, []rep.CellState{a, b}, batch, Options{}))["pg-0"]; got != "a" {
		t.Fatalf("with weight 0: got %s", got)
	}
}

func TestZoneBalancing(t *testing.T) {
	// z1 already runs two instances, z2 one, z3 none: z3 first even though its cell is fuller.
	z1 := cell("z1-a", "z1", 8192, 8192, 100)
	z1.LRPs = running("pg", 2)
	z2 := cell("z2-a", "z2", 8192, 8192, 100)
	z2.LRPs = running("pg", 1)
	z3 := cell("z3-a", "z3", 8192, 8192, 100)
	z3.AvailableResources = rep.Resources{MemoryMB: 1024, DiskMB: 1024, Containers: 5}
	cells := []rep.CellState{z1, z2, z3}
	p := place(t, cells, Batch{LRPs: []rep.LRP{lrp("pg", 3, 512, 512)}}, DefaultOptions())
	if got := placements(p)["pg-3"]; got != "z3-a" {
		t.Fatalf("got %s", got)
	}
	// If the emptiest zone cannot take it, the next zone does.
	cells[2].AvailableResources.MemoryMB = 100
	p = place(t, cells, Batch{LRPs: []rep.LRP{lrp("pg", 3, 512, 512)}}, DefaultOptions())
	if got := placements(p)["pg-3"]; got != "z2-a" {
		t.Fatalf("got %s", got)
	}
}

func TestZoneTieBreakSearchesTiedZones(t *testing.T) {
	// Both zones hold no instance: the best cell across both wins, not the first zone's.
	a := cell("a", "z1", 4096, 4096, 100)
	a.AvailableResources.MemoryMB = 1024
	b := cell("b", "z2", 4096, 4096, 100)
	p := place(t, []rep.CellState{a, b}, Batch{LRPs: []rep.LRP{lrp("pg", 0, 128, 128)}}, DefaultOptions())
	if got := placements(p)["pg-0"]; got != "b" {
		t.Fatalf("got %s", got)
	}
}

func TestBalancesAcrossZones(t *testing.T) {
	var cells []rep.CellState
	for z := 1; z <= 3; z++ {
		for c := 0; c < 4; c++ {
			cells = append(cells, cell(fmt.Sprintf("z%d-%d", z, c), fmt.Sprintf("z%d", z), 16384, 16384, 200))
		}
	}
	var b Batch
	for i := int32(0); i < 30; i++ {
		b.LRPs = append(b.LRPs, lrp("pg", i, 512, 512))
	}
	p := place(t, cells, b, DefaultOptions())
	perZone := map[string]int{}
	for _, w := range p.Works {
		perZone[w.CellID[:2]] += len(w.LRPs)
	}
	if perZone["z1"] != 10 || perZone["z2"] != 10 || perZone["z3"] != 10 {
		t.Fatalf("per zone %v", perZone)
	}
}

func TestOrdering(t *testing.T) {
	// One slot only: the index-0 LRP wins over the bigger task, the task over index-1 LRPs.
	cells := []rep.CellState{cell("a", "z1", 4096, 4096, 1)}
	b := Batch{
		LRPs:  []rep.LRP{lrp("big", 1, 2048, 1), lrp("small", 0, 64, 1)},
		Tasks: []rep.Task{task("t", 1024, 1)},
	}
	p := place(t, cells, b, DefaultOptions())
	if placements(p)["small-0"] != "a" || len(p.FailedTasks) != 1 || len(p.FailedLRPs) != 1 {
		t.Fatalf("%+v", p)
	}
	// Two slots: small-0, then the task; big-1 fails.
	cells[0].AvailableResources.Containers, cells[0].TotalResources.Containers = 2, 2
	p = place(t, cells, b, DefaultOptions())
	if got := placements(p); got["small-0"] != "a" || got["t"] != "a" || p.FailedLRPs[0].LRP.ProcessGUID != "big" {
		t.Fatalf("%+v", p)
	}
	// Within an index, bigger memory goes first.
	cells[0].AvailableResources.Containers, cells[0].TotalResources.Containers = 1, 1
	p = place(t, cells, Batch{LRPs: []rep.LRP{lrp("x", 0, 64, 1), lrp("y", 0, 128, 1)}}, DefaultOptions())
	if placements(p)["y-0"] != "a" {
		t.Fatalf("%+v", p)
	}
	// Work lists keep placement order.
	cells[0].AvailableResources.Containers, cells[0].TotalResources.Containers = 10, 10
	p = place(t, cells, Batch{LRPs: []rep.LRP{lrp("x", 1, 64, 1), lrp("y", 0, 32, 1), lrp("z", 0, 128, 1)}}, DefaultOptions())
	var order []string
	for _, l := range p.Works[0].LRPs {
		order = append(order, l.InstanceGUID)
	}
	if !reflect.DeepEqual(order, []string{"z-0", "y-0", "x-1"}) {
		t.Fatalf("order %v", order)
	}
}

func TestInflightCap(t *testing.T) {
	a := cell("a", "z1", 8192, 8192, 100)
	a.StartingContainerCount = 2
	b := Batch{
		LRPs:  []rep.LRP{lrp("p", 0, 1, 1), lrp("q", 0, 1, 1), lrp("r", 1, 1, 1)},
		Tasks: []rep.Task{task("t", 1, 1)},
	}
	p := place(t, []rep.CellState{a}, b, Options{StartingContainerCountMaximum: 4})
	if p.PlacedLRPs != 2 || p.PlacedTasks != 0 {
		t.Fatalf("%+v", p)
	}
	for _, f := range p.FailedLRPs {
		if f.Reason != "waiting to start instance: reached in-flight start limit" {
			t.Fatalf("reason %q", f.Reason)
		}
	}
	if p.FailedTasks[0].Reason != "waiting to start instance: reached in-flight start limit" {
		t.Fatalf("task reason %q", p.FailedTasks[0].Reason)
	}
	// 0 means unlimited.
	if p := place(t, []rep.CellState{a}, b, Options{}); p.PlacedLRPs != 3 || p.PlacedTasks != 1 {
		t.Fatalf("%+v", p)
	}
}

func TestInsufficientResourceReasons(t *testing.T) {
	small := cell("small", "z1", 1024, 1024, 10)
	noSlots := cell("full", "z1", 8192, 8192, 10)
	noSlots.AvailableResources.Containers = 0
	fullAndSmall := noSlots
	fullAndSmall.AvailableResources.MemoryMB = 1024
	cases := []struct {
		name  string
		cells []rep.CellState
		mem   int32
		disk  int32
		want  string
	}{
		{"memory", []rep.CellState{small}, 2048, 1, "insufficient resources: memory"},
		{"disk", []rep.CellState{small}, 1, 2048, "insufficient resources: disk"},
		{"both", []rep.CellState{small}, 2048, 2048, "insufficient resources: disk, memory"},
		{"containers", []rep.CellState{noSlots}, 1, 1, "insufficient resources: containers"},
		{"only shared problems", []rep.CellState{small, fullAndSmall}, 2048, 1, "insufficient resources: memory"},
		{"nothing shared", []rep.CellState{small, noSlots}, 1, 2048, "insufficient resources"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := place(t, c.cells, Batch{LRPs: []rep.LRP{lrp("pg", 0, c.mem, c.disk)}, Tasks: []rep.Task{task("t", c.mem, c.disk)}}, DefaultOptions())
			if len(p.FailedLRPs) != 1 || p.FailedLRPs[0].Reason != c.want {
				t.Fatalf("lrp: %+v", p.FailedLRPs)
			}
			if len(p.FailedTasks) != 1 || p.FailedTasks[0].Reason != c.want {
				t.Fatalf("task: %+v", p.FailedTasks)
			}
		})
	}
}

func TestProxyMemoryOverhead(t *testing.T) {
	a := cell("a", "z1", 1024, 1024, 10)
	a.ProxyMemoryAllocationMB = 32
	// 1000 + 32 > 1024: the LRP does not fit, the task (no proxy) does.
	p := place(t, []rep.CellState{a}, Batch{LRPs: []rep.LRP{lrp("pg", 0, 1000, 1)}, Tasks: []rep.Task{task("t", 1000, 1)}}, DefaultOptions())
	if len(p.FailedLRPs) != 1 || p.FailedLRPs[0].Reason != "insufficient resources: memory" || p.PlacedTasks != 1 {
		t.Fatalf("%+v", p)
	}
	// 992 + 32 fits; only the LRP's own memory is booked, so a 32 MB task still fits after it.
	p = place(t, []rep.CellState{a}, Batch{LRPs: []rep.LRP{lrp("pg", 0, 992, 1)}, Tasks: []rep.Task{task("t", 32, 1)}}, DefaultOptions())
	if p.PlacedLRPs != 1 || p.PlacedTasks != 1 {
		t.Fatalf("%+v", p)
	}
}

func TestProxyOverheadChangesScore(t *testing.T) {
	a := cell("a", "z1", 4096, 4096, 100)
	a.ProxyMemoryAllocationMB = 1024
	b := cell("b", "z1", 4096, 4096, 100)
	b.AvailableResources.MemoryMB = 3584 // 512 used, less than a's 1024 proxy overhead
	p := place(t, []rep.CellState{a, b}, Batch{LRPs: []rep.LRP{lrp("pg", 0, 128, 128)}}, DefaultOptions())
	if got := placements(p)["pg-0"]; got != "b" {
		t.Fatalf("got %s", got)
	}
}

func TestMaxPidsTravelsWithTheWork(t *testing.T) {
	l := lrp("pg", 0, 1, 1)
	l.MaxPids = 1024
	p := place(t, []rep.CellState{cell("a", "z1", 100, 100, 1)}, Batch{LRPs: []rep.LRP{l}}, DefaultOptions())
	if p.Works[0].LRPs[0].MaxPids != 1024 || p.Works[0].CellID != "a" {
		t.Fatalf("%+v", p.Works)
	}
}

func TestBinPackFirstFit(t *testing.T) {
	var cells []rep.CellState
	for i, idx := range []int{7, 3, 5} {
		c := cell(fmt.Sprintf("c%d", i), "z1", 8192, 8192, 100)
		c.CellIndex = idx
		cells = append(cells, c)
	}
	var b Batch
	for i := 0; i < 3; i++ {
		b.LRPs = append(b.LRPs, lrp(fmt.Sprintf("pg%d", i), 0, 128, 128))
	}
	// With a strong weight everything goes to the lowest CellIndex (c1, index 3).
	p := place(t, cells, b, Options{StartingContainerWeight: 0.25, BinPackFirstFitWeight: 10})
	if len(p.Works) != 1 || p.Works[0].CellID != "c1" || len(p.Works[0].LRPs) != 3 {
		t.Fatalf("%+v", p.Works)
	}
	// Off, they spread.
	if p := place(t, cells, b, DefaultOptions()); len(p.Works) != 3 {
		t.Fatalf("%+v", p.Works)
	}
}

func TestFilters(t *testing.T) {
	base := cell("a", "z1", 8192, 8192, 100)
	withDrivers := base
	withDrivers.CellID = "b"
	withDrivers.VolumeDrivers = []string{"nfs"}
	tagged := base
	tagged.CellID = "c"
	tagged.VolumeDrivers = []string{"nfs"}
	tagged.PlacementTags = []string{"iso"}
	tagged.OptionalPlacementTags = []string{"gpu"}
	cells := []rep.CellState{base, withDrivers, tagged}

	cases := []struct {
		rootfs  string
		drivers []string
		tags    []string
		want    string // cell, or the failure reason
	}{
		{linux, nil, nil, "a"},
		{"docker:///busybox", nil, nil, "a"},
		{"preloaded:cflinuxfs3", nil, nil, "found no compatible cell for required rootfs"},
		{"windows2016", nil, nil, "found no compatible cell for required rootfs"},
		{linux, []string{"nfs"}, nil, "b"},
		{linux, []string{"smb"}, nil, "found no compatible cell with required volume drivers"},
		{linux, []string{"nfs"}, []string{"iso"}, "c"},
		{linux, []string{"nfs"}, []string{"iso", "gpu"}, "c"},
		{linux, nil, []string{"gpu"}, `found no compatible cell with placement tag "gpu"`},
		{linux, nil, []string{"x", "y"}, `found no compatible cell with placement tags "x" and "y"`},
		{linux, nil, []string{"x", "y", "z"}, `found no compatible cell with placement tags "x", "y" and "z"`},
	}
	for _, c := range cases {
		l := lrp("pg", 0, 64, 64)
		l.RootFs, l.VolumeDrivers, l.PlacementTags = c.rootfs, c.drivers, c.tags
		tk := task("t", 64, 64)
		tk.PlacementConstraint = l.PlacementConstraint
		p := place(t, cells, Batch{LRPs: []rep.LRP{l}}, DefaultOptions())
		gotLRP := placements(p)["pg-0"]
		if gotLRP == "" {
			gotLRP = p.FailedLRPs[0].Reason
		}
		p = place(t, cells, Batch{Tasks: []rep.Task{tk}}, DefaultOptions())
		gotTask := placements(p)["t"]
		if gotTask == "" {
			gotTask = p.FailedTasks[0].Reason
		}
		if gotLRP != c.want || gotTask != c.want {
			t.Errorf("%s %v %v: lrp %q task %q, want %q", c.rootfs, c.drivers, c.tags, gotLRP, gotTask, c.want)
		}
	}
	// Only tagged cells: an untagged LRP is refused with "no placement tags".
	p := place(t, []rep.CellState{tagged}, Batch{LRPs: []rep.LRP{lrp("pg", 0, 1, 1)}}, DefaultOptions())
	if p.FailedLRPs[0].Reason != "found no compatible cell with no placement tags" {
		t.Fatalf("%q", p.FailedLRPs[0].Reason)
	}
}

func TestZoneErrorMerging(t *testing.T) {
	// z1 gets as far as volume drivers, z2 only as far as the rootfs: upstream keeps the
	// volume-driver error whatever order the zones come in.
	z1 := cell("a", "z1", 100, 100, 1)
	z2 := cell("b", "z2", 100, 100, 1)
	z2.RootFSProviders = rep.RootFSProviders{}
	l := lrp("pg", 0, 1, 1)
	l.VolumeDrivers = []string{"nfs"}
	p := place(t, []rep.CellState{z1, z2}, Batch{LRPs: []rep.LRP{l}}, DefaultOptions())
	if p.FailedLRPs[0].Reason != "found no compatible cell with required volume drivers" {
		t.Fatalf("%q", p.FailedLRPs[0].Reason)
	}
	// A placement-tag error is replaced by the next zone's error, even a rootfs one (upstream
	// quirk, visible because zones are visited in name order here).
	z1.VolumeDrivers = []string{"nfs"}
	z1.PlacementTags = []string{"iso"}
	p = place(t, []rep.CellState{z1, z2}, Batch{LRPs: []rep.LRP{l}}, DefaultOptions())
	if p.FailedLRPs[0].Reason != "found no compatible cell for required rootfs" {
		t.Fatalf("%q", p.FailedLRPs[0].Reason)
	}
	z1.Zone, z2.Zone = "z2", "z1"
	p = place(t, []rep.CellState{z1, z2}, Batch{LRPs: []rep.LRP{l}}, DefaultOptions())
	if p.FailedLRPs[0].Reason != "found no compatible cell with no placement tags" {
		t.Fatalf("%q", p.FailedLRPs[0].Reason)
	}
}

func TestTaskLocality(t *testing.T) {
	a := cell("a", "z1", 8192, 8192, 100)
	a.Tasks = []rep.Task{task("old", 1, 1)}
	b := cell("b", "z1", 8192, 8192, 100)
	b.AvailableResources.MemoryMB = 1024
	p := place(t, []rep.CellState{a, b}, Batch{Tasks: []rep.Task{task("t1", 64, 64), task("t2", 64, 64)}}, DefaultOptions())
	got := placements(p)
	// t1 avoids a (1 task); then b holds one task too and a is emptier.
	if got["t1"] != "b" || got["t2"] != "a" {
		t.Fatalf("%v", got)
	}
}

func TestDeterministic(t *testing.T) {
	var cells []rep.CellState
	for i := 0; i < 50; i++ {
		cells = append(cells, cell(fmt.Sprintf("c%02d", i), fmt.Sprintf("z%d", i%3), 8192, 8192, 100))
	}
	var b Batch
	for i := 0; i < 400; i++ {
		b.LRPs = append(b.LRPs, lrp(fmt.Sprintf("pg%d", i%37), int32(i%5), int32(128*(1+i%4)), 256))
	}
	for i := 0; i < 50; i++ {
		b.Tasks = append(b.Tasks, task(fmt.Sprintf("t%d", i), 512, 512))
	}
	first := Place(cells, b, DefaultOptions())
	for i := 0; i < 5; i++ {
		if again := Place(cells, b, DefaultOptions()); !reflect.DeepEqual(first, again) {
			t.Fatal("two runs on the same input differ")
		}
	}
}
