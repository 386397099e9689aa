package harmonizer

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"testing"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/executor"
	"github.com/godiego/diego/executor/applog"
	"github.com/godiego/diego/proto/models"
	"github.com/godiego/diego/rep"
)

type lines struct {
	mu sync.Mutex
	l  []string
}

func (s *lines) Emit(l applog.Line) { s.mu.Lock(); s.l = append(s.l, l.Message); s.mu.Unlock() }

func lrpContainer(state executor.State, rr executor.RunResult) executor.Container {
	return executor.Container{Guid: "ig", State: state, RunResult: rr, ExternalIP: "10.0.0.1", InternalIP: "10.255.0.2",
		Ports: []executor.PortMapping{{ContainerPort: 8080, HostPort: 61001}}, Routable: true,
		Tags: executor.Tags{executor.LifecycleTag: executor.LRPLifecycle, executor.ProcessGuidTag: "pg",
			executor.ProcessIndexTag: "0", executor.DomainTag: "d", executor.InstanceGuidTag: "ig"}}
}

func taskContainer(state executor.State, rr executor.RunResult) executor.Container {
	return executor.Container{Guid: "tg", State: state, RunResult: rr,
		Tags: executor.Tags{executor.LifecycleTag: executor.TaskLifecycle, executor.ResultFileTag: "/tmp/result"}}
}

type fixture struct {
	h    *Harmonizer
	x    *fakeExecutor
	b    *fakeBBS
	flag *rep.Evacuation
	logs *lines
}

func setup(cs ...executor.Container) *fixture {
	f := &fixture{x: newFakeExecutor(cs...), b: newFakeBBS(), flag: &rep.Evacuation{}, logs: &lines{}}
	f.h = New(Config{CellID: "cell-1", Zone: "z1", Executor: f.x, BBS: f.b, Evacuation: f.flag, Sink: f.logs, Logger: lager.NewLogger("t")})
	return f
}

func (f *fixture) process(t *testing.T, guid string) {
	t.Helper()
	f.h.ProcessContainer(context.Background(), guid)
	f.h.Wait()
}

func check(t *testing.T, name string, got, want []string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Errorf("%s:\n got  %q\n want %q", name, got, want)
	}
}

func bbsErr(t models.Error_Type) error { return &models.Error{Type: t, Message: t.String()} }

func TestLRPPlansAndErrorBranches(t *testing.T) {
	crashed := executor.RunResult{Failed: true, FailureReason: "APP/PROC/WEB: Exited with status 1"}
	cases := []struct {
		name     string
		c        executor.Container
		errs     map[string]error
		runErr   error
		wantBBS  []string
		wantExec []string
	}{
		{"reserved claims, fetches and runs", lrpContainer(executor.StateReserved, executor.RunResult{}), nil, nil,
			[]string{"Claim ig", "Desired pg"}, []string{"run ig"}},
		{"claim refused deletes", lrpContainer(executor.StateReserved, executor.RunResult{}),
			map[string]error{"Claim": bbsErr(models.Error_ActualLRPCannotBeClaimed)}, nil,
			[]string{"Claim ig"}, []string{"delete ig"}},
		{"claim failing otherwise keeps the container", lrpContainer(executor.StateReserved, executor.RunResult{}),
			map[string]error{"Claim": bbsErr(models.Error_UnknownError)}, nil, []string{"Claim ig"}, nil},
		{"run failure removes the actual", lrpContainer(executor.StateReserved, executor.RunResult{}), nil, executor.ErrInvalidTransition,
			[]string{"Claim ig", "Desired pg", "Remove ig"}, []string{"run ig"}},
		{"created claims", lrpContainer(executor.StateCreated, executor.RunResult{}), nil, nil, []string{"Claim ig"}, nil},
		{"running starts with net info", lrpContainer(executor.StateRunning, executor.RunResult{}), nil, nil,
			[]string{"Start ig 10.0.0.1 1 true z1"}, nil},
		{"start refused stops", lrpContainer(executor.StateRunning, executor.RunResult{}),
			map[string]error{"Start": bbsErr(models.Error_ActualLRPCannotBeStarted)}, nil,
			[]string{"Start ig 10.0.0.1 1 true z1"}, []string{"stop ig"}},
		{"stopped removes and deletes", lrpContainer(executor.StateCompleted, executor.RunResult{Stopped: true}), nil, nil,
			[]string{"Remove ig"}, []string{"delete ig"}},
		{"crashed reports the reason and deletes", lrpContainer(executor.StateCompleted, crashed), nil, nil,
			[]string{"Crash ig APP/PROC/WEB: Exited with status 1"}, []string{"delete ig"}},
	}
	for _, tc := range cases {
		f := setup(tc.c)
		for k, v := range tc.errs {
			f.b.errs[k] = v
		}
		f.x.runErr = tc.runErr
		f.process(t, "ig")
		check(t, tc.name+" (bbs)", f.b.calls, tc.wantBBS)
		check(t, tc.name+" (executor)", f.x.calls, tc.wantExec)
	}
}

func TestRunRequestCarriesInstanceEnv(t *testing.T) {
	f := setup(lrpContainer(executor.StateReserved, executor.RunResult{}))
	f.process(t, "ig")
	if len(f.x.runs) != 1 {
		t.Fatal("not run")
	}
	env := map[string]string{}
	for _, e := range f.x.runs[0].Env {
		env[e.GetName()] = e.GetValue()
	}
	if env["INSTANCE_GUID"] != "ig" || env["INSTANCE_INDEX"] != "0" || env["CF_INSTANCE_GUID"] != "ig" || env["CF_INSTANCE_INDEX"] != "0" {
		t.Fatalf("env %v", env)
	}
	if f.x.runs[0].LogConfig.Guid != "lg" {
		t.Fatalf("log config %+v", f.x.runs[0].LogConfig)
	}
}

func TestEvacuatingLRPPlans(t *testing.T) {
	f := setup(lrpContainer(executor.StateRunning, executor.RunResult{}))
	f.flag.Start()
	f.b.keep = true
	f.process(t, "ig")
	check(t, "keep", f.x.calls, nil)
	f.b.keep = false
	f.process(t, "ig")
	check(t, "bbs", f.b.calls, []string{"EvacuateRunning ig", "EvacuateRunning ig"})
	check(t, "exec", f.x.calls, []string{"delete ig"})
	if !strings.Contains(strings.Join(f.logs.l, "\n"), "Cell cell-1 requesting replacement for instance ig") {
		t.Fatalf("logs %v", f.logs.l)
	}

	f = setup(lrpContainer(executor.StateCreated, executor.RunResult{}))
	f.flag.Start()
	f.process(t, "ig")
	check(t, "claimed", f.b.calls, []string{"EvacuateClaimed ig"})
	check(t, "claimed exec", f.x.calls, []string{"delete ig"})
}

func TestTaskPlansAndErrorBranches(t *testing.T) {
	cases := []struct {
		name     string
		c        executor.Container
		errs     map[string]error
		changed  bool
		runErr   error
		file     string
		wantBBS  []string
		wantExec []string
	}{
		{"reserved starts and runs", taskContainer(executor.StateReserved, executor.RunResult{}), nil, true, nil, "",
			[]string{"StartTask tg", "TaskByGuid tg"}, []string{"run tg"}},
		{"not changed stops the plan", taskContainer(executor.StateReserved, executor.RunResult{}), nil, false, nil, "",
			[]string{"StartTask tg"}, nil},
		{"invalid transition deletes", taskContainer(executor.StateReserved, executor.RunResult{}),
			map[string]error{"StartTask": bbsErr(models.Error_InvalidStateTransition)}, true, nil, "",
			[]string{"StartTask tg"}, []string{"delete tg"}},
		{"not found deletes", taskContainer(executor.StateRunning, executor.RunResult{}),
			map[string]error{"StartTask": bbsErr(models.Error_ResourceNotFound)}, true, nil, "",
			[]string{"StartTask tg"}, []string{"delete tg"}},
		{"run failure fails the task", taskContainer(executor.StateReserved, executor.RunResult{}), nil, true, executor.ErrInvalidTransition, "",
			[]string{"StartTask tg", "TaskByGuid tg", "CompleteTask tg true failed to run container "}, []string{"run tg"}},
		{"completed with result", taskContainer(executor.StateCompleted, executor.RunResult{}), nil, true, nil, "42",
			[]string{"CompleteTask tg false  42"}, []string{"delete tg"}},
		{"result too large", taskContainer(executor.StateCompleted, executor.RunResult{}), nil, true, nil, strings.Repeat("x", MaxResultSize+1),
			[]string{"CompleteTask tg true failed to fetch result "}, []string{"delete tg"}},
		{"result exactly at the limit", taskContainer(executor.StateCompleted, executor.RunResult{}), nil, true, nil, strings.Repeat("y", MaxResultSize),
			[]string{"CompleteTask tg false  " + strings.Repeat("y", MaxResultSize)}, []string{"delete tg"}},
		{"failed task completes failed without reading the result", taskContainer(executor.StateCompleted, executor.RunResult{Failed: true, FailureReason: "boom"}), nil, true, nil, "",
			[]string{"CompleteTask tg true boom "}, []string{"delete tg"}},
		{"retryable failure rejects", taskContainer(executor.StateCompleted, executor.RunResult{Failed: true, FailureReason: "failed to create container: x", Retryable: true}), nil, true, nil, "",
			[]string{"RejectTask tg failed to create container: x"}, []string{"delete tg"}},
	}
	for _, tc := range cases {
		f := setup(tc.c)
		for k, v := range tc.errs {
			f.b.errs[k] = v
		}
		f.b.changed = tc.changed
		f.x.runErr = tc.runErr
		if tc.file != "" {
			f.x.files["tg:/tmp/result"] = tc.file
		}
		f.process(t, "tg")
		check(t, tc.name+" (bbs)", f.b.calls, tc.wantBBS)
		check(t, tc.name+" (executor)", f.x.calls, tc.wantExec)
	}
}

func TestCompleteTaskRetriesInvalidTransitionAsFailed(t *testing.T) {
	f := setup(taskContainer(executor.StateCompleted, executor.RunResult{}))
	f.b.errs["CompleteTask"] = bbsErr(models.Error_InvalidStateTransition)
	f.x.files["tg:/tmp/result"] = "r"
	f.process(t, "tg")
	check(t, "bbs", f.b.calls, []string{"CompleteTask tg false  r", "CompleteTask tg true invalid state transition "})
}

func TestSyncPlansContainersAndResiduals(t *testing.T) {
	f := setup(lrpContainer(executor.StateRunning, executor.RunResult{}))
	f.b.lrps = []*models.ActualLRP{
		{ActualLrpKey: &models.ActualLRPKey{ProcessGuid: "pg", Domain: "d"}, ActualLrpInstanceKey: &models.ActualLRPInstanceKey{InstanceGuid: "ig", CellId: "cell-1"}},
		{ActualLrpKey: &models.ActualLRPKey{ProcessGuid: "gone", Domain: "d"}, ActualLrpInstanceKey: &models.ActualLRPInstanceKey{InstanceGuid: "orphan", CellId: "cell-1"}},
	}
	f.b.tasks = []*models.Task{{TaskGuid: "lost-task"}}
	if err := f.h.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.h.Wait()
	got := map[string]bool{}
	for _, c := range f.b.calls {
		got[c] = true
	}
	for _, want := range []string{"Start ig 10.0.0.1 1 true z1", "Remove orphan",
		"CompleteTask lost-task true task container does not exist task container does not exist"} {
		if !got[want] {
			t.Errorf("missing %q in %q", want, f.b.calls)
		}
	}
	f.b.errs["Tasks"] = bbsErr(models.Error_UnknownError)
	if err := f.h.Sync(context.Background()); err == nil {
		t.Fatal("sync ignored a BBS failure")
	}
}

func TestResidualGuardSkipsWhenContainerAppeared(t *testing.T) {
	f := setup(lrpContainer(executor.StateReserved, executor.RunResult{}))
	f.b.lrps = []*models.ActualLRP{{ActualLrpKey: &models.ActualLRPKey{ProcessGuid: "pg", Domain: "d"},
		ActualLrpInstanceKey: &models.ActualLRPInstanceKey{InstanceGuid: "ig", CellId: "cell-1"}}}
	// The plan is made as if the container were missing, but it exists when the plan runs.
	plans := residualsIgnoring(f)
	for _, p := range plans {
		f.h.Execute(context.Background(), p)
	}
	for _, c := range f.b.calls {
		if strings.HasPrefix(c, "Remove") {
			t.Fatalf("guard did not stop the residual plan: %v", f.b.calls)
		}
	}
}
