package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/bbs/controllers"
	"github.com/godiego/diego/proto/models"
)

func TestTaskLifecycle(t *testing.T) {
	a := newAPI(t)
	if err := a.client.DesireTask(ctx(), "t1", "domain", taskDef()); err != nil {
		t.Fatal(err)
	}
	if got := a.rec.taskAuctions(); len(got) != 1 || got[0].TaskGUID != "t1" || got[0].RootFs != "preloaded:cflinuxfs4" {
		t.Fatalf("task auctions %+v", got)
	}
	should, err := a.client.StartTask(ctx(), "t1", "cell-1")
	if err != nil || !should {
		t.Fatalf("start: %v %v", should, err)
	}
	if should, err = a.client.StartTask(ctx(), "t1", "cell-1"); err != nil || should {
		t.Fatalf("second start on the same cell: %v %v", should, err)
	}
	if err := a.client.CompleteTask(ctx(), "t1", "cell-2", false, "", "out"); errType(err) != models.Error_RunningOnDifferentCell {
		t.Fatalf("complete from another cell: %v", err)
	}
	if err := a.client.CompleteTask(ctx(), "t1", "cell-1", false, "", "out"); err != nil {
		t.Fatal(err)
	}
	task, err := a.client.TaskByGuid(ctx(), "t1")
	if err != nil || task.State != models.Task_Completed || task.Result != "out" {
		t.Fatalf("completed task %v %v", task, err)
	}
	if err := a.client.DeleteTask(ctx(), "t1"); errType(err) != models.Error_InvalidStateTransition {
		t.Fatalf("delete before resolving: %v", err)
	}
	if err := a.client.ResolvingTask(ctx(), "t1"); err != nil {
		t.Fatal(err)
	}
	if err := a.client.DeleteTask(ctx(), "t1"); err != nil {
		t.Fatal(err)
	}
	if tasks, err := a.client.Tasks(ctx(), client.TaskFilter{}); err != nil || len(tasks) != 0 {
		t.Fatalf("tasks left %v %v", tasks, err)
	}
}

func TestCancelStopsTheTaskOnItsCell(t *testing.T) {
	a := newAPI(t)
	a.rec.setCells("cell-1")
	if err := a.client.DesireTask(ctx(), "t1", "domain", taskDef()); err != nil {
		t.Fatal(err)
	}
	if _, err := a.client.StartTask(ctx(), "t1", "cell-1"); err != nil {
		t.Fatal(err)
	}
	if err := a.client.CancelTask(ctx(), "t1"); err != nil {
		t.Fatal(err)
	}
	task, _ := a.client.TaskByGuid(ctx(), "t1")
	if task.State != models.Task_Completed || !task.Failed || task.FailureReason != "task was cancelled" {
		t.Fatalf("cancelled task %v", task)
	}
	a.rec.mu.Lock()
	defer a.rec.mu.Unlock()
	if len(a.rec.cancels) != 1 || a.rec.cancels[0] != "cell-1/t1" {
		t.Fatalf("rep cancels %v", a.rec.cancels)
	}
}

func TestRejectRetriesThenFails(t *testing.T) {
	a := newAPI(t)
	if err := a.client.DesireTask(ctx(), "t1", "domain", taskDef()); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		if err := a.client.RejectTask(ctx(), "t1", "full"); err != nil {
			t.Fatal(err)
		}
		task, _ := a.client.TaskByGuid(ctx(), "t1")
		if task.State != models.Task_Pending || task.RejectionCount != int32(i) {
			t.Fatalf("after rejection %d: %v", i, task)
		}
	}
	if err := a.client.RejectTask(ctx(), "t1", "full"); err != nil {
		t.Fatal(err)
	}
	task, _ := a.client.TaskByGuid(ctx(), "t1")
	if task.State != models.Task_Completed || !task.Failed || task.FailureReason != "full" {
		t.Fatalf("after the 4th rejection: %v", task)
	}
}

func TestCompletionCallbackResolvesAndDeletes(t *testing.T) {
	a := newAPI(t)
	var (
		mu       sync.Mutex
		bodies   []map[string]any
		statuses = []int{http.StatusServiceUnavailable, http.StatusOK}
	)
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		bodies = append(bodies, body)
		status := statuses[0]
		if len(statuses) > 1 {
			statuses = statuses[1:]
		}
		mu.Unlock()
		if r.Header.Get("Content-Type") != "application/json" {
			status = 400
		}
		w.WriteHeader(status)
	}))
	defer cb.Close()
	callbacks := &controllers.TaskCallbacks{HTTP: &http.Client{Timeout: 5 * time.Second}, Controller: a.ctrl, Logger: a.ctrl.Logger}
	callbacks.Start(2)
	defer callbacks.Stop()
	a.ctrl.Callbacks = callbacks

	def := taskDef()
	def.CompletionCallbackUrl = cb.URL
	def.Annotation = "note"
	if err := a.client.DesireTask(ctx(), "t1", "domain", def); err != nil {
		t.Fatal(err)
	}
	if _, err := a.client.StartTask(ctx(), "t1", "cell-1"); err != nil {
		t.Fatal(err)
	}
	if err := a.client.CompleteTask(ctx(), "t1", "cell-1", true, "exit 1", ""); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the task to be deleted", func() bool {
		_, err := a.client.TaskByGuid(ctx(), "t1")
		return errType(err) == models.Error_ResourceNotFound
	})
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 2 {
		t.Fatalf("callback calls %d, want 2 (503 then 200)", len(bodies))
	}
	b := bodies[1]
	if b["task_guid"] != "t1" || b["failed"] != true || b["failure_reason"] != "exit 1" || b["annotation"] != "note" {
		t.Fatalf("callback body %v", b)
	}
}
