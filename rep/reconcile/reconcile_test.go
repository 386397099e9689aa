package reconcile

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/godiego/diego/executor"
	"github.com/godiego/diego/proto/models"
)

var keys = &Keys{Key: &models.ActualLRPKey{ProcessGuid: "p", Index: 0, Domain: "d"},
	InstanceKey: &models.ActualLRPInstanceKey{InstanceGuid: "ig", CellId: "cell"}}

type result int

const (
	none result = iota
	stopped
	crashed
	retryable
	succeeded
)

func container(lifecycle string, state executor.State, r result) executor.Container {
	c := executor.Container{Guid: "ig", State: state, Tags: executor.Tags{executor.LifecycleTag: lifecycle}}
	switch r {
	case stopped:
		c.RunResult = executor.RunResult{Stopped: true}
	case crashed:
		c.RunResult = executor.RunResult{Failed: true, FailureReason: "Exited with status 1"}
	case retryable:
		c.RunResult = executor.RunResult{Failed: true, FailureReason: "failed to create container", Retryable: true}
	}
	return c
}

func TestForContainerEveryStateAndLifecycle(t *testing.T) {
	states := []executor.State{executor.StateReserved, executor.StateInitializing, executor.StateCreated, executor.StateRunning}
	type row struct {
		lifecycle  string
		state      executor.State
		result     result
		evacuating bool
		want       []Kind
	}
	var rows []row
	for _, s := range states {
		ord := map[executor.State][]Kind{
			executor.StateReserved: {ClaimLRP, RunLRP}, executor.StateInitializing: {ClaimLRP},
			executor.StateCreated: {ClaimLRP}, executor.StateRunning: {StartLRP},
		}[s]
		evac := []Kind{EvacuateClaimed, DeleteContainer}
		if s == executor.StateRunning {
			evac = []Kind{EvacuateRunning}
		}
		tsk := []Kind{StartTask}
		if s == executor.StateReserved {
			tsk = []Kind{StartTask, RunTask}
		}
		rows = append(rows,
			row{executor.LRPLifecycle, s, none, false, ord},
			row{executor.LRPLifecycle, s, none, true, evac},
			row{executor.TaskLifecycle, s, none, false, tsk},
			row{executor.TaskLifecycle, s, none, true, tsk},
			row{"", s, none, false, nil},
		)
	}
	c := executor.StateCompleted
	rows = append(rows,
		row{executor.LRPLifecycle, c, stopped, false, []Kind{RemoveLRP, DeleteContainer}},
		row{executor.LRPLifecycle, c, crashed, false, []Kind{CrashLRP, DeleteContainer}},
		row{executor.LRPLifecycle, c, retryable, false, []Kind{CrashLRP, DeleteContainer}},
		row{executor.LRPLifecycle, c, succeeded, false, []Kind{CrashLRP, DeleteContainer}},
		row{executor.LRPLifecycle, c, stopped, true, []Kind{EvacuateStopped, DeleteContainer}},
		row{executor.LRPLifecycle, c, crashed, true, []Kind{EvacuateCrashed, DeleteContainer}},
		row{executor.TaskLifecycle, c, succeeded, false, []Kind{CompleteTask, DeleteContainer}},
		row{executor.TaskLifecycle, c, crashed, false, []Kind{CompleteTask, DeleteContainer}},
		row{executor.TaskLifecycle, c, stopped, false, []Kind{CompleteTask, DeleteContainer}},
		row{executor.TaskLifecycle, c, retryable, false, []Kind{RejectTask, DeleteContainer}},
		row{executor.TaskLifecycle, c, retryable, true, []Kind{RejectTask, DeleteContainer}},
		row{executor.LRPLifecycle, executor.StateInvalid, none, false, nil},
	)
	for _, r := range rows {
		name := fmt.Sprintf("%s/%s/%d/evac=%v", r.lifecycle, r.state, r.result, r.evacuating)
		got := ForContainer(container(r.lifecycle, r.state, r.result), keys, r.evacuating)
		if !reflect.DeepEqual(got.Ops, r.want) && !(len(got.Ops) == 0 && len(r.want) == 0) {
			t.Errorf("%s: got %v, want %v", name, got.Ops, r.want)
		}
		if got.Guid != "ig" || got.Container == nil {
			t.Errorf("%s: plan lost its container", name)
		}
	}
}

func TestLRPContainerWithoutKeysIsIgnored(t *testing.T) {
	if p := ForContainer(container(executor.LRPLifecycle, executor.StateRunning, none), nil, false); len(p.Ops) != 0 {
		t.Fatalf("got %v", p.Ops)
	}
}

func lrp(ig string, presence models.ActualLRP_Presence) *models.ActualLRP {
	return &models.ActualLRP{ActualLrpKey: &models.ActualLRPKey{ProcessGuid: "p", Domain: "d"},
		ActualLrpInstanceKey: &models.ActualLRPInstanceKey{InstanceGuid: ig, CellId: "cell"}, Presence: presence}
}

func TestResiduals(t *testing.T) {
	containers := map[string]bool{"has-container": true, "task-with-container": true}
	lrps := []*models.ActualLRP{
		lrp("has-container", models.ActualLRP_ORDINARY),
		lrp("has-container", models.ActualLRP_EVACUATING),
		lrp("lonely", models.ActualLRP_ORDINARY),
		lrp("suspect", models.ActualLRP_SUSPECT),
		lrp("joint", models.ActualLRP_ORDINARY),
		lrp("joint", models.ActualLRP_EVACUATING),
		lrp("evac-only", models.ActualLRP_EVACUATING),
	}
	tasks := []*models.Task{{TaskGuid: "task-with-container"}, {TaskGuid: "task-gone"}}
	got := map[string][]Kind{}
	for _, p := range Residuals(containers, lrps, tasks) {
		got[p.Guid] = p.Ops
	}
	want := map[string][]Kind{
		"lonely":    {GuardNoContainer, RemoveLRP},
		"suspect":   {GuardNoContainer, RemoveLRP},
		"joint":     {GuardNoContainer, RemoveLRP, RemoveEvacuatingLRP},
		"evac-only": {GuardNoContainer, RemoveEvacuatingLRP},
		"task-gone": {GuardNoContainer, CompleteMissingTask},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %v\nwant %v", got, want)
	}
	if len(Residuals(nil, nil, nil)) != 0 {
		t.Fatal("plans from nothing")
	}
}
