package placement

import (
	"fmt"
	"testing"

	rep "github.com/godiego/diego/rep/client"
)

const linux = "preloaded:cflinuxfs4"

// cell builds an empty cell with the given capacity (memory MB, disk MB, containers).
func cell(id, zone string, mem, disk int32, containers int) rep.CellState {
	return rep.CellState{
		CellID:             id,
		Zone:               zone,
		RootFSProviders:    rep.RootFSProviders{"preloaded": rep.FixedSetProvider("cflinuxfs4"), "docker": rep.ArbitraryProvider()},
		AvailableResources: rep.Resources{MemoryMB: mem, DiskMB: disk, Containers: containers},
		TotalResources:     rep.Resources{MemoryMB: mem, DiskMB: disk, Containers: containers},
	}
}

func lrp(pg string, index int32, mem, disk int32) rep.LRP {
	return rep.LRP{
		InstanceGUID:        fmt.Sprintf("%s-%d", pg, index),
		ActualLRPKey:        rep.ActualLRPKey{ProcessGUID: pg, Index: index, Domain: "d"},
		PlacementConstraint: rep.PlacementConstraint{RootFs: linux},
		Resource:            rep.Resource{MemoryMB: mem, DiskMB: disk},
	}
}

func task(guid string, mem, disk int32) rep.Task {
	return rep.Task{
		TaskGUID:            guid,
		Domain:              "d",
		PlacementConstraint: rep.PlacementConstraint{RootFs: linux},
		Resource:            rep.Resource{MemoryMB: mem, DiskMB: disk},
	}
}

// running returns n running instances of pg to put in a CellState.
func running(pg string, n int) []rep.LRP {
	out := make([]rep.LRP, n)
	for i := range out {
		out[i] = lrp(pg, int32(i), 0, 0)
		out[i].State = rep.LRPStateRunning
	}
	return out
}

// placements maps "what" (instance guid or task guid) to the cell it went to.
func placements(p Plan) map[string]string {
	m := map[string]string{}
	for _, w := range p.Works {
		for _, l := range w.LRPs {
			m[l.InstanceGUID] = w.CellID
		}
		for _, t := range w.Tasks {
			m[t.TaskGUID] = w.CellID
		}
	}
	return m
}

// place runs Place and also checks it against the reference implementation.
func place(t *testing.T, cells []rep.CellState, b Batch, opts Options) Plan {
	t.Helper()
	got := Place(cells, b, opts)
	want := referencePlace(cells, b, opts)
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Fatalf("Place and the reference disagree\n got %+v\nwant %+v", got, want)
	}
	return got
}

func failedLRPReasons(p Plan) map[string]string {
	m := map[string]string{}
	for _, f := range p.FailedLRPs {
		m[f.LRP.InstanceGUID] = f.Reason
	}
	return m
}
