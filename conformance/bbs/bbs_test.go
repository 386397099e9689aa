package bbs_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"code.cloudfoundry.org/bbs/events"
	"code.cloudfoundry.org/bbs/models"
	locketmodels "code.cloudfoundry.org/locket/models"
	"golang.org/x/net/context"

	"conformance/harness"
)

// TestBBS runs the suite on SQLite with one bbs process; the SQL backends
// run a smaller smoke test (the store's contract suites cover them).
func TestBBS(t *testing.T) {
	e := startEnv(t, "sqlite", nil)
	t.Run("PingAndDomains", func(t *testing.T) { pingAndDomains(t, e) })
	t.Run("DesiredLRPsWithEveryActionType", func(t *testing.T) { desiredLRPs(t, e) })
	t.Run("ActualLRPLifecycle", func(t *testing.T) { actualLRPLifecycle(t, e) })
	t.Run("Evacuation", func(t *testing.T) { evacuation(t, e) })
	t.Run("Tasks", func(t *testing.T) { tasks(t, e) })
	t.Run("TaskCallback", func(t *testing.T) { taskCallback(t, e) })
	t.Run("Events", func(t *testing.T) { eventStreams(t, e) })
	t.Run("Cells", func(t *testing.T) { cells(t, e) })
	t.Run("BadRequests", func(t *testing.T) { badRequests(t, e) })
}

func TestSQLBackends(t *testing.T) {
	for _, driver := range []string{"mysql", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			e := startEnv(t, driver, nil)
			pingAndDomains(t, e)
			actualLRPLifecycle(t, e)
			tasks(t, e)
		})
	}
}

func pingAndDomains(t *testing.T, e *env) {
	if !e.bbs.Ping(e.logger, "trace") {
		t.Fatal("ping")
	}
	if err := e.bbs.UpsertDomain(e.logger, "", "fresh", 0); err != nil {
		t.Fatal(err)
	}
	if err := e.bbs.UpsertDomain(e.logger, "", "short", time.Second); err != nil {
		t.Fatal(err)
	}
	domains, err := e.bbs.Domains(e.logger, "")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(domains)
	if len(domains) < 2 || domains[0] != "fresh" {
		t.Fatalf("domains %v", domains)
	}
	harness.Eventually(t, 10*time.Second, "the short domain to expire", func() bool {
		ds, _ := e.bbs.Domains(e.logger, "")
		for _, d := range ds {
			if d == "short" {
				return false
			}
		}
		return true
	})
	if err := e.bbs.UpsertDomain(e.logger, "", "", 0); errType(err) != models.Error_InvalidRequest {
		t.Fatalf("empty domain: %v", err)
	}
}

func everyAction() *models.Action {
	run := &models.RunAction{Path: "/bin/sh", Args: []string{"-c", "sleep 1"}, User: "vcap",
		ResourceLimits: &models.ResourceLimits{}, Env: []*models.EnvironmentVariable{{Name: "A", Value: "b"}}}
	return models.WrapAction(models.Serial(
		&models.DownloadAction{From: "http://example.com/a.tgz", To: "/tmp/a", CacheKey: "a", User: "vcap"},
		models.EmitProgressFor(models.Timeout(run, time.Minute), "start", "ok", "fail"),
		models.Try(&models.UploadAction{From: "/tmp/a", To: "http://example.com/up", User: "vcap"}),
		models.Parallel(run),
		models.Codependent(run),
	))
}

func desiredLRPs(t *testing.T, e *env) {
	d := desiredLRP("actions", 2)
	d.Setup = everyAction()
	d.Monitor = models.WrapAction(&models.RunAction{Path: "/bin/true", User: "vcap"})
	routes := json.RawMessage(`[{"hostnames":["a.example.com"],"port":8080}]`)
	d.Routes = &models.Routes{"cf-router": &routes}
	d.Ports = []uint32{8080}
	d.StartTimeoutMs = 60000
	before := len(e.auctioneer.lrpRequests())
	if err := e.bbs.DesireLRP(e.logger, "desire-trace", d); err != nil {
		t.Fatal(err)
	}
	got, err := e.bbs.DesiredLRPByProcessGuid(e.logger, "", "actions")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Setup.Equal(d.Setup) || got.Instances != 2 || got.ModificationTag == nil || got.ModificationTag.Epoch == "" {
		t.Fatalf("stored LRP differs: %v", got)
	}
	harness.Eventually(t, 10*time.Second, "an auction for both indices", func() bool {
		reqs := e.auctioneer.lrpRequests()
		return len(reqs) > before && reqs[len(reqs)-1]["process_guid"] == "actions" && len(reqs[len(reqs)-1]["indices"].([]any)) == 2
	})
	found := false
	for _, id := range e.auctioneer.requestIDs() {
		found = found || id == "desire-trace"
	}
	if !found {
		t.Fatal("the auction request did not carry the request id")
	}
	lrps, err := e.bbs.DesiredLRPs(e.logger, "", models.DesiredLRPFilter{Domain: "conformance", ProcessGuids: []string{"actions"}})
	if err != nil || len(lrps) != 1 {
		t.Fatalf("list %v %v", lrps, err)
	}
	infos, err := e.bbs.DesiredLRPSchedulingInfos(e.logger, "", models.DesiredLRPFilter{ProcessGuids: []string{"actions"}})
	if err != nil || len(infos) != 1 || infos[0].Instances != 2 {
		t.Fatalf("scheduling infos %v %v", infos, err)
	}
	routing, err := e.bbs.DesiredLRPRoutingInfos(e.logger, "", models.DesiredLRPFilter{ProcessGuids: []string{"actions"}})
	if err != nil || len(routing) != 1 || routing[0].Routes == nil || routing[0].Action != nil {
		t.Fatalf("routing infos %v %v", routing, err)
	}
	update := &models.DesiredLRPUpdate{}
	update.SetInstances(3)
	update.SetAnnotation("updated")
	if err := e.bbs.UpdateDesiredLRP(e.logger, "", "actions", update); err != nil {
		t.Fatal(err)
	}
	actuals, _ := e.bbs.ActualLRPs(e.logger, "", models.ActualLRPFilter{ProcessGuid: "actions"})
	if len(actuals) != 3 {
		t.Fatalf("%d actual LRPs after scaling to 3", len(actuals))
	}
	if err := e.bbs.RemoveDesiredLRP(e.logger, "", "actions"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.bbs.DesiredLRPByProcessGuid(e.logger, "", "actions"); errType(err) != models.Error_ResourceNotFound {
		t.Fatalf("after remove: %v", err)
	}
	if actuals, _ := e.bbs.ActualLRPs(e.logger, "", models.ActualLRPFilter{ProcessGuid: "actions"}); len(actuals) != 0 {
		t.Fatalf("unclaimed instances left after remove: %d", len(actuals))
	}
}

func actualLRPLifecycle(t *testing.T, e *env) {
	if err := e.bbs.DesireLRP(e.logger, "", desiredLRP("life", 1)); err != nil {
		t.Fatal(err)
	}
	key := models.NewActualLRPKey("life", 0, "conformance")
	ik := models.NewActualLRPInstanceKey("ig-1", "cell-1")
	if err := e.bbs.ClaimActualLRP(e.logger, "", &key, &ik); err != nil {
		t.Fatal(err)
	}
	net := models.NewActualLRPNetInfo("10.0.0.1", "10.255.0.1", models.ActualLRPNetInfo_PreferredAddressHost, models.NewPortMapping(61000, 8080))
	if err := e.bbs.StartActualLRP(e.logger, "", &key, &ik, &net, nil, map[string]string{"k": "v"}, true, "z1"); err != nil {
		t.Fatal(err)
	}
	idx := int32(0)
	lrps, err := e.bbs.ActualLRPs(e.logger, "", models.ActualLRPFilter{ProcessGuid: "life", Index: &idx})
	if err != nil || len(lrps) != 1 || lrps[0].State != models.ActualLRPStateRunning || lrps[0].Address != "10.0.0.1" || !lrps[0].GetRoutable() {
		t.Fatalf("running: %v %v", lrps, err)
	}
	group, err := e.bbs.ActualLRPGroupByProcessGuidAndIndex(e.logger, "", "life", 0)
	if err != nil || group.Instance == nil || group.Instance.InstanceGuid != "ig-1" {
		t.Fatalf("group %v %v", group, err)
	}
	other := models.NewActualLRPInstanceKey("ig-2", "cell-2")
	if err := e.bbs.ClaimActualLRP(e.logger, "", &key, &other); errType(err) != models.Error_ActualLRPCannotBeClaimed {
		t.Fatalf("claim from another cell: %v", err)
	}
	if err := e.bbs.CrashActualLRP(e.logger, "", &key, &ik, "crashed"); err != nil {
		t.Fatal(err)
	}
	lrps, _ = e.bbs.ActualLRPs(e.logger, "", models.ActualLRPFilter{ProcessGuid: "life"})
	if lrps[0].State != models.ActualLRPStateUnclaimed || lrps[0].CrashCount != 1 || lrps[0].CrashReason != "crashed" {
		t.Fatalf("after crash %v", lrps[0])
	}
	if err := e.bbs.FailActualLRP(e.logger, "", &key, "insufficient resources"); err != nil {
		t.Fatal(err)
	}
	if err := e.bbs.RetireActualLRP(e.logger, "", &key); err != nil {
		t.Fatal(err)
	}
	if err := e.bbs.RemoveActualLRP(e.logger, "", &key, &ik); errType(err) != models.Error_ResourceNotFound {
		t.Fatalf("remove after retire: %v", err)
	}
	_ = e.bbs.RemoveDesiredLRP(e.logger, "", "life")
}

func evacuation(t *testing.T, e *env) {
	if err := e.bbs.DesireLRP(e.logger, "", desiredLRP("evac", 1)); err != nil {
		t.Fatal(err)
	}
	key := models.NewActualLRPKey("evac", 0, "conformance")
	old := models.NewActualLRPInstanceKey("ig-old", "cell-1")
	net := models.NewActualLRPNetInfo("10.0.0.1", "", models.ActualLRPNetInfo_PreferredAddressUnknown)
	_ = e.bbs.ClaimActualLRP(e.logger, "", &key, &old)
	if err := e.bbs.StartActualLRP(e.logger, "", &key, &old, &net, nil, nil, true, ""); err != nil {
		t.Fatal(err)
	}
	keep, err := e.bbs.EvacuateRunningActualLRP(e.logger, "", &key, &old, &net, nil, nil, true, "")
	if err != nil || !keep {
		t.Fatalf("evacuate running: %v %v", keep, err)
	}
	groups, err := e.bbs.ActualLRPGroupsByProcessGuid(e.logger, "", "evac")
	if err != nil || len(groups) != 1 || groups[0].Evacuating == nil || groups[0].Instance.State != models.ActualLRPStateUnclaimed {
		t.Fatalf("groups %v %v", groups, err)
	}
	all, err := e.bbs.ActualLRPGroups(e.logger, "", models.ActualLRPFilter{Domain: "conformance", CellID: "cell-1"})
	if err != nil || len(all) != 1 || all[0].Evacuating.GetInstanceGuid() != "ig-old" {
		t.Fatalf("groups on cell-1 %v %v", all, err)
	}
	repl := models.NewActualLRPInstanceKey("ig-new", "cell-2")
	_ = e.bbs.ClaimActualLRP(e.logger, "", &key, &repl)
	if err := e.bbs.StartActualLRP(e.logger, "", &key, &repl, &net, nil, nil, true, ""); err != nil {
		t.Fatal(err)
	}
	lrps, _ := e.bbs.ActualLRPs(e.logger, "", models.ActualLRPFilter{ProcessGuid: "evac"})
	if len(lrps) != 1 || lrps[0].InstanceGuid != "ig-new" {
		t.Fatalf("after the replacement started: %v", lrps)
	}
	if keep, err := e.bbs.EvacuateRunningActualLRP(e.logger, "", &key, &old, &net, nil, nil, true, ""); err != nil || keep {
		t.Fatalf("late evacuate: %v %v", keep, err)
	}
	if keep, err := e.bbs.EvacuateClaimedActualLRP(e.logger, "", &key, &repl); err != nil || keep {
		t.Fatalf("evacuate claimed: %v %v", keep, err)
	}
	if _, err := e.bbs.EvacuateStoppedActualLRP(e.logger, "", &key, &old); errType(err) != models.Error_ResourceNotFound {
		t.Fatalf("evacuate stopped of a gone instance: %v", err)
	}
	if err := e.bbs.RemoveEvacuatingActualLRP(e.logger, "", &key, &old); errType(err) != models.Error_ResourceNotFound {
		t.Fatalf("remove evacuating of nothing: %v", err)
	}
	_ = e.bbs.RemoveDesiredLRP(e.logger, "", "evac")
}

func tasks(t *testing.T, e *env) {
	if err := e.bbs.DesireTask(e.logger, "", "task-1", "conformance", taskDef()); err != nil {
		t.Fatal(err)
	}
	if err := e.bbs.DesireTask(e.logger, "", "task-1", "conformance", taskDef()); errType(err) != models.Error_ResourceExists {
		t.Fatalf("desire twice: %v", err)
	}
	harness.Eventually(t, 10*time.Second, "a task auction", func() bool {
		for _, r := range e.auctioneer.taskRequests() {
			if r["TaskGuid"] == "task-1" {
				return true
			}
		}
		return false
	})
	if should, err := e.bbs.StartTask(e.logger, "", "task-1", "cell-1"); err != nil || !should {
		t.Fatalf("start: %v %v", should, err)
	}
	byCell, _ := e.bbs.TasksByCellID(e.logger, "", "cell-1")
	if len(byCell) != 1 || byCell[0].TaskGuid != "task-1" {
		t.Fatalf("tasks on cell-1: %v", byCell)
	}
	if err := e.bbs.CompleteTask(e.logger, "", "task-1", "cell-9", false, "", ""); errType(err) != models.Error_RunningOnDifferentCell {
		t.Fatalf("complete on another cell: %v", err)
	}
	if err := e.bbs.CompleteTask(e.logger, "", "task-1", "cell-1", false, "", "result"); err != nil {
		t.Fatal(err)
	}
	if err := e.bbs.CancelTask(e.logger, "", "task-1"); errType(err) != models.Error_InvalidStateTransition {
		t.Fatalf("cancel a completed task: %v", err)
	}
	task, err := e.bbs.TaskByGuid(e.logger, "", "task-1")
	if err != nil || task.State != models.Task_Completed || task.Result != "result" {
		t.Fatalf("completed %v %v", task, err)
	}
	if err := e.bbs.ResolvingTask(e.logger, "", "task-1"); err != nil {
		t.Fatal(err)
	}
	if err := e.bbs.DeleteTask(e.logger, "", "task-1"); err != nil {
		t.Fatal(err)
	}

	_ = e.bbs.DesireTask(e.logger, "", "task-2", "conformance", taskDef())
	for i := 0; i < 4; i++ {
		if err := e.bbs.RejectTask(e.logger, "", "task-2", "no room"); err != nil {
			t.Fatal(err)
		}
	}
	task, _ = e.bbs.TaskByGuid(e.logger, "", "task-2")
	if task.State != models.Task_Completed || !task.Failed || task.RejectionCount != 4 {
		t.Fatalf("after 4 rejections: %v", task)
	}
	_ = e.bbs.DesireTask(e.logger, "", "task-3", "conformance", taskDef())
	if err := e.bbs.FailTask(e.logger, "", "task-3", "gave up"); err != nil {
		t.Fatal(err)
	}
	all, err := e.bbs.TasksByDomain(e.logger, "", "conformance")
	if err != nil || len(all) < 2 {
		t.Fatalf("tasks by domain %d %v", len(all), err)
	}
}

func taskCallback(t *testing.T, e *env) {
	var (
		mu   sync.Mutex
		body map[string]any
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		_ = json.NewDecoder(r.Body).Decode(&body)
	}))
	defer srv.Close()
	def := taskDef()
	def.CompletionCallbackUrl = srv.URL
	def.Annotation = "note"
	if err := e.bbs.DesireTask(e.logger, "", "cb-task", "conformance", def); err != nil {
		t.Fatal(err)
	}
	_, _ = e.bbs.StartTask(e.logger, "", "cb-task", "cell-1")
	if err := e.bbs.CompleteTask(e.logger, "", "cb-task", "cell-1", true, "boom", ""); err != nil {
		t.Fatal(err)
	}
	harness.Eventually(t, 15*time.Second, "the callback to delete the task", func() bool {
		_, err := e.bbs.TaskByGuid(e.logger, "", "cb-task")
		return errType(err) == models.Error_ResourceNotFound
	})
	mu.Lock()
	defer mu.Unlock()
	if body["task_guid"] != "cb-task" || body["failed"] != true || body["failure_reason"] != "boom" || body["annotation"] != "note" {
		t.Fatalf("callback body %v", body)
	}
}

func nextEvent(t *testing.T, s events.EventSource) models.Event {
	t.Helper()
	ch := make(chan models.Event, 1)
	errs := make(chan error, 1)
	go func() {
		ev, err := s.Next()
		if err != nil {
			errs <- err
			return
		}
		ch <- ev
	}()
	select {
	case ev := <-ch:
		return ev
	case err := <-errs:
		t.Fatalf("event stream: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10 s")
	}
	return nil
}

func expectEvents(t *testing.T, s events.EventSource, types ...string) []models.Event {
	t.Helper()
	var got []models.Event
	for _, want := range types {
		ev := nextEvent(t, s)
		if ev.EventType() != want {
			t.Fatalf("event %d: %s, want %s", len(got), ev.EventType(), want)
		}
		got = append(got, ev)
	}
	return got
}

func eventStreams(t *testing.T, e *env) {
	instances, err := e.bbs.SubscribeToInstanceEvents(e.logger)
	if err != nil {
		t.Fatal(err)
	}
	defer instances.Close()
	onCell2, err := e.bbs.SubscribeToInstanceEventsByCellID(e.logger, "cell-2")
	if err != nil {
		t.Fatal(err)
	}
	defer onCell2.Close()
	groups, err := e.bbs.SubscribeToEvents(e.logger)
	if err != nil {
		t.Fatal(err)
	}
	defer groups.Close()
	taskEvents, err := e.bbs.SubscribeToTaskEvents(e.logger)
	if err != nil {
		t.Fatal(err)
	}
	defer taskEvents.Close()
	time.Sleep(200 * time.Millisecond) // the subscriptions register when the server reads them

	if err := e.bbs.DesireLRP(e.logger, "", desiredLRP("ev", 1)); err != nil {
		t.Fatal(err)
	}
	expectEvents(t, instances, models.EventTypeDesiredLRPCreated, models.EventTypeActualLRPInstanceCreated)
	expectEvents(t, groups, models.EventTypeDesiredLRPCreated, models.EventTypeActualLRPCreated)
	expectEvents(t, onCell2, models.EventTypeDesiredLRPCreated) // desired events are never filtered

	key := models.NewActualLRPKey("ev", 0, "conformance")
	ik := models.NewActualLRPInstanceKey("ig-ev", "cell-2")
	net := models.NewActualLRPNetInfo("10.0.0.2", "", models.ActualLRPNetInfo_PreferredAddressUnknown)
	_ = e.bbs.ClaimActualLRP(e.logger, "", &key, &ik)
	_ = e.bbs.StartActualLRP(e.logger, "", &key, &ik, &net, nil, nil, true, "")
	evs := expectEvents(t, instances, models.EventTypeActualLRPInstanceChanged, models.EventTypeActualLRPInstanceChanged)
	if ch := evs[1].(*models.ActualLRPInstanceChangedEvent); ch.After.State != models.ActualLRPStateRunning || ch.InstanceGuid != "ig-ev" {
		t.Fatalf("running change %v", ch)
	}
	expectEvents(t, onCell2, models.EventTypeActualLRPInstanceChanged, models.EventTypeActualLRPInstanceChanged)
	expectEvents(t, groups, models.EventTypeActualLRPChanged, models.EventTypeActualLRPChanged)

	_ = e.bbs.CrashActualLRP(e.logger, "", &key, &ik, "oom")
	evs = expectEvents(t, instances, models.EventTypeActualLRPCrashed, models.EventTypeActualLRPInstanceCreated, models.EventTypeActualLRPInstanceRemoved)
	if c := evs[0].(*models.ActualLRPCrashedEvent); c.CrashReason != "oom" || c.CrashCount != 1 {
		t.Fatalf("crash event %v", c)
	}
	_ = e.bbs.RemoveDesiredLRP(e.logger, "", "ev")
	expectEvents(t, instances, models.EventTypeDesiredLRPRemoved, models.EventTypeActualLRPInstanceRemoved)

	_ = e.bbs.DesireTask(e.logger, "", "ev-task", "conformance", taskDef())
	_ = e.bbs.CancelTask(e.logger, "", "ev-task")
	evs = expectEvents(t, taskEvents, models.EventTypeTaskCreated, models.EventTypeTaskChanged)
	if ch := evs[1].(*models.TaskChangedEvent); ch.After.FailureReason != "task was cancelled" {
		t.Fatalf("cancel event %v", ch)
	}
}

func cells(t *testing.T, e *env) {
	presence := models.NewCellPresence("cell-x", "http://10.0.0.9:1800", "https://cell-x.example:1801", "z1",
		models.NewCellCapacity(1024, 2048, 10), []string{"docker"}, []string{"preloaded:cflinuxfs4"}, []string{"tag"}, nil)
	value, _ := json.Marshal(presence)
	_, err := e.locket.Lock(context.Background(), &locketmodels.LockRequest{
		Resource:     &locketmodels.Resource{Key: "cell-x", Owner: "rep", Value: string(value), Type: locketmodels.PresenceType, TypeCode: locketmodels.PRESENCE},
		TtlInSeconds: 15,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = e.locket.Lock(context.Background(), &locketmodels.LockRequest{
		Resource:     &locketmodels.Resource{Key: "garbage", Owner: "rep", Value: "not json", Type: locketmodels.PresenceType, TypeCode: locketmodels.PRESENCE},
		TtlInSeconds: 15,
	})
	list, err := e.bbs.Cells(e.logger, "")
	if err != nil || len(list) != 1 {
		t.Fatalf("cells %v %v", list, err)
	}
	c := list[0]
	if c.CellId != "cell-x" || c.RepUrl != "https://cell-x.example:1801" || c.Capacity.MemoryMb != 1024 || len(c.RootfsProviders) != 3 || c.Zone != "z1" {
		t.Fatalf("cell %v", c)
	}
}

func badRequests(t *testing.T, e *env) {
	if err := e.bbs.DesireLRP(e.logger, "", &models.DesiredLRP{ProcessGuid: "bad"}); errType(err) != models.Error_InvalidRequest {
		t.Fatalf("invalid desired LRP: %v", err)
	}
	if _, err := e.bbs.TaskByGuid(e.logger, "", ""); errType(err) != models.Error_InvalidRequest {
		t.Fatalf("empty task guid: %v", err)
	}
	if err := e.bbs.ResolvingTask(e.logger, "", "missing"); errType(err) != models.Error_ResourceNotFound {
		t.Fatalf("missing task: %v", err)
	}
	_ = e.bbs.DesireTask(e.logger, "", "pending", "conformance", taskDef())
	if err := e.bbs.DeleteTask(e.logger, "", "pending"); errType(err) != models.Error_InvalidStateTransition {
		t.Fatalf("delete pending: %v", err)
	}
	key := models.NewActualLRPKey("nobody", 0, "conformance")
	ik := models.NewActualLRPInstanceKey("ig", "cell")
	if err := e.bbs.ClaimActualLRP(e.logger, "", &key, &ik); errType(err) != models.Error_ResourceNotFound {
		t.Fatalf("claim of a missing LRP: %v", err)
	}
}
