package rep_test

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"code.cloudfoundry.org/bbs/models"
	"code.cloudfoundry.org/go-loggregator/v8/rpc/loggregator_v2"
	"code.cloudfoundry.org/rep"
	"code.cloudfoundry.org/routing-info/internalroutes"

	"conformance/harness"
)

const domain = "conformance"

func sleepAction() *models.Action {
	return models.WrapAction(&models.RunAction{Path: "/bin/sh", Args: []string{"-c", "echo started; exec sleep 600"}, User: "root"})
}

func desiredLRP(guid string) *models.DesiredLRP {
	return &models.DesiredLRP{
		ProcessGuid: guid, Domain: domain, RootFs: "preloaded:" + stack, Instances: 1,
		MemoryMb: 128, DiskMb: 64, LogGuid: "log-" + guid, LogSource: "APP/PROC/WEB", Action: sleepAction(),
		MetricTags: map[string]*models.MetricTagValue{"source_id": {Static: "src-" + guid}},
	}
}

func findLRP(state rep.CellState, processGuid string) *rep.LRP {
	for i := range state.LRPs {
		if state.LRPs[i].ProcessGuid == processGuid {
			return &state.LRPs[i]
		}
	}
	return nil
}

func findTask(state rep.CellState, guid string) *rep.Task {
	for i := range state.Tasks {
		if state.Tasks[i].TaskGuid == guid {
			return &state.Tasks[i]
		}
	}
	return nil
}

func TestRepAgainstUpstreamClient(t *testing.T) {
	e := startEnv(t)
	_, port, _ := net.SplitHostPort(e.repAddr)

	var state rep.CellState
	t.Run("State matches the presence", func(t *testing.T) {
		var err error
		state, err = e.rep.State(e.logger)
		must(t, err)
		// Ours: a rep bound to loopback announces that address, since no
		// other host could reach it (upstream: https://cell-z1-0.<advertise_domain>:port).
		wantURL := "https://127.0.0.1:" + port
		if state.CellID != cellID || state.RepURL != wantURL || state.Zone != "z1" || state.CellIndex != 0 || state.Evacuating {
			t.Fatalf("state identity = %+v", state)
		}
		if state.TotalResources != rep.NewResources(4096, 8192, 19) || state.AvailableResources != state.TotalResources {
			t.Fatalf("resources: total %+v available %+v", state.TotalResources, state.AvailableResources)
		}
		if len(state.LRPs) != 0 || len(state.Tasks) != 0 || state.StartingContainerCount != 0 {
			t.Fatalf("fresh cell has work: %+v", state)
		}
		if strings.Join(state.PlacementTags, ",") != "blue" || strings.Join(state.OptionalPlacementTags, ",") != "green" {
			t.Fatalf("placement tags %v / %v", state.PlacementTags, state.OptionalPlacementTags)
		}
		if !state.RootFSProviders["preloaded"].Match(*mustURL(t, "preloaded:"+stack)) ||
			state.RootFSProviders["preloaded"].Match(*mustURL(t, "preloaded:other")) ||
			!state.RootFSProviders["docker"].Match(*mustURL(t, "docker:///busybox")) {
			t.Fatalf("rootfs providers %+v", state.RootFSProviders)
		}

		presence := e.presence
		if presence.RepUrl != state.RepURL || presence.Zone != state.Zone ||
			presence.Capacity.MemoryMb != state.TotalResources.MemoryMB || presence.Capacity.DiskMb != state.TotalResources.DiskMB ||
			int(presence.Capacity.Containers) != state.TotalResources.Containers ||
			strings.Join(presence.PlacementTags, ",") != "blue" || strings.Join(presence.OptionalPlacementTags, ",") != "green" {
			t.Fatalf("presence %+v does not match state %+v", presence, state)
		}
		if !strings.HasPrefix(presence.RepAddress, "http://") || !strings.HasSuffix(presence.RepAddress, ":"+portOf(t, e.adminAddr)) {
			t.Fatalf("rep_address = %q", presence.RepAddress)
		}
	})

	lrpKey := models.NewActualLRPKey("lrp-1", 0, domain)
	t.Run("Perform reserves and returns the failed subset", func(t *testing.T) {
		must(t, e.bbs.DesireLRP(e.logger, "", desiredLRP("lrp-1")))
		must(t, e.bbs.DesireTask(e.logger, "", "task-1", domain, &models.TaskDefinition{
			RootFs: "preloaded:" + stack, Action: sleepAction(), MemoryMb: 64, DiskMb: 32, LogGuid: "log-task-1"}))
		pc := rep.NewPlacementConstraint("preloaded:"+stack, nil, nil)
		huge := rep.NewLRP("", models.NewActualLRPKey("lrp-huge", 0, domain), rep.NewResource(100000, 10, 0), pc)
		work := rep.Work{CellID: cellID,
			LRPs:  []rep.LRP{rep.NewLRP("", lrpKey, rep.NewResource(128, 64, 0), pc), huge},
			Tasks: []rep.Task{rep.NewTask("task-1", domain, rep.NewResource(64, 32, 0), pc)},
		}
		failed, err := e.rep.Perform(e.logger, work)
		must(t, err)
		if len(failed.LRPs) != 1 || failed.LRPs[0].ActualLRPKey != huge.ActualLRPKey || failed.LRPs[0].MemoryMB != 100000 || len(failed.Tasks) != 0 {
			t.Fatalf("failed work = %+v", failed)
		}
		if _, err := e.rep.Perform(e.logger, rep.Work{CellID: "another-cell", Tasks: work.Tasks}); err == nil {
			t.Fatal("work for another cell accepted")
		}

		harness.Eventually(t, 60*time.Second, "the LRP running and the task running in the state", func() bool {
			s, err := e.rep.State(e.logger)
			if err != nil {
				return false
			}
			state = s
			l, tk := findLRP(s, "lrp-1"), findTask(s, "task-1")
			return l != nil && l.State == string(models.ActualLRPStateRunning) && tk != nil && tk.State == models.Task_Running
		})
		l, tk := findLRP(state, "lrp-1"), findTask(state, "task-1")
		if l.ActualLRPKey != lrpKey || l.InstanceGUID == "" || l.MemoryMB != 128 || l.DiskMB != 64 || l.RootFs != "preloaded:"+stack {
			t.Fatalf("LRP in state = %+v", l)
		}
		if tk.Domain != domain || tk.MemoryMB != 64 || tk.Failed {
			t.Fatalf("task in state = %+v", tk)
		}
		if state.AvailableResources != rep.NewResources(4096-128-64, 8192-64-32, 17) {
			t.Fatalf("available after reserving = %+v", state.AvailableResources)
		}
		harness.Eventually(t, 30*time.Second, "the BBS to see the LRP running on the cell", func() bool {
			lrps, err := e.bbs.ActualLRPs(e.logger, "", models.ActualLRPFilter{ProcessGuid: "lrp-1"})
			return err == nil && len(lrps) == 1 && lrps[0].State == models.ActualLRPStateRunning &&
				lrps[0].CellId == cellID && lrps[0].InstanceGuid == l.InstanceGUID
		})
		task, err := e.bbs.TaskByGuid(e.logger, "", "task-1")
		if err != nil || task.State != models.Task_Running || task.CellId != cellID {
			t.Fatalf("BBS task = %+v, %v", task, err)
		}

		code, body := e.call(t, e.repAddr, http.MethodGet, "/container_metrics")
		var metrics rep.ContainerMetricsCollection
		if code != http.StatusOK || json.Unmarshal([]byte(body), &metrics) != nil {
			t.Fatalf("GET /container_metrics = %d %s", code, body)
		}
		if metrics.CellID != cellID || len(metrics.LRPs) != 1 || len(metrics.Tasks) != 1 {
			t.Fatalf("container metrics = %s", body)
		}
		lm, tm := metrics.LRPs[0], metrics.Tasks[0]
		if lm.InstanceGUID != l.InstanceGUID || lm.ProcessGUID != "lrp-1" || lm.Index != 0 || lm.MetricGUID != "src-lrp-1" ||
			lm.MemoryQuotaBytes != 128<<20 || lm.MemoryUsageBytes == 0 || tm.TaskGUID != "task-1" || tm.MetricGUID != "log-task-1" {
			t.Fatalf("container metrics = %s", body)
		}
	})

	t.Run("app logs and container metrics reach the loggregator agent", func(t *testing.T) {
		l := findLRP(state, "lrp-1")
		if l == nil {
			t.Skip("no running LRP")
		}
		isLog := func(sourceType, payload string) func(*loggregator_v2.Envelope) bool {
			return func(e *loggregator_v2.Envelope) bool {
				return e.GetLog() != nil && string(e.GetLog().Payload) == payload && e.Tags["source_type"] == sourceType
			}
		}
		harness.Eventually(t, 30*time.Second, "the app's output at the agent", func() bool {
			return e.agent.find(isLog("APP/PROC/WEB", "started")) != nil
		})
		out := e.agent.find(isLog("APP/PROC/WEB", "started"))
		if out.SourceId != "src-lrp-1" || out.InstanceId != "0" || out.GetLog().Type != loggregator_v2.Log_OUT ||
			out.Tags["source_id"] != "src-lrp-1" || out.Tags["origin"] != "rep" {
			t.Fatalf("app line = %v\nreceived:\n%s", out, e.agent.summary())
		}
		created := "Cell " + cellID + " successfully created container for instance " + l.InstanceGUID
		if c := e.agent.find(isLog("CELL", created)); c == nil || c.SourceId != "src-lrp-1" {
			t.Fatalf("no CELL line %q; received:\n%s", created, e.agent.summary())
		}
		metrics := func(env *loggregator_v2.Envelope) bool {
			m := env.GetGauge().GetMetrics()
			return env.SourceId == "src-lrp-1" && m["memory"] != nil && m["memory_quota"] != nil && m["cpu"] != nil
		}
		harness.Eventually(t, 30*time.Second, "container metrics at the agent", func() bool { return e.agent.find(metrics) != nil })
		m := e.agent.find(metrics)
		if m.InstanceId != "0" || m.GetGauge().Metrics["memory_quota"].Value != 128<<20 || m.GetGauge().Metrics["memory"].Unit != "bytes" {
			t.Fatalf("metrics envelope = %v", m)
		}
	})

	t.Run("UpdateLRPInstance", func(t *testing.T) {
		l := findLRP(state, "lrp-1")
		if l == nil {
			t.Skip("no running LRP")
		}
		update := rep.NewLRPUpdate(l.InstanceGUID, lrpKey, internalroutes.InternalRoutes{{Hostname: "lrp-1.apps.internal"}},
			map[string]string{"source_id": "src-lrp-1", "app_name": "renamed"})
		must(t, e.rep.UpdateLRPInstance(e.logger, update))
		// The new metric tags label the instance's metrics from then on.
		harness.Eventually(t, 30*time.Second, "container metrics with the new tags", func() bool {
			return e.agent.find(func(env *loggregator_v2.Envelope) bool {
				return env.SourceId == "src-lrp-1" && env.GetGauge() != nil && env.Tags["app_name"] == "renamed"
			}) != nil
		})
	})

	t.Run("StopLRPInstance", func(t *testing.T) {
		l := findLRP(state, "lrp-1")
		if l == nil {
			t.Skip("no running LRP")
		}
		must(t, e.rep.StopLRPInstance(e.logger, lrpKey, models.NewActualLRPInstanceKey(l.InstanceGUID, cellID)))
		harness.Eventually(t, 60*time.Second, "the stopped instance to leave the cell and the BBS", func() bool {
			s, err := e.rep.State(e.logger)
			if err != nil || findLRP(s, "lrp-1") != nil {
				return false
			}
			lrps, err := e.bbs.ActualLRPs(e.logger, "", models.ActualLRPFilter{ProcessGuid: "lrp-1", CellID: cellID})
			return err == nil && len(lrps) == 0
		})
	})

	t.Run("CancelTask", func(t *testing.T) {
		must(t, e.rep.CancelTask(e.logger, "task-1"))
		harness.Eventually(t, 60*time.Second, "the cancelled task's container to go", func() bool {
			s, err := e.rep.State(e.logger)
			return err == nil && findTask(s, "task-1") == nil && s.AvailableResources == s.TotalResources
		})
	})

	t.Run("admin ping", func(t *testing.T) {
		if code, body := e.admin(t, http.MethodGet, "/ping"); code != http.StatusOK {
			t.Fatalf("GET /ping = %d %s", code, body)
		}
	})

	// Last: the rep exits once evacuated.
	t.Run("evacuation", func(t *testing.T) {
		must(t, e.bbs.DesireLRP(e.logger, "", desiredLRP("lrp-evac")))
		pc := rep.NewPlacementConstraint("preloaded:"+stack, nil, nil)
		evacKey := models.NewActualLRPKey("lrp-evac", 0, domain)
		work := rep.Work{CellID: cellID, LRPs: []rep.LRP{rep.NewLRP("", evacKey, rep.NewResource(128, 64, 0), pc)}}
		failed, err := e.rep.Perform(e.logger, work)
		if err != nil || len(failed.LRPs) != 0 {
			t.Fatalf("perform: %+v, %v", failed, err)
		}
		harness.Eventually(t, 60*time.Second, "the instance to run", func() bool {
			lrps, err := e.bbs.ActualLRPs(e.logger, "", models.ActualLRPFilter{ProcessGuid: "lrp-evac"})
			return err == nil && len(lrps) == 1 && lrps[0].State == models.ActualLRPStateRunning
		})

		code, body := e.admin(t, http.MethodPost, "/evacuate")
		if code != http.StatusAccepted || strings.TrimSpace(body) != `{"ping_path":"/ping"}` {
			t.Fatalf("POST /evacuate = %d %s", code, body)
		}
		s, err := e.rep.State(e.logger)
		if err != nil || !s.Evacuating {
			t.Fatalf("state while evacuating: evacuating=%v, %v", s.Evacuating, err)
		}
		task := rep.NewTask("task-late", domain, rep.NewResource(1, 1, 0), pc)
		failed, err = e.rep.Perform(e.logger, rep.Work{CellID: cellID, Tasks: []rep.Task{task}})
		if err != nil || len(failed.Tasks) != 1 || failed.Tasks[0].TaskGuid != "task-late" {
			t.Fatalf("perform while evacuating: %+v, %v", failed, err)
		}
		harness.Eventually(t, 30*time.Second, "an EVACUATING instance in the BBS", func() bool {
			lrps, err := e.bbs.ActualLRPs(e.logger, "", models.ActualLRPFilter{ProcessGuid: "lrp-evac", CellID: cellID})
			for _, l := range lrps {
				if err == nil && l.Presence == models.ActualLRP_Evacuating && l.State == models.ActualLRPStateRunning {
					return true
				}
			}
			return false
		})
		select {
		case <-e.repProc.Exited():
		case <-time.After(60 * time.Second):
			t.Fatal("the rep did not exit after evacuating (evacuation_timeout 10s)")
		}
		if err := e.repProc.Stop(t); err != nil {
			t.Fatalf("rep exit after evacuation: %v", err)
		}
		for _, prefix := range []string{"Cell " + cellID + " requesting replacement for instance ", "Cell " + cellID + " reached evacuation timeout for instance "} {
			if e.agent.find(func(env *loggregator_v2.Envelope) bool {
				return env.SourceId == "src-lrp-evac" && env.Tags["source_type"] == "CELL" && strings.HasPrefix(string(env.GetLog().GetPayload()), prefix)
			}) == nil {
				t.Errorf("no CELL line %q at the agent; received:\n%s", prefix, e.agent.summary())
			}
		}
	})
}

func portOf(t *testing.T, addr string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	must(t, err)
	return port
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	must(t, err)
	return u
}
