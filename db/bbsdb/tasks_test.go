package bbsdb

import (
	"testing"
	"time"

	"github.com/godiego/diego/proto/models"
)

func taskDef() *models.TaskDefinition {
	return &models.TaskDefinition{RootFs: "docker:///busybox", Action: models.WrapAction(&models.RunAction{Path: "true", User: "root"}),
		CompletionCallbackUrl: "http://cb", MemoryMb: 64}
}

func TestTaskLifecycle(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		task, err := h.DesireTask(h.ctx, taskDef(), "t1", "domain")
		must(t, err)
		if task.GetState() != models.Task_Pending || task.GetCreatedAt() != h.clock.Now().UnixNano() {
			t.Fatalf("desired %v", task)
		}
		_, err = h.DesireTask(h.ctx, taskDef(), "t1", "domain")
		wantErr(t, err, models.ErrResourceExists)

		_, _, err = h.CompleteTask(h.ctx, "t1", "cell", false, "", "r")
		wantErr(t, err, models.NewTaskTransitionError(0, 0))
		_, after, started, err := h.StartTask(h.ctx, "t1", "cell-1")
		must(t, err)
		if !started || after.GetState() != models.Task_Running || after.GetCellId() != "cell-1" {
			t.Fatalf("start %v %v", after, started)
		}
		_, _, started, err = h.StartTask(h.ctx, "t1", "cell-1")
		must(t, err)
		if started {
			t.Fatal("second start on the same cell started")
		}
		_, _, _, err = h.StartTask(h.ctx, "t1", "cell-2")
		wantErr(t, err, models.NewTaskTransitionError(0, 0))
		_, _, err = h.CompleteTask(h.ctx, "t1", "cell-2", false, "", "r")
		wantErr(t, err, models.NewRunningOnDifferentCellError("", ""))
		_, done, err := h.CompleteTask(h.ctx, "t1", "cell-1", false, "", "the result")
		must(t, err)
		if done.GetState() != models.Task_Completed || done.GetResult() != "the result" || done.GetCellId() != "" || done.GetFirstCompletedAt() == 0 {
			t.Fatalf("complete %v", done)
		}
		_, err = h.DeleteTask(h.ctx, "t1")
		wantErr(t, err, models.NewTaskTransitionError(0, 0))
		_, resolving, err := h.ResolvingTask(h.ctx, "t1")
		must(t, err)
		if resolving.GetState() != models.Task_Resolving {
			t.Fatalf("resolving %v", resolving)
		}
		deleted, err := h.DeleteTask(h.ctx, "t1")
		must(t, err)
		if deleted.GetTaskGuid() != "t1" {
			t.Fatalf("deleted %v", deleted)
		}
		_, err = h.TaskByGuid(h.ctx, "t1")
		wantErr(t, err, models.ErrResourceNotFound)
	})
}

func TestTaskCancelFailAndFilters(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		for _, g := range []string{"a", "b", "c"} {
			_, err := h.DesireTask(h.ctx, taskDef(), g, "domain")
			must(t, err)
		}
		_, _, _, err := h.StartTask(h.ctx, "b", "cell-b")
		must(t, err)
		_, cancelled, cell, err := h.CancelTask(h.ctx, "b")
		must(t, err)
		if cell != "cell-b" || !cancelled.GetFailed() || cancelled.GetFailureReason() != "task was cancelled" {
			t.Fatalf("cancel %v on %q", cancelled, cell)
		}
		_, _, _, err = h.CancelTask(h.ctx, "b")
		wantErr(t, err, models.NewTaskTransitionError(0, 0))
		_, failed, err := h.FailTask(h.ctx, "a", "why")
		must(t, err)
		if failed.GetState() != models.Task_Completed || failed.GetFailureReason() != "why" {
			t.Fatalf("fail pending %v", failed)
		}
		_, _, _, err = h.StartTask(h.ctx, "c", "cell-c")
		must(t, err)
		byCell, err := h.Tasks(h.ctx, TaskFilter{CellID: "cell-c"})
		must(t, err)
		if len(byCell) != 1 || byCell[0].GetTaskGuid() != "c" || byCell[0].GetTaskDefinition().GetMemoryMb() != 64 {
			t.Fatalf("by cell %v", byCell)
		}
		all, err := h.Tasks(h.ctx, TaskFilter{Domain: "domain"})
		must(t, err)
		if len(all) != 3 {
			t.Fatalf("all %d", len(all))
		}
	})
}

func TestRejectTaskRetryLimit(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		_, err := h.DesireTask(h.ctx, taskDef(), "t", "domain")
		must(t, err)
		for i := int32(1); i <= 3; i++ {
			_, _, _, err := h.StartTask(h.ctx, "t", "cell")
			must(t, err)
			_, after, err := h.RejectTask(h.ctx, "t", "no room", 3)
			must(t, err)
			if after.GetState() != models.Task_Pending || after.GetRejectionCount() != i || after.GetRejectionReason() != "no room" {
				t.Fatalf("rejection %d: %v", i, after)
			}
		}
		_, after, err := h.RejectTask(h.ctx, "t", "still no room", 3)
		must(t, err)
		if after.GetState() != models.Task_Completed || !after.GetFailed() || after.GetFailureReason() != "still no room" || after.GetRejectionCount() != 4 {
			t.Fatalf("final rejection %v", after)
		}
		_, _, err = h.RejectTask(h.ctx, "t", "x", 3)
		wantErr(t, err, models.ErrBadRequest)
	})
}

func TestConvergeTasks(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		kick, expirePending, expireCompleted := 30*time.Second, 30*time.Minute, 2*time.Minute
		for _, g := range []string{"old-pending", "pending", "running-gone", "running-here", "resolving-stuck", "completed-old", "completed-kick"} {
			_, err := h.DesireTask(h.ctx, taskDef(), g, "domain")
			must(t, err)
		}
		_, _, _, err := h.StartTask(h.ctx, "running-gone", "dead-cell")
		must(t, err)
		_, _, _, err = h.StartTask(h.ctx, "running-here", "live-cell")
		must(t, err)
		for _, g := range []string{"resolving-stuck", "completed-old"} {
			_, _, err = h.FailTask(h.ctx, g, "x")
			must(t, err)
		}
		_, _, err = h.ResolvingTask(h.ctx, "resolving-stuck")
		must(t, err)
		h.clock.Advance(31 * time.Minute)
		_, err = h.DesireTask(h.ctx, taskDef(), "pending2", "domain")
		must(t, err)
		_, _, err = h.FailTask(h.ctx, "completed-kick", "x")
		must(t, err)
		h.clock.Advance(time.Minute)

		res, err := h.ConvergeTasks(h.ctx, cellSet("live-cell"), kick, expirePending, expireCompleted)
		must(t, err)
		states := map[string]*models.Task{}
		tasks, err := h.Tasks(h.ctx, TaskFilter{})
		must(t, err)
		for _, tk := range tasks {
			states[tk.GetTaskGuid()] = tk
		}
		if s := states["old-pending"]; s.GetState() != models.Task_Completed || s.GetFailureReason() != "not started within time limit" {
			t.Errorf("old pending %v", s)
		}
		if s := states["running-gone"]; s.GetState() != models.Task_Completed || s.GetFailureReason() != "cell disappeared before completion" {
			t.Errorf("running on a vanished cell %v", s)
		}
		if s := states["running-here"]; s.GetState() != models.Task_Running {
			t.Errorf("running on a live cell %v", s)
		}
		if _, ok := states["completed-old"]; ok {
			t.Errorf("expired completed task kept")
		}
		if _, ok := states["resolving-stuck"]; ok {
			t.Errorf("stuck resolving task (completed long ago) kept")
		}
		if len(res.TasksToAuction) != 1 || res.TasksToAuction[0].GetTaskGuid() != "pending2" {
			t.Errorf("to auction %v", res.TasksToAuction)
		}
		if len(res.TasksToComplete) != 1 || res.TasksToComplete[0].GetTaskGuid() != "completed-kick" {
			t.Errorf("to complete %v", res.TasksToComplete)
		}
		if len(res.Changes) != 6 { // 2 expired, 1 cell gone, 1 demoted, 2 removed
			t.Errorf("changes %d", len(res.Changes))
		}
	})
}
