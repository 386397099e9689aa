package bbsdb

import (
	"testing"
	"time"

	"github.com/godiego/diego/proto/models"
)

func TestConvergeLRPsAppliesThePlan(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		must(t, h.UpsertDomain(h.ctx, "domain", 0))
		must(t, h.DesireLRP(h.ctx, desiredLRP("app", 3)))
		// 0 runs on a cell that vanished, 1 runs on a live cell with stale
		// routes and tags, 2 is missing; 3 and 4 are extra instances.
		for i, cell := range []string{"dead", "live", "", "live", "live"} {
			if cell == "" {
				continue
			}
			_, _, err := h.StartActualLRP(h.ctx, key("app", int32(i)), ikey("ig", cell), netInfo("1.1.1.1"), nil, map[string]string{"app": "old"}, true, "")
			must(t, err)
		}
		// An evacuating copy on the dead cell, and a crashed instance of another app ready to restart.
		_, err := h.EvacuateActualLRP(h.ctx, key("app", 1), ikey("ig-e", "dead"), netInfo("2.2.2.2"), nil, nil, true, "")
		must(t, err)
		must(t, h.DesireLRP(h.ctx, desiredLRP("crashy", 1)))
		_, err = h.CreateUnclaimedActualLRP(h.ctx, key("crashy", 0))
		must(t, err)
		for n := 0; n < 3; n++ {
			_, _, err = h.ClaimActualLRP(h.ctx, "crashy", 0, ikey("c", "live"))
			must(t, err)
			_, _, _, err = h.CrashActualLRP(h.ctx, key("crashy", 0), ikey("c", "live"), "x")
			must(t, err)
		}
		h.clock.Advance(31 * time.Second)

		res, err := h.ConvergeLRPs(h.ctx, cellSet("live"))
		must(t, err)
		same(t, "missing", keyStrings(keysOf(res.MissingLRPKeys)), []string{"app/2"})
		same(t, "missing cells", keyStrings(keysOf(res.KeysWithMissingCells)), []string{"app/0"})
		same(t, "unstarted", keyStrings(keysOf(res.UnstartedLRPKeys)), []string{"crashy/0"})
		same(t, "retire", keyStrings(res.KeysToRetire), []string{"app/3", "app/4"})
		same(t, "route drift", updateKeys(res.KeysWithInternalRouteChanges), []string{"app/0", "app/1", "app/3", "app/4"})
		same(t, "tag drift", updateKeys(res.KeysWithMetricTagChanges), []string{"app/0", "app/1", "app/3", "app/4"})
		same(t, "missing cell ids", res.MissingCellIDs, []string{"dead"})
		if res.MissingLRPKeys[0].SchedulingInfo.GetDesiredLrpKey().GetProcessGuid() != "app" {
			t.Fatalf("scheduling info %v", res.MissingLRPKeys[0].SchedulingInfo)
		}

		rows, err := h.ActualLRPs(h.ctx, ActualLRPFilter{ProcessGUID: "app", Index: ptr(int32(0))})
		must(t, err)
		presences := map[models.ActualLRP_Presence]string{}
		for _, r := range rows {
			presences[r.GetPresence()] = r.GetState()
		}
		if presences[models.ActualLRP_SUSPECT] != models.ActualLRPStateRunning || presences[models.ActualLRP_ORDINARY] != models.ActualLRPStateUnclaimed {
			t.Fatalf("instance 0 after convergence: %v", presences)
		}
		evac, err := h.ActualLRPs(h.ctx, ActualLRPFilter{CellID: "dead"})
		must(t, err)
		for _, r := range evac {
			if r.GetPresence() == models.ActualLRP_EVACUATING {
				t.Fatalf("evacuating row on a dead cell kept: %v", r)
			}
		}
		crashy, err := h.ActualLRPs(h.ctx, ActualLRPFilter{ProcessGUID: "crashy"})
		must(t, err)
		if crashy[0].GetState() != models.ActualLRPStateUnclaimed {
			t.Fatalf("crashed instance not unclaimed: %v", crashy[0])
		}
		// removed evacuating + suspect change + replacement + created + crashy unclaim
		if len(res.Changes) != 5 {
			t.Fatalf("changes %d: %v", len(res.Changes), res.Changes)
		}

		// The dead cell comes back: the suspect is promoted, the replacement deleted.
		res, err = h.ConvergeLRPs(h.ctx, cellSet("live", "dead"))
		must(t, err)
		same(t, "promoted", keyStrings(res.SuspectKeysWithExistingCells), []string{"app/0"})
		rows, err = h.ActualLRPs(h.ctx, ActualLRPFilter{ProcessGUID: "app", Index: ptr(int32(0))})
		must(t, err)
		if len(rows) != 1 || rows[0].GetPresence() != models.ActualLRP_ORDINARY || rows[0].GetState() != models.ActualLRPStateRunning {
			t.Fatalf("after promotion %v", rows)
		}
	})
}

func TestConvergeLRPsSuspectLifecycle(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		must(t, h.UpsertDomain(h.ctx, "domain", 0))
		must(t, h.DesireLRP(h.ctx, desiredLRP("app", 1)))
		_, _, err := h.StartActualLRP(h.ctx, key("app", 0), ikey("ig", "dead"), netInfo("1.1.1.1"), nil, nil, true, "")
		must(t, err)
		res, err := h.ConvergeLRPs(h.ctx, cellSet("live"))
		must(t, err)
		same(t, "missing cells", keyStrings(keysOf(res.KeysWithMissingCells)), []string{"app/0"})
		// The replacement is placed on another dead cell: it is unclaimed; as
		// both rows were RUNNING the suspect counts as extra and goes (upstream's rule).
		_, _, err = h.StartActualLRP(h.ctx, key("app", 0), ikey("ig2", "dead2"), netInfo("1.1.1.2"), nil, nil, true, "")
		must(t, err)
		res, err = h.ConvergeLRPs(h.ctx, cellSet("live"))
		must(t, err)
		same(t, "missing cells again", keyStrings(keysOf(res.KeysWithMissingCells)), []string{"app/0"})
		same(t, "suspect running", keyStrings(res.SuspectRunningKeys), []string{"app/0"})
		same(t, "suspects removed", keyStrings(res.SuspectKeysToRetire), []string{"app/0"})
		_, _, err = h.StartActualLRP(h.ctx, key("app", 0), ikey("ig3", "live"), netInfo("1.1.1.3"), nil, nil, true, "")
		must(t, err)
		res, err = h.ConvergeLRPs(h.ctx, cellSet("live"))
		must(t, err)
		if len(res.Changes) != 0 || len(res.KeysWithMissingCells) != 0 {
			t.Fatalf("steady state changed rows: %+v", res)
		}
		rows, err := h.ActualLRPs(h.ctx, ActualLRPFilter{ProcessGUID: "app"})
		must(t, err)
		if len(rows) != 1 || rows[0].GetActualLrpInstanceKey().GetCellId() != "live" {
			t.Fatalf("rows %v", rows)
		}
		// The desired LRP goes away: the instance is an orphan to retire.
		_, err = h.RemoveDesiredLRP(h.ctx, "app")
		must(t, err)
		res, err = h.ConvergeLRPs(h.ctx, cellSet("live"))
		must(t, err)
		same(t, "orphans", keyStrings(res.KeysToRetire), []string{"app/0"})
	})
}

func keysOf(l []*LRPKeyWithSchedulingInfo) []*models.ActualLRPKey {
	out := []*models.ActualLRPKey{}
	for _, x := range l {
		out = append(out, x.Key)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// The blob cache must never hide a change: drift appears and disappears
// as desired and actual routes and tags change between passes.
func TestConvergeLRPsCacheFollowsChanges(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		must(t, h.UpsertDomain(h.ctx, "domain", 0))
		lrp := desiredLRP("app", 1)
		lrp.MetricTags = map[string]*models.MetricTagValue{"app": {Static: "a"}}
		must(t, h.DesireLRP(h.ctx, lrp))
		start := func(host, tag string) {
			t.Helper()
			_, _, err := h.StartActualLRP(h.ctx, key("app", 0), ikey("ig", "c1"), netInfo("1.1.1.1"),
				[]*models.ActualLRPInternalRoute{{Hostname: host}}, map[string]string{"app": tag}, true, "")
			must(t, err)
		}
		drift := func(wantRoutes, wantTags int) {
			t.Helper()
			res, err := h.ConvergeLRPs(h.ctx, cellSet("c1"))
			must(t, err)
			if len(res.KeysWithInternalRouteChanges) != wantRoutes || len(res.KeysWithMetricTagChanges) != wantTags {
				t.Fatalf("drift: routes %d tags %d, want %d %d", len(res.KeysWithInternalRouteChanges), len(res.KeysWithMetricTagChanges), wantRoutes, wantTags)
			}
		}
		start("a.apps.internal", "a")
		drift(0, 0)
		drift(0, 0) // from the cache
		_, _, err := h.UpdateDesiredLRP(h.ctx, "app", &models.DesiredLRPUpdate{MetricTags: map[string]*models.MetricTagValue{"app": {Static: "b"}}})
		must(t, err)
		drift(0, 1)
		start("a.apps.internal", "b")
		drift(0, 0)
		_, _, err = h.UpdateDesiredLRP(h.ctx, "app", &models.DesiredLRPUpdate{Routes: &models.ProtoRoutes{Routes: map[string][]byte{
			"internal-router": []byte(`[{"hostname":"b.apps.internal"}]`)}}})
		must(t, err)
		drift(1, 0)
		start("b.apps.internal", "b")
		drift(0, 0)
	})
}
