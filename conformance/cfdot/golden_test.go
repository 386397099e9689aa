package cfdot_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"code.cloudfoundry.org/bbs/models"
	locketmodels "code.cloudfoundry.org/locket/models"
	"code.cloudfoundry.org/rep"
	"context"
)

// seed writes the records the golden comparisons read: two domains, a
// rich and a plain desired LRP, actual LRPs in every state (running with
// full net info, crashed, unclaimed, evacuating), a pending and a
// completed task, and a cell presence whose rep serves /state.
func seed(t *testing.T, e *env) (cellState rep.CellState) {
	t.Helper()
	l := e.logger
	must(t, e.bbs.UpsertDomain(l, "", "golden", 0))
	must(t, e.bbs.UpsertDomain(l, "", "plain", time.Hour))
	must(t, e.bbs.DesireLRP(l, "", richDesiredLRP("rich")))
	must(t, e.bbs.DesireLRP(l, "", plainDesiredLRP("plain")))

	rich0 := &models.ActualLRPKey{ProcessGuid: "rich", Index: 0, Domain: "golden"}
	ik1 := &models.ActualLRPInstanceKey{InstanceGuid: "ig-rich-0", CellId: "cell-1"}
	must(t, e.bbs.ClaimActualLRP(l, "", rich0, ik1))
	net := models.NewActualLRPNetInfo("10.0.0.1", "10.255.0.7", models.ActualLRPNetInfo_PreferredAddressInstance,
		models.NewPortMappingWithTLSProxy(61000, 8080, 61001, 61443), models.NewPortMapping(61002, 2222))
	must(t, e.bbs.StartActualLRP(l, "", rich0, ik1, &net,
		[]*models.ActualLRPInternalRoute{{Hostname: "rich.apps.internal"}},
		map[string]string{"app_name": "rich"}, true, "z1"))

	rich1 := &models.ActualLRPKey{ProcessGuid: "rich", Index: 1, Domain: "golden"}
	ik2 := &models.ActualLRPInstanceKey{InstanceGuid: "ig-rich-1", CellId: "cell-2"}
	must(t, e.bbs.ClaimActualLRP(l, "", rich1, ik2))
	must(t, e.bbs.CrashActualLRP(l, "", rich1, ik2, "it <crashed>"))

	plain0 := &models.ActualLRPKey{ProcessGuid: "plain", Index: 0, Domain: "plain"}
	ik3 := &models.ActualLRPInstanceKey{InstanceGuid: "ig-plain-0", CellId: "cell-2"}
	must(t, e.bbs.ClaimActualLRP(l, "", plain0, ik3))
	net3 := models.NewActualLRPNetInfo("10.0.0.2", "", models.ActualLRPNetInfo_PreferredAddressUnknown, models.NewPortMapping(61010, 8080))
	must(t, e.bbs.StartActualLRP(l, "", plain0, ik3, &net3, nil, nil, false, ""))
	if _, err := e.bbs.EvacuateRunningActualLRP(l, "", plain0, ik3, &net3, nil, nil, false, "z2"); err != nil {
		t.Fatal(err)
	}

	must(t, e.bbs.DesireTask(l, "", "rich-task", "golden", richTaskDefinition()))
	must(t, e.bbs.DesireTask(l, "", "done-task", "plain", plainTaskDefinition()))
	if _, err := e.bbs.StartTask(l, "", "done-task", "cell-1"); err != nil {
		t.Fatal(err)
	}
	must(t, e.bbs.CompleteTask(l, "", "done-task", "cell-1", true, "it \"broke\"", ""))

	// A rep for cell-1: /state over mutual TLS.
	cellState = rep.CellState{
		RepURL: "https://cell-1.example:1801", CellID: "cell-1", CellIndex: 3,
		RootFSProviders:    rep.RootFSProviders{"preloaded": rep.NewFixedSetRootFSProvider("cflinuxfs4"), "docker": rep.ArbitraryRootFSProvider{}},
		AvailableResources: rep.Resources{MemoryMB: 1024, DiskMB: 2048, Containers: 200},
		TotalResources:     rep.Resources{MemoryMB: 4096, DiskMB: 8192, Containers: 250},
		LRPs: []rep.LRP{{InstanceGUID: "ig-rich-0", ActualLRPKey: *rich0, State: "RUNNING",
			Resource: rep.NewResource(512, 1024, 1024), PlacementConstraint: rep.NewPlacementConstraint("docker:///x", nil, nil)}},
		Tasks: []rep.Task{{TaskGuid: "rich-task", Domain: "golden", State: models.Task_Running, Failed: true,
			Resource: rep.NewResource(128, 64, 10), PlacementConstraint: rep.NewPlacementConstraint("preloaded:cflinuxfs4", []string{"big"}, []string{"nfs"})}},
		StartingContainerCount: 2, Evacuating: true, OptionalPlacementTags: []string{"gpu"},
		Zone: "z1", VolumeDrivers: []string{"nfs"}, PlacementTags: []string{"zone-a"}, ProxyMemoryAllocationMB: 32,
	}
	repSrv := e.tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/state" {
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(cellState)
	}))
	presence := models.NewCellPresence("cell-1", "http://127.0.0.1:1", repSrv.URL, "z1",
		models.NewCellCapacity(4096, 8192, 250), []string{"docker"}, []string{"cflinuxfs4"},
		[]string{"zone-a"}, []string{"gpu"})
	value, err := json.Marshal(presence)
	must(t, err)
	_, err = e.locket.Lock(context.Background(), &locketmodels.LockRequest{
		Resource: &locketmodels.Resource{
			Key: "cell-1", Owner: "rep-cell-1", Value: string(value),
			Type: locketmodels.PresenceType, TypeCode: locketmodels.PRESENCE,
		},
		TtlInSeconds: 3600,
	})
	must(t, err)
	return cellState
}

func TestGoldenOutput(t *testing.T) {
	e := startEnv(t)
	events := e.watchEvents(t)
	cellState := seed(t, e)
	l := e.logger

	t.Run("desired LRPs", func(t *testing.T) {
		for _, guid := range []string{"rich", "plain"} {
			want, err := e.bbs.DesiredLRPByProcessGuid(l, "", guid)
			must(t, err)
			sameLines(t, "desired-lrp "+guid, e.ok(t, "desired-lrp", guid), []*models.DesiredLRP{want})
		}
		all, err := e.bbs.DesiredLRPs(l, "", models.DesiredLRPFilter{})
		must(t, err)
		sameLines(t, "desired-lrps", e.ok(t, "desired-lrps"), all)
		golden, err := e.bbs.DesiredLRPs(l, "", models.DesiredLRPFilter{Domain: "golden"})
		must(t, err)
		sameLines(t, "desired-lrps -d golden", e.ok(t, "desired-lrps", "-d", "golden"), golden)
		infos, err := e.bbs.DesiredLRPSchedulingInfos(l, "", models.DesiredLRPFilter{})
		must(t, err)
		sameLines(t, "desired-lrp-scheduling-infos", e.ok(t, "desired-lrp-scheduling-infos"), infos)
	})

	t.Run("actual LRPs", func(t *testing.T) {
		all, err := e.bbs.ActualLRPs(l, "", models.ActualLRPFilter{})
		must(t, err)
		sameLines(t, "actual-lrps", e.ok(t, "actual-lrps"), all)
		zero := int32(0)
		one, err := e.bbs.ActualLRPs(l, "", models.ActualLRPFilter{ProcessGuid: "rich", Index: &zero})
		must(t, err)
		sameLines(t, "actual-lrps -p rich -i 0", e.ok(t, "actual-lrps", "-p", "rich", "-i", "0"), one)
		cell, err := e.bbs.ActualLRPs(l, "", models.ActualLRPFilter{CellID: "cell-2"})
		must(t, err)
		sameLines(t, "actual-lrps --cell-id cell-2", e.ok(t, "actual-lrps", "--cell-id", "cell-2"), cell)

		//lint:ignore SA1019 cfdot still prints the deprecated groups
		groups, err := e.bbs.ActualLRPGroups(l, "", models.ActualLRPFilter{})
		must(t, err)
		sameLines(t, "actual-lrp-groups", e.ok(t, "actual-lrp-groups"), groups)
		//lint:ignore SA1019 cfdot still prints the deprecated groups
		byGUID, err := e.bbs.ActualLRPGroupsByProcessGuid(l, "", "plain")
		must(t, err)
		sameLines(t, "actual-lrp-groups-for-guid plain", e.ok(t, "actual-lrp-groups-for-guid", "plain"), byGUID)
		//lint:ignore SA1019 cfdot still prints the deprecated groups
		group, err := e.bbs.ActualLRPGroupByProcessGuidAndIndex(l, "", "rich", 1)
		must(t, err)
		sameLines(t, "actual-lrp-groups-for-guid rich -i 1", e.ok(t, "actual-lrp-groups-for-guid", "rich", "-i", "1"), []*models.ActualLRPGroup{group})
	})

	t.Run("tasks", func(t *testing.T) {
		all, err := e.bbs.Tasks(l, "")
		must(t, err)
		sameLines(t, "tasks", e.ok(t, "tasks"), all)
		for _, guid := range []string{"rich-task", "done-task"} {
			task, err := e.bbs.TaskByGuid(l, "", guid)
			must(t, err)
			sameLines(t, "task "+guid, e.ok(t, "task", guid), []*models.Task{task})
		}
		plain, err := e.bbs.TasksWithFilter(l, "", models.TaskFilter{Domain: "plain"})
		must(t, err)
		sameLines(t, "tasks -d plain", e.ok(t, "tasks", "-d", "plain"), plain)
	})

	t.Run("domains and cells", func(t *testing.T) {
		domains, err := e.bbs.Domains(l, "")
		must(t, err)
		sameLines(t, "domains", e.ok(t, "domains"), domains)
		cells, err := e.bbs.Cells(l, "")
		must(t, err)
		sameLines(t, "cells", e.ok(t, "cells"), cells)
		sameLines(t, "cell cell-1", e.ok(t, "cell", "cell-1"), cells)
		sameLines(t, "cell-state cell-1", e.ok(t, "cell-state", "cell-1"), []rep.CellState{cellState})
		sameLines(t, "cell-states", e.ok(t, "cell-states"), []rep.CellState{cellState})
	})

	t.Run("locks and presences", func(t *testing.T) {
		e.ok(t, "claim-lock", "--key", "golden-lock", "--owner", "me", "--value", `{"v":"<1>"}`, "--ttl", "60")
		e.ok(t, "claim-presence", "-k", "golden-presence", "-o", "me", "-t", "60")
		for _, kind := range []struct{ cmd, typ string }{{"locks", locketmodels.LockType}, {"presences", locketmodels.PresenceType}} {
			resp, err := e.locket.FetchAll(context.Background(), &locketmodels.FetchAllRequest{Type: kind.typ})
			must(t, err)
			sameLines(t, kind.cmd, e.ok(t, kind.cmd), resp.Resources)
		}
		e.ok(t, "release-lock", "-k", "golden-lock", "-o", "me")
		resp, err := e.locket.FetchAll(context.Background(), &locketmodels.FetchAllRequest{Type: locketmodels.LockType})
		must(t, err)
		for _, r := range resp.Resources {
			if r.Key == "golden-lock" {
				t.Errorf("release-lock left %+v", r)
			}
		}
	})

	t.Run("events", func(t *testing.T) {
		events.compare(t, e)
	})
}

// TestSpecInputs checks that cfdot reads upstream's JSON the way upstream
// reads it: a desired LRP, a task and an update written by encoding/json of
// upstream's structs create the same records as upstream's client does.
func TestSpecInputs(t *testing.T) {
	e := startEnv(t)
	l := e.logger
	dir := t.TempDir()
	write := func(name string, v any) string {
		raw, err := json.Marshal(v)
		must(t, err)
		path := filepath.Join(dir, name)
		must(t, os.WriteFile(path, raw, 0o600))
		return "@" + path
	}

	must(t, e.bbs.DesireLRP(l, "", richDesiredLRP("by-client")))
	e.ok(t, "create-desired-lrp", write("lrp.json", richDesiredLRP("by-cfdot")))
	byClient, err := e.bbs.DesiredLRPByProcessGuid(l, "", "by-client")
	must(t, err)
	byCfdot, err := e.bbs.DesiredLRPByProcessGuid(l, "", "by-cfdot")
	must(t, err)
	byClient.ProcessGuid, byClient.LogGuid, byClient.MetricsGuid = "by-cfdot", "log-by-cfdot", "metrics-by-cfdot"
	byClient.MetricTags["source_id"].Static = "metrics-by-cfdot"
	byClient.ModificationTag, byCfdot.ModificationTag = nil, nil
	if a, b := upstreamLine(t, byClient), upstreamLine(t, byCfdot); a != b {
		t.Errorf("create-desired-lrp stored a different LRP\nclient: %s\ncfdot:  %s", a, b)
	}

	must(t, e.bbs.DesireTask(l, "", "task-by-client", "golden", richTaskDefinition()))
	spec := upstreamLine(t, &models.Task{TaskGuid: "task-by-cfdot", Domain: "golden", TaskDefinition: richTaskDefinition()})
	e.ok(t, "create-task", spec)
	tc, err := e.bbs.TaskByGuid(l, "", "task-by-client")
	must(t, err)
	td, err := e.bbs.TaskByGuid(l, "", "task-by-cfdot")
	must(t, err)
	if a, b := upstreamLine(t, tc.TaskDefinition), upstreamLine(t, td.TaskDefinition); a != b {
		t.Errorf("create-task stored a different definition\nclient: %s\ncfdot:  %s", a, b)
	}
	if td.Domain != "golden" {
		t.Errorf("create-task domain = %q", td.Domain)
	}

	must(t, e.bbs.DesireLRP(l, "", plainDesiredLRP("upd-client")))
	must(t, e.bbs.DesireLRP(l, "", plainDesiredLRP("upd-cfdot")))
	update := &models.DesiredLRPUpdate{
		Routes:     &models.Routes{"cf-router": raw(`[{"hostnames":["u.example.com"],"port":8080}]`)},
		MetricTags: map[string]*models.MetricTagValue{"idx": {Dynamic: models.MetricTagDynamicValueIndex}},
	}
	update.SetInstances(0)
	update.SetAnnotation("updated")
	must(t, e.bbs.UpdateDesiredLRP(l, "", "upd-client", update))
	e.ok(t, "update-desired-lrp", "upd-cfdot", upstreamLine(t, update))
	uc, err := e.bbs.DesiredLRPByProcessGuid(l, "", "upd-client")
	must(t, err)
	ud, err := e.bbs.DesiredLRPByProcessGuid(l, "", "upd-cfdot")
	must(t, err)
	uc.ProcessGuid, uc.ModificationTag, ud.ModificationTag = "upd-cfdot", nil, nil
	uc.MetricTags, ud.MetricTags = nil, nil // plainDesiredLRP tags carry the guid
	if a, b := upstreamLine(t, uc), upstreamLine(t, ud); a != b {
		t.Errorf("update-desired-lrp made a different LRP\nclient: %s\ncfdot:  %s", a, b)
	}

	r := e.cfdot(t, "desired-lrp", "no-such-guid")
	if r.code != 4 || !strings.Contains(r.stderr, "BBS error\nType 13: ResourceNotFound\nMessage: the requested resource could not be found") {
		t.Errorf("missing desired LRP: exit %d, stderr %q", r.code, r.stderr)
	}
}
