// Package reconcile is the rep's pure decision core for keeping the BBS and
// the cell's containers in agreement: given one container (and whether the
// cell is evacuating), or the BBS records that have no container, it returns
// the plan of operations upstream's rep would perform. It does no I/O; the
// harmonizer executes plans, with each operation's error handling fixed by
// its Kind (see the Kind constants).
package reconcile

import (
	"sort"

	"github.com/godiego/diego/executor"
	"github.com/godiego/diego/proto/models"
)

// Kind is one operation of a plan. A plan runs its operations in order; an
// operation may end the plan early, as documented per kind.
type Kind string

// Operation kinds.
const (
	// GuardNoContainer ends the plan if a container with the plan's guid
	// exists by the time it runs (residual plans race with new work).
	GuardNoContainer Kind = "guard-no-container"

	// ClaimLRP claims the instance in the BBS. ActualLRPCannotBeClaimed
	// deletes the container; any error ends the plan.
	ClaimLRP Kind = "claim-lrp"
	// RunLRP fetches the desired LRP and runs the container; if that fails
	// the actual LRP is removed from the BBS.
	RunLRP Kind = "run-lrp"
	// StartLRP reports the running instance (net info, routes, tags,
	// routable, zone). ActualLRPCannotBeStarted stops the container.
	StartLRP Kind = "start-lrp"
	// CrashLRP reports the crash with the container's failure reason.
	CrashLRP Kind = "crash-lrp"
	// RemoveLRP removes the instance's actual LRP.
	RemoveLRP Kind = "remove-lrp"
	// RemoveEvacuatingLRP removes the instance's EVACUATING actual LRP.
	RemoveEvacuatingLRP Kind = "remove-evacuating-lrp"
	// EvacuateClaimed / EvacuateStopped / EvacuateCrashed hand a not
	// running instance back to the BBS while evacuating.
	EvacuateClaimed Kind = "evacuate-claimed"
	EvacuateStopped Kind = "evacuate-stopped"
	EvacuateCrashed Kind = "evacuate-crashed"
	// EvacuateRunning asks for a replacement of a running instance ("Cell
	// X requesting replacement for instance Y"); when the BBS says not to
	// keep the container, it is deleted.
	EvacuateRunning Kind = "evacuate-running"

	// StartTask marks the task running on this cell. InvalidStateTransition
	// or ResourceNotFound delete the container; an error or "not changed"
	// ends the plan.
	StartTask Kind = "start-task"
	// RunTask fetches the task and runs the container; if that fails the
	// task is completed as failed with "failed to run container".
	RunTask Kind = "run-task"
	// RejectTask rejects the task with the container's failure reason so
	// it can be placed again.
	RejectTask Kind = "reject-task"
	// CompleteTask completes the task with the container's result (and the
	// result file, at most 50 KiB). InvalidStateTransition completes it as
	// failed with "invalid state transition".
	CompleteTask Kind = "complete-task"
	// CompleteMissingTask fails a task whose container is gone: "task
	// container does not exist".
	CompleteMissingTask Kind = "complete-missing-task"

	// DeleteContainer deletes the container.
	DeleteContainer Kind = "delete-container"
)

// Failure reasons the plans use.
const (
	TaskReasonMissingContainer  = "task container does not exist"
	TaskReasonFailedToRun       = "failed to run container"
	TaskReasonInvalidTransition = "invalid state transition"
	TaskReasonFailedToFetch     = "failed to fetch result"
)

// Plan is what to do about one guid.
type Plan struct {
	Guid string
	// Container is the container the plan was made for (nil for residuals).
	Container *executor.Container
	// LRP keys, for LRP plans.
	Key         *models.ActualLRPKey
	InstanceKey *models.ActualLRPInstanceKey
	Ops         []Kind
}

// Keys are an LRP container's BBS keys, read from its tags by the caller.
type Keys struct {
	Key         *models.ActualLRPKey
	InstanceKey *models.ActualLRPInstanceKey
}

// ForContainer plans one container. keys must be set for LRP containers
// (a container whose tags do not yield keys gets an empty plan, as
// upstream ignores it). Unknown lifecycles get an empty plan.
func ForContainer(c executor.Container, keys *Keys, evacuating bool) Plan {
	p := Plan{Guid: c.Guid, Container: &c}
	switch c.Tags[executor.LifecycleTag] {
	case executor.LRPLifecycle:
		if keys == nil || keys.Key == nil || keys.InstanceKey == nil {
			return p
		}
		p.Key, p.InstanceKey = keys.Key, keys.InstanceKey
		if evacuating {
			p.Ops = evacuatingLRP(c)
		} else {
			p.Ops = ordinaryLRP(c)
		}
	case executor.TaskLifecycle:
		p.Ops = task(c)
	}
	return p
}

func ordinaryLRP(c executor.Container) []Kind {
	switch c.State {
	case executor.StateReserved:
		return []Kind{ClaimLRP, RunLRP}
	case executor.StateInitializing, executor.StateCreated:
		return []Kind{ClaimLRP}
	case executor.StateRunning:
		return []Kind{StartLRP}
	case executor.StateCompleted:
		if c.RunResult.Stopped {
			return []Kind{RemoveLRP, DeleteContainer}
		}
		return []Kind{CrashLRP, DeleteContainer}
	}
	return nil
}

func evacuatingLRP(c executor.Container) []Kind {
	switch c.State {
	case executor.StateReserved, executor.StateInitializing, executor.StateCreated:
		return []Kind{EvacuateClaimed, DeleteContainer}
	case executor.StateRunning:
		return []Kind{EvacuateRunning}
	case executor.StateCompleted:
		if c.RunResult.Stopped {
			return []Kind{EvacuateStopped, DeleteContainer}
		}
		return []Kind{EvacuateCrashed, DeleteContainer}
	}
	return nil
}

func task(c executor.Container) []Kind {
	switch c.State {
	case executor.StateReserved:
		return []Kind{StartTask, RunTask}
	case executor.StateInitializing, executor.StateCreated, executor.StateRunning:
		return []Kind{StartTask}
	case executor.StateCompleted:
		if c.RunResult.Failed && c.RunResult.Retryable {
			return []Kind{RejectTask, DeleteContainer}
		}
		return []Kind{CompleteTask, DeleteContainer}
	}
	return nil
}

// Residuals plans the BBS records of this cell that have no container:
// actual LRPs (ordinary or suspect; evacuating) and tasks. Each plan starts
// with GuardNoContainer. Plans come out sorted by guid.
func Residuals(containers map[string]bool, lrps []*models.ActualLRP, tasks []*models.Task) []Plan {
	ordinary := map[string]*models.ActualLRP{}
	evacuating := map[string]*models.ActualLRP{}
	for _, l := range lrps {
		ig := l.GetActualLrpInstanceKey().GetInstanceGuid()
		if l.GetPresence() == models.ActualLRP_EVACUATING {
			evacuating[ig] = l
		} else {
			ordinary[ig] = l
		}
	}
	var plans []Plan
	for ig, l := range ordinary {
		if containers[ig] {
			continue
		}
		ops := []Kind{GuardNoContainer, RemoveLRP}
		if _, ok := evacuating[ig]; ok {
			ops = append(ops, RemoveEvacuatingLRP)
		}
		plans = append(plans, Plan{Guid: ig, Key: l.GetActualLrpKey(), InstanceKey: l.GetActualLrpInstanceKey(), Ops: ops})
	}
	for ig, l := range evacuating {
		if containers[ig] {
			continue
		}
		if _, ok := ordinary[ig]; ok {
			continue
		}
		plans = append(plans, Plan{Guid: ig, Key: l.GetActualLrpKey(), InstanceKey: l.GetActualLrpInstanceKey(),
			Ops: []Kind{GuardNoContainer, RemoveEvacuatingLRP}})
	}
	for _, t := range tasks {
		if containers[t.GetTaskGuid()] {
			continue
		}
		plans = append(plans, Plan{Guid: t.GetTaskGuid(), Ops: []Kind{GuardNoContainer, CompleteMissingTask}})
	}
	sort.Slice(plans, func(i, j int) bool { return plans[i].Guid < plans[j].Guid })
	return plans
}
