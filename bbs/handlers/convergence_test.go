package handlers_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/godiego/diego/bbs"
	"github.com/godiego/diego/bbs/converger"
	"github.com/godiego/diego/proto/models"
)

func TestConvergenceRecreatesMissingInstances(t *testing.T) {
	a := newAPI(t)
	if err := a.client.DesireLRP(ctx(), desiredLRP("pg", 2)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.RemoveActualLRP(ctx(), "pg", 1, nil); err != nil {
		t.Fatal(err)
	}
	s, err := a.client.SubscribeToInstanceEvents(ctx())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	eventually(t, "subscription", func() bool { return a.hub.Count() == 1 })
	before := len(a.rec.lrpAuctions())
	res, err := a.ctrl.ConvergeLRPs(ctx(), 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.MissingLRPKeys) != 1 || a.ordinary("pg", 1) == nil {
		t.Fatalf("missing keys %v", res.MissingLRPKeys)
	}
	auctions := a.rec.lrpAuctions()[before:]
	if len(auctions) != 1 || auctions[0].Indices[0] != 1 {
		t.Fatalf("convergence auctions %+v", auctions)
	}
	ev := next(t, s)
	if ev.Name != bbs.EventActualLRPInstanceCreated {
		t.Fatalf("event %s", ev.Name)
	}
}

func TestConvergenceReplacesInstancesOnMissingCells(t *testing.T) {
	a := newAPI(t)
	if err := a.client.DesireLRP(ctx(), desiredLRP("pg", 1)); err != nil {
		t.Fatal(err)
	}
	key, ik := lrpKey("pg", 0), instanceKey("ig-1", "cell-gone")
	_ = a.client.ClaimActualLRP(ctx(), key, ik)
	_ = a.client.StartActualLRP(ctx(), key, ik, &models.ActualLRPNetInfo{Address: "1.1.1.1"}, nil, nil, true, "")
	a.rec.setCells("cell-other")
	res, err := a.ctrl.ConvergeLRPs(ctx(), 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.KeysWithMissingCells) != 1 {
		t.Fatalf("keys with missing cells %v", res.KeysWithMissingCells)
	}
	var suspect, replacement bool
	for _, l := range a.rows("pg") {
		suspect = suspect || (l.Presence == models.ActualLRP_SUSPECT && l.State == models.ActualLRPStateRunning)
		replacement = replacement || (l.Presence == models.ActualLRP_ORDINARY && l.State == models.ActualLRPStateUnclaimed)
	}
	if !suspect || !replacement {
		t.Fatalf("rows %v", a.rows("pg"))
	}
}

func TestConvergenceFailsExpiredPendingTasks(t *testing.T) {
	a := newAPI(t)
	if err := a.client.DesireTask(ctx(), "t1", "d", taskDef()); err != nil {
		t.Fatal(err)
	}
	before := len(a.rec.taskAuctions())
	res, err := a.ctrl.ConvergeTasks(ctx(), 30*time.Second, time.Hour, 2*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.TasksToAuction) != 1 || len(a.rec.taskAuctions()) != before+1 {
		t.Fatalf("pending task not re-auctioned: %v", res.TasksToAuction)
	}
	if _, err := a.ctrl.ConvergeTasks(ctx(), 30*time.Second, time.Nanosecond, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	task, _ := a.client.TaskByGuid(ctx(), "t1")
	if task.State != models.Task_Completed || task.FailureReason != "not started within time limit" {
		t.Fatalf("expired task %v", task)
	}
}

func TestConvergerRunsAtOnceWhenACellDisappears(t *testing.T) {
	a := newAPI(t)
	a.rec.setCells("cell-1", "cell-2")
	if err := a.client.DesireTask(ctx(), "t1", "d", taskDef()); err != nil {
		t.Fatal(err)
	}
	c := &converger.Converger{
		Controller: a.ctrl, Cells: a.rec, Logger: a.ctrl.Logger, Interval: time.Hour,
		Kick: 30 * time.Second, ExpirePending: time.Hour, ExpireCompleted: time.Hour, Workers: 2,
		PresencePoll: 20 * time.Millisecond, Metrics: converger.NewMetrics(a.reg),
	}
	signals := make(chan os.Signal, 1)
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- c.Run(signals, ready) }()
	<-ready
	defer func() { signals <- os.Interrupt; <-done }()
	before := len(a.rec.taskAuctions())
	time.Sleep(100 * time.Millisecond) // let the poller see both cells
	if len(a.rec.taskAuctions()) != before {
		t.Fatal("converged without a reason")
	}
	a.rec.setCells("cell-1")
	eventually(t, "a convergence pass after the cell left", func() bool { return len(a.rec.taskAuctions()) > before })
	eventually(t, "convergence metrics", func() bool {
		text := a.reg.Text()
		return strings.Contains(text, `bbs_convergence_duration_seconds_count{pass="lrps"} 1`) && strings.Contains(text, `bbs_lrps{state="running"} 0`)
	})
}
