package rep_test

import (
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"code.cloudfoundry.org/bbs/models"
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
		MemoryMb: 128, DiskMb: 64, LogGuid: "log-" + guid, Action: sleepAction(),
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
	})

	t.Run("UpdateLRPInstance", func(t *testing.T) {
		l := findLRP(state, "lrp-1")
		if l == nil {
			t.Skip("no running LRP")
		}
		update := rep.NewLRPUpdate(l.InstanceGUID, lrpKey, internalroutes.InternalRoutes{{Hostname: "lrp-1.apps.internal"}},
			map[string]string{"source_id": "src-lrp-1", "app_name": "renamed"})
		must(t, e.rep.UpdateLRPInstance(e.logger, update))
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
		if code, body := e.adminGet(t, "/ping"); code != 200 {
			t.Fatalf("GET /ping = %d %s", code, body)
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
