package placement_test

import (
	"fmt"

	"github.com/godiego/diego/auctioneer/placement"
	rep "github.com/godiego/diego/rep/client"
)

func Example() {
	newCell := func(id, zone string) rep.CellState {
		capacity := rep.Resources{MemoryMB: 4096, DiskMB: 8192, Containers: 100}
		return rep.CellState{
			CellID:             id,
			Zone:               zone,
			RootFSProviders:    rep.RootFSProviders{"preloaded": rep.FixedSetProvider("cflinuxfs4")},
			AvailableResources: capacity,
			TotalResources:     capacity,
		}
	}
	cells := []rep.CellState{newCell("cell-a", "z1"), newCell("cell-b", "z2")}

	var batch placement.Batch
	for i := int32(0); i < 2; i++ {
		batch.LRPs = append(batch.LRPs, rep.LRP{
			InstanceGUID:        fmt.Sprintf("instance-%d", i),
			ActualLRPKey:        rep.ActualLRPKey{ProcessGUID: "web", Index: i, Domain: "cf-apps"},
			PlacementConstraint: rep.PlacementConstraint{RootFs: "preloaded:cflinuxfs4"},
			Resource:            rep.Resource{MemoryMB: 512, DiskMB: 1024},
		})
	}
	batch.Tasks = append(batch.Tasks, rep.Task{
		TaskGUID:            "migrate",
		PlacementConstraint: rep.PlacementConstraint{RootFs: "docker:///busybox"},
		Resource:            rep.Resource{MemoryMB: 256},
	})

	plan := placement.Place(cells, batch, placement.DefaultOptions())
	for _, w := range plan.Works {
		for _, l := range w.LRPs {
			fmt.Printf("%s index %d -> %s\n", l.ProcessGUID, l.Index, w.CellID)
		}
	}
	for _, f := range plan.FailedTasks {
		fmt.Printf("task %s: %s\n", f.Task.TaskGUID, f.Reason)
	}
	// Output:
	// web index 0 -> cell-a
	// web index 1 -> cell-b
	// task migrate: found no compatible cell for required rootfs
}
