package placement

import (
	"fmt"
	"math/rand/v2"
	"testing"

	rep "github.com/godiego/diego/rep/client"
)

// benchWorld is 1,000 cells (32 GB, 3 zones) already running 100 instances each, and a batch
// of LRP instances of 128 MB to 2 GB, several per process.
func benchWorld(cells, batch int) ([]rep.CellState, Batch) {
	r := rand.New(rand.NewPCG(3, 4))
	states := make([]rep.CellState, cells)
	for i := range states {
		c := cell(fmt.Sprintf("cell-%04d", i), fmt.Sprintf("z%d", i%3), 32768, 65536, 250)
		c.CellIndex = i / 3
		for j := 0; j < 100; j++ {
			l := lrp(fmt.Sprintf("old-%d", r.IntN(20000)), int32(j), 128, 256)
			c.AddLRP(l)
		}
		c.StartingContainerCount = 0
		states[i] = c
	}
	var b Batch
	sizes := []int32{128, 256, 512, 1024, 2048}
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
