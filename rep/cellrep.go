package rep

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync/atomic"

	"github.com/godiego/diego/executor"
	"github.com/godiego/diego/proto/models"
	"github.com/godiego/diego/rep/client"
)

// ErrCellIdMismatch is returned by Perform for work addressed to another cell.
var ErrCellIdMismatch = errors.New("workload cell ID does not match this cell")

// Evacuation is the cell's evacuating flag, shared by the API, the auction
// answers and the sync loops.
type Evacuation struct{ on atomic.Bool }

// Evacuating reports whether the cell is evacuating.
func (e *Evacuation) Evacuating() bool { return e != nil && e.on.Load() }

// Start marks the cell as evacuating; it reports whether it was not already.
func (e *Evacuation) Start() bool { return e.on.CompareAndSwap(false, true) }

// CellRep answers the auction: the cell's state, and reservations of work.
type CellRep struct {
	CellID                string
	CellIndex             int
	RepURL                string
	Zone                  string
	Stacks                map[string]string // preloaded stack → path
	SupportedProviders    []string
	PlacementTags         []string
	OptionalPlacementTags []string
	Executor              Executor
	Evacuation            *Evacuation
	NewInstanceGuid       func() string
}

// RootFSProviders is what the cell can run: its preloaded stacks (also
// as preloaded+layer) and every arbitrary provider such as docker.
func (r *CellRep) RootFSProviders() client.RootFSProviders {
	stacks := make([]string, 0, len(r.Stacks))
	for s := range r.Stacks {
		stacks = append(stacks, s)
	}
	sort.Strings(stacks)
	ps := client.RootFSProviders{
		models.PreloadedRootFSScheme:    client.FixedSetProvider(stacks...),
		models.PreloadedOCIRootFSScheme: client.FixedSetProvider(stacks...),
	}
	for _, p := range r.SupportedProviders {
		ps[p] = client.ArbitraryProvider()
	}
	return ps
}

// State reports the cell and whether its Garden is healthy.
func (r *CellRep) State() (client.CellState, bool) {
	total, remaining := r.Executor.TotalResources(), r.Executor.RemainingResources()
	state := client.CellState{
		RepURL: r.RepURL, CellID: r.CellID, CellIndex: r.CellIndex, RootFSProviders: r.RootFSProviders(),
		AvailableResources: resources(remaining), TotalResources: resources(total),
		LRPs: []client.LRP{}, Tasks: []client.Task{},
		Zone: r.Zone, Evacuating: r.Evacuation.Evacuating(), VolumeDrivers: []string{},
		PlacementTags: nonNil(r.PlacementTags), OptionalPlacementTags: nonNil(r.OptionalPlacementTags),
	}
	for _, c := range r.Executor.ListContainers() {
		if c.State.IsStarting() {
			state.StartingContainerCount++
		}
		var placementTags, volumeDrivers []string
		json.Unmarshal([]byte(c.Tags[executor.PlacementTagsTag]), &placementTags)
		json.Unmarshal([]byte(c.Tags[executor.VolumeDriversTag]), &volumeDrivers)
		res := client.Resource{MemoryMB: int32(c.MemoryMB), DiskMB: int32(c.DiskMB), MaxPids: int32(c.MaxPids)}
		pc := client.PlacementConstraint{RootFs: RootFSURL(c.RootFSPath, r.Stacks), VolumeDrivers: volumeDrivers, PlacementTags: placementTags}
		switch c.Tags[executor.LifecycleTag] {
		case executor.LRPLifecycle:
			key, err := ActualLRPKeyFromTags(c.Tags)
			if err != nil {
				continue
			}
			ik, err := ActualLRPInstanceKeyFromContainer(c, r.CellID)
			if err != nil {
				continue
			}
			state.LRPs = append(state.LRPs, client.LRP{InstanceGUID: ik.InstanceGuid,
				ActualLRPKey:        client.ActualLRPKey{ProcessGUID: key.ProcessGuid, Index: key.Index, Domain: key.Domain},
				PlacementConstraint: pc, Resource: res, State: lrpState(c)})
		case executor.TaskLifecycle:
			state.Tasks = append(state.Tasks, client.Task{TaskGUID: c.Guid, Domain: c.Tags[executor.DomainTag],
				PlacementConstraint: pc, Resource: res, State: taskState(c.State), Failed: c.RunResult.Failed})
		}
	}
	return state, r.Executor.Healthy()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func resources(r executor.ExecutorResources) client.Resources {
	return client.Resources{MemoryMB: int32(r.MemoryMB), DiskMB: int32(r.DiskMB), Containers: r.Containers}
}

func lrpState(c executor.Container) string {
	switch c.State {
	case executor.StateRunning:
		return client.LRPStateRunning
	case executor.StateCompleted:
		if c.RunResult.Stopped {
			return client.LRPStateShutdown
		}
		return client.LRPStateCrashed
	}
	return client.LRPStateClaimed
}

func taskState(s executor.State) client.TaskState {
	switch s {
	case executor.StateRunning:
		return client.TaskStateRunning
	case executor.StateCompleted:
		return client.TaskStateCompleted
	}
	return client.TaskStatePending
}

// ValidateWork checks every LRP and task of a work request, so a bad
// request can be refused before anything is reserved.
func ValidateWork(w client.Work) error {
	for _, l := range w.LRPs {
		switch {
		case l.ProcessGUID == "" || l.Domain == "":
			return fmt.Errorf("lrp %q: process_guid and domain are required", l.ProcessGUID)
		case l.Index < 0:
			return fmt.Errorf("lrp %q: negative index", l.ProcessGUID)
		case !l.Resource.Valid() || l.MaxPids < 0:
			return fmt.Errorf("lrp %q: negative resources", l.ProcessGUID)
		case !l.PlacementConstraint.Valid():
			return fmt.Errorf("lrp %q: rootfs is required", l.ProcessGUID)
		}
	}
	for _, t := range w.Tasks {
		switch {
		case t.TaskGUID == "":
			return errors.New("task: guid is required")
		case !t.Resource.Valid() || t.MaxPids < 0:
			return fmt.Errorf("task %q: negative resources", t.TaskGUID)
		case !t.PlacementConstraint.Valid():
			return fmt.Errorf("task %q: rootfs is required", t.TaskGUID)
		}
	}
	return nil
}

// Perform reserves containers for work and returns what could not be
// reserved. While evacuating, all of it comes back.
func (r *CellRep) Perform(work client.Work) (client.Work, error) {
	if work.CellID != "" && work.CellID != r.CellID {
		return work, ErrCellIdMismatch
	}
	if r.Evacuation.Evacuating() {
		return work, nil
	}
	failed := client.Work{}
	lrps := append([]client.LRP(nil), work.LRPs...)
	sort.SliceStable(lrps, func(i, j int) bool { return lrps[i].MemoryMB > lrps[j].MemoryMB })
	remaining := int32(r.Executor.RemainingResources().MemoryMB)

	var reqs []executor.AllocationRequest
	byGuid := map[string]client.LRP{}
	for _, l := range lrps {
		path, err := RootFSPath(l.RootFs, r.Stacks)
		if l.MemoryMB > remaining || err != nil {
			failed.LRPs = append(failed.LRPs, l)
			continue
		}
		remaining -= l.MemoryMB
		guid := r.NewInstanceGuid()
		byGuid[guid] = l
		reqs = append(reqs, executor.AllocationRequest{Guid: guid,
			Resource: executor.Resource{MemoryMB: int(l.MemoryMB), DiskMB: int(l.DiskMB), MaxPids: int(l.MaxPids), RootFSPath: path},
			Tags: executor.Tags{
				executor.LifecycleTag: executor.LRPLifecycle, executor.DomainTag: l.Domain,
				executor.ProcessGuidTag: l.ProcessGUID, executor.ProcessIndexTag: fmt.Sprint(l.Index),
				executor.InstanceGuidTag: guid, executor.PlacementTagsTag: jsonList(l.PlacementTags),
				executor.VolumeDriversTag: jsonList(l.VolumeDrivers),
			}})
	}
	for _, f := range r.Executor.AllocateContainers(reqs) {
		failed.LRPs = append(failed.LRPs, byGuid[f.Guid])
	}

	reqs = reqs[:0]
	tasks := map[string]client.Task{}
	for _, t := range work.Tasks {
		path, err := RootFSPath(t.RootFs, r.Stacks)
		if err != nil {
			failed.Tasks = append(failed.Tasks, t)
			continue
		}
		tasks[t.TaskGUID] = t
		reqs = append(reqs, executor.AllocationRequest{Guid: t.TaskGUID,
			Resource: executor.Resource{MemoryMB: int(t.MemoryMB), DiskMB: int(t.DiskMB), MaxPids: int(t.MaxPids), RootFSPath: path},
			Tags: executor.Tags{executor.LifecycleTag: executor.TaskLifecycle, executor.DomainTag: t.Domain,
				executor.PlacementTagsTag: jsonList(t.PlacementTags), executor.VolumeDriversTag: jsonList(t.VolumeDrivers)}})
	}
	for _, f := range r.Executor.AllocateContainers(reqs) {
		failed.Tasks = append(failed.Tasks, tasks[f.Guid])
	}
	return failed, nil
}
