package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/godiego/diego/proto/models"
)

func TestLRPLifecycle(t *testing.T) {
	c := newCluster(t)
	ce := c.addCell("cell-1", nil)
	ctx := context.Background()

	start := time.Now()
	if err := c.bbs.DesireLRP(ctx, webLRP("web", 1)); err != nil {
		t.Fatal(err)
	}
	c.eventually("web running", 60*time.Second, func() bool { return len(running(c.actuals("web"))) == 1 })
	t.Logf("desire → RUNNING (1 instance): %s", time.Since(start).Round(time.Millisecond))
	lrp := running(c.actuals("web"))[0]
	net := lrp.GetActualLrpNetInfo()
	if net.GetAddress() != "127.0.0.1" || len(net.GetPorts()) != 1 || net.GetPorts()[0].GetContainerPort() != 8080 ||
		net.GetPorts()[0].GetHostPort() == 0 || net.GetInstanceAddress() == "" || lrp.GetActualLrpInstanceKey().GetCellId() != "cell-1" ||
		!lrp.GetRoutable() || lrp.GetAvailabilityZone() != "z1" {
		t.Fatalf("running lrp %v", lrp)
	}
	body, err := get(fmt.Sprintf("http://%s:%d/index.html", net.GetAddress(), net.GetPorts()[0].GetHostPort()))
	if err != nil || body != "hello from busybox\n" {
		t.Fatalf("app answered %q, %v", body, err)
	}
	logs := ce.appLog(t)
	for _, want := range []string{"Cell cell-1 creating container for instance " + lrp.GetActualLrpInstanceKey().GetInstanceGuid(),
		"Cell cell-1 successfully created container", "Container became healthy"} {
		if !strings.Contains(logs, want) {
			t.Errorf("app logs lack %q:\n%s", want, logs)
		}
	}

	// Scale 3 → 1.
	three := int32(3)
	if err := c.bbs.UpdateDesiredLRP(ctx, "web", &models.DesiredLRPUpdate{OptionalInstances: &models.DesiredLRPUpdate_Instances{Instances: three}}); err != nil {
		t.Fatal(err)
	}
	c.eventually("3 running", 60*time.Second, func() bool { return len(running(c.actuals("web"))) == 3 })
	if err := c.bbs.UpdateDesiredLRP(ctx, "web", &models.DesiredLRPUpdate{OptionalInstances: &models.DesiredLRPUpdate_Instances{Instances: 1}}); err != nil {
		t.Fatal(err)
	}
	c.eventually("scaled to 1", 60*time.Second, func() bool {
		return len(c.actuals("web")) == 1 && len(running(c.actuals("web"))) == 1
	})
	c.eventually("extra containers gone", 30*time.Second, func() bool {
		st, err := ce.net.State(ctx)
		return err == nil && len(st.LRPs) == 1
	})

	// Kill the app process: the instance crashes and is restarted.
	lrp = running(c.actuals("web"))[0]
	ig := lrp.GetActualLrpInstanceKey().GetInstanceGuid()
	gc, err := ce.garden.Client.Lookup(ig)
	if err != nil {
		t.Fatal(err)
	}
	killer, err := gc.Run(gardenSpec("/bin/sh", "-c", "kill -9 $(cat /tmp/app.pid)"), gardenIO())
	if err != nil {
		t.Fatal(err)
	}
	killer.Wait()
	c.eventually("crash recorded and restarted", 60*time.Second, func() bool {
		lrps := running(c.actuals("web"))
		return len(lrps) == 1 && lrps[0].GetCrashCount() >= 1 && lrps[0].GetActualLrpInstanceKey().GetInstanceGuid() != ig
	})
	if l := running(c.actuals("web"))[0]; !strings.Contains(l.GetCrashReason(), "Exited with status 137") {
		t.Errorf("crash reason %q", l.GetCrashReason())
	}

	// A failing health check keeps an instance from RUNNING and crashes it.
	sick := webLRP("sick", 1)
	sick.Monitor = run("/bin/sh", "-c", "echo connection refused >&2; exit 1")
	sick.StartTimeoutMs = 2000
	if err := c.bbs.DesireLRP(ctx, sick); err != nil {
		t.Fatal(err)
	}
	sawRunning := false
	c.eventually("sick crashed", 60*time.Second, func() bool {
		lrps := c.actuals("sick")
		if len(running(lrps)) > 0 {
			sawRunning = true
		}
		return len(lrps) == 1 && lrps[0].GetCrashCount() >= 1
	})
	if sawRunning {
		t.Fatal("an instance whose health check never passed was RUNNING")
	}
	if reason := c.actuals("sick")[0].GetCrashReason(); !strings.HasPrefix(reason, "Instance never healthy after ") || !strings.HasSuffix(reason, ": connection refused") {
		t.Errorf("crash reason %q", reason)
	}

	// Removing the desired LRP stops and removes everything.
	if err := c.bbs.RemoveDesiredLRP(ctx, "web"); err != nil {
		t.Fatal(err)
	}
	c.eventually("web gone", 60*time.Second, func() bool { return len(c.actuals("web")) == 0 })
}

func TestTaskCompletesWithResult(t *testing.T) {
	c := newCluster(t)
	c.addCell("cell-1", nil)
	ctx := context.Background()
	def := &models.TaskDefinition{RootFs: "preloaded:busybox", MemoryMb: 16, DiskMb: 16, LogGuid: "task-log", LogSource: "TASK",
		ResultFile: "/tmp/result", Action: run("/bin/sh", "-c", "echo -n forty-two > /tmp/result")}
	if err := c.bbs.DesireTask(ctx, "task-1", "e2e", def); err != nil {
		t.Fatal(err)
	}
	failing := &models.TaskDefinition{RootFs: "preloaded:busybox", MemoryMb: 16, DiskMb: 16, Action: run("/bin/sh", "-c", "exit 7")}
	if err := c.bbs.DesireTask(ctx, "task-2", "e2e", failing); err != nil {
		t.Fatal(err)
	}
	var task *models.Task
	c.eventually("task completed", 60*time.Second, func() bool {
		var err error
		task, err = c.bbs.TaskByGuid(ctx, "task-1")
		return err == nil && task.GetState() == models.Task_Completed
	})
	if task.GetFailed() || task.GetResult() != "forty-two" || task.GetCellId() != "" && task.GetCellId() != "cell-1" {
		t.Fatalf("task %v", task)
	}
	c.eventually("failing task completed", 60*time.Second, func() bool {
		var err error
		task, err = c.bbs.TaskByGuid(ctx, "task-2")
		return err == nil && task.GetState() == models.Task_Completed
	})
	if !task.GetFailed() || !strings.Contains(task.GetFailureReason(), "Exited with status 7") {
		t.Fatalf("task %v", task)
	}

	// Cancelling a running task removes its container.
	long := &models.TaskDefinition{RootFs: "preloaded:busybox", MemoryMb: 16, DiskMb: 16, Action: run("/bin/sleep", "1000")}
	if err := c.bbs.DesireTask(ctx, "task-3", "e2e", long); err != nil {
		t.Fatal(err)
	}
	c.eventually("task running", 60*time.Second, func() bool {
		task, err := c.bbs.TaskByGuid(ctx, "task-3")
		return err == nil && task.GetState() == models.Task_Running
	})
	if err := c.bbs.CancelTask(ctx, "task-3"); err != nil {
		t.Fatal(err)
	}
	c.eventually("cancelled task's container gone", 30*time.Second, func() bool {
		_, err := c.cells[0].garden.Client.Lookup("task-3")
		return err != nil
	})
	task, err := c.bbs.TaskByGuid(ctx, "task-3")
	if err != nil || !task.GetFailed() || task.GetFailureReason() != "task was cancelled" {
		t.Fatalf("task %v %v", task, err)
	}
}

func TestRepRestartRepairsDrift(t *testing.T) {
	c := newCluster(t)
	ce := c.addCell("cell-1", nil)
	ctx := context.Background()
	if err := c.bbs.DesireLRP(ctx, webLRP("web", 1)); err != nil {
		t.Fatal(err)
	}
	c.eventually("web running", 60*time.Second, func() bool { return len(running(c.actuals("web"))) == 1 })
	before := running(c.actuals("web"))[0].GetActualLrpInstanceKey().GetInstanceGuid()

	// A rep that dies hard leaves its container and a RUNNING record; the
	// restarted rep destroys the leftover, removes the record it has no
	// container for, and the BBS places the instance again.
	ce.rep.cmd.Process.Kill()
	<-ce.rep.done
	c.startRep(ce)
	c.eventually("instance replaced", 90*time.Second, func() bool {
		lrps := running(c.actuals("web"))
		return len(lrps) == 1 && lrps[0].GetActualLrpInstanceKey().GetInstanceGuid() != before
	})
	if _, err := ce.garden.Client.Lookup(before); err == nil {
		t.Fatal("leftover container survived the restart")
	}
}

func TestEvacuationHandsOver(t *testing.T) {
	c := newCluster(t)
	first := c.addCell("cell-1", nil)
	ctx := context.Background()
	if err := c.bbs.DesireLRP(ctx, webLRP("web", 2)); err != nil {
		t.Fatal(err)
	}
	c.eventually("2 running on cell-1", 60*time.Second, func() bool { return len(running(c.actuals("web"))) == 2 })
	second := c.addCell("cell-2", nil)

	if _, err := first.adminCli.Evacuate(ctx); err != nil {
		t.Fatal(err)
	}
	c.eventually("replacements running on cell-2", 90*time.Second, func() bool {
		lrps := running(c.actuals("web"))
		if len(lrps) != 2 {
			return false
		}
		for _, l := range lrps {
			if l.GetActualLrpInstanceKey().GetCellId() != "cell-2" {
				return false
			}
		}
		return true
	})
	c.eventually("evacuated rep exits", 90*time.Second, first.rep.exited)
	if logs := first.appLog(t); !strings.Contains(logs, "Cell cell-1 requesting replacement for instance") {
		t.Errorf("no evacuation app log:\n%s", logs)
	}
	for _, l := range c.actuals("web") {
		if l.GetPresence() == models.ActualLRP_EVACUATING {
			t.Errorf("evacuating record left: %v", l)
		}
	}
	_ = second
}

func TestManyInstancesTiming(t *testing.T) {
	if os.Getenv("DIEGO_E2E_TIMING") == "" {
		t.Skip("set DIEGO_E2E_TIMING=1 to time 50 instances on one cell (heavy: 50 containers)")
	}
	c := newCluster(t)
	c.addCell("cell-1", nil)
	ctx := context.Background()
	start := time.Now()
	if err := c.bbs.DesireLRP(ctx, webLRP("fifty", 50)); err != nil {
		t.Fatal(err)
	}
	c.eventually("50 running", 5*time.Minute, func() bool { return len(running(c.actuals("fifty"))) == 50 })
	t.Logf("desire → RUNNING (50 instances, one cell): %s", time.Since(start).Round(time.Millisecond))
	phases := map[string][]time.Time{}
	for _, line := range strings.Split(c.cells[0].appLog(t), "\n") {
		ts, rest, ok := strings.Cut(line, " ")
		when, err := time.Parse(time.RFC3339Nano, ts)
		if !ok || err != nil {
			continue
		}
		for _, phase := range []string{"creating container", "successfully created container", "Container became healthy"} {
			if strings.Contains(rest, phase) {
				phases[phase] = append(phases[phase], when)
			}
		}
	}
	for _, phase := range []string{"creating container", "successfully created container", "Container became healthy"} {
		ts := phases[phase]
		if len(ts) == 0 {
			continue
		}
		first, last := ts[0], ts[0]
		for _, x := range ts {
			if x.Before(first) {
				first = x
			}
			if x.After(last) {
				last = x
			}
		}
		t.Logf("%-32s n=%d first=+%s last=+%s", phase, len(ts), first.Sub(start).Round(time.Millisecond), last.Sub(start).Round(time.Millisecond))
	}
}
