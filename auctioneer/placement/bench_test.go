package placement

import (
	"fmt"
	"math/rand/v2"
	"testing"

	rep "github.com/godiego/diego/rep/client"
)

// benchWorld is cells of 256 GB in 3 zones, each already running 50 to 150 instances of
// 128 MB to 2 GB, and a batch of new instances of the same sizes, several per process.
func benchWorld(cells, batch int) ([]rep.CellState, Batch) {
	r := rand.New(rand.NewPCG(3, 4))
	sizes := []int32{128, 256, 512, 1024, 2048}
	states := make([]rep.CellState, cells)
	for i := range states {
		c := cell(fmt.Sprintf("cell-%04d", i), fmt.Sprintf("z%d", i%3), 262144, 524288, 400)
		c.CellIndex = i / 3
		for j := 50 + r.IntN(100); j > 0; j-- {
			l := lrp(fmt.Sprintf("old-%d", r.IntN(20000)), int32(j), sizes[r.IntN(len(sizes))], 1024)
			c.AddLRP(l)
		}
		c.StartingContainerCount = 0
		states[i] = c
	}
	var b Batch
	for p := 0; len(b.LRPs) < batch; p++ {
		instances := 1 + r.IntN(10)
		mem := sizes[r.IntN(len(sizes))]
		for i := 0; i < instances && len(b.LRPs) < batch; i++ {
			b.LRPs = append(b.LRPs, lrp(fmt.Sprintf("pg-%d", p), int32(i), mem, 1024))
		}
	}
	return states, b
}

func BenchmarkPlace1000Cells(b *testing.B) {
	cells, batch := benchWorld(1000, 5000)
	b.ReportAllocs()
	b.ResetTimer()
	placed := 0
	for b.Loop() {
		placed += Place(cells, batch, DefaultOptions()).PlacedLRPs
	}
	b.ReportMetric(float64(placed)/b.Elapsed().Seconds(), "placements/s")
}

func BenchmarkReference1000Cells(b *testing.B) {
	cells, batch := benchWorld(1000, 500)
	b.ResetTimer()
	placed := 0
	for b.Loop() {
		placed += referencePlace(cells, batch, DefaultOptions()).PlacedLRPs
	}
	b.ReportMetric(float64(placed)/b.Elapsed().Seconds(), "placements/s")
}

// BenchmarkPlaceEmptyCluster is the worst case for the bound-ordered scan: 1,000 identical
// empty cells, where every untouched cell ties.
func BenchmarkPlaceEmptyCluster(b *testing.B) {
	cells := make([]rep.CellState, 1000)
	for i := range cells {
		cells[i] = cell(fmt.Sprintf("cell-%04d", i), fmt.Sprintf("z%d", i%3), 262144, 524288, 400)
	}
	_, batch := benchWorld(0, 5000)
	b.ResetTimer()
	placed := 0
	for b.Loop() {
		placed += Place(cells, batch, DefaultOptions()).PlacedLRPs
	}
	b.ReportMetric(float64(placed)/b.Elapsed().Seconds(), "placements/s")
}
