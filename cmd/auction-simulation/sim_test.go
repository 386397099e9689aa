package main

import (
	"context"
	"testing"

	"github.com/godiego/diego/auctioneer/placement"
	rep "github.com/godiego/diego/rep/client"
)

func smallScenario(cells, instances int) scenario {
	return scenario{
		cells: cells, zones: 3, instances: instances, batch: 100, maxRounds: 100,
		capacity: rep.Resources{MemoryMB: 64 * 1024, DiskMB: 128 * 1024, Containers: 100},
		sizesMB:  []int32{128, 256, 512, 1024, 2048}, diskMB: 1024, maxPerLRP: 6, seed: 9,
		opts: placement.DefaultOptions(), workers: 4,
	}
}

func checkSpread(t *testing.T, r result, want int) {
	t.Helper()
	if r.placed != want || r.failed != 0 {
		t.Fatalf("placed %d, unplaced %d, want %d placed", r.placed, r.failed, want)
	}
	total := 0
	for _, c := range r.cells {
		st := c.State()
		total += len(st.LRPs)
		if st.StartingContainerCount != 0 || st.AvailableResources.Containers < 0 || st.AvailableResources.MemoryMB < 0 {
			t.Fatalf("cell %s in a bad state: %+v", st.CellID, st.AvailableResources)
		}
	}
	if total != want {
		t.Fatalf("cells hold %d instances, want %d", total, want)
	}
}

func TestDirectMode(t *testing.T) {
	s := smallScenario(30, 1500)
	cells := makeCells(s)
	checkSpread(t, run(context.Background(), s, cells, directCluster{cells}), 1500)
}

func TestHTTPMode(t *testing.T) {
	s := smallScenario(6, 300)
	s.http = true
	cells := makeCells(s)
	hc, err := startHTTPCluster(cells, s.workers)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(hc.Close)
	checkSpread(t, run(context.Background(), s, cells, hc), 300)
}

func TestRunStopsWhenNothingFits(t *testing.T) {
	s := smallScenario(3, 500) // 3 cells × 100 containers cannot hold 500
	s.sizesMB = []int32{128}
	cells := makeCells(s)
	r := run(context.Background(), s, cells, directCluster{cells})
	if r.placed != 300 || r.failed != 200 || len(r.lastReasons) != 1 || r.lastReasons["insufficient resources: containers"] == 0 {
		t.Fatalf("placed %d failed %d reasons %v", r.placed, r.failed, r.lastReasons)
	}
}
