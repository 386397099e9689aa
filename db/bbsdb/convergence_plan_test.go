package bbsdb

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/godiego/diego/proto/models"
)

var planNow = time.Unix(1700000000, 0)

// snapBuilder assembles snapshots for planLRPConvergence tests.
type snapBuilder struct{ s *lrpSnapshot }

func newSnap() *snapBuilder {
	return &snapBuilder{s: &lrpSnapshot{
		domains: map[string]int64{"domain": math.MaxInt64},
		desired: map[string]*desiredFacts{},
	}}
}

func (b *snapBuilder) desire(guid string, instances int32) *snapBuilder {
	b.s.desired[guid] = &desiredFacts{domain: "domain", instances: instances, routesOK: true, tagsOK: true}
	return b
}

func (b *snapBuilder) actual(guid string, index int32, presence models.ActualLRP_Presence, state, cell string, mods ...func(*actualFacts)) *snapBuilder {
	a := &actualFacts{
		key:         &models.ActualLRPKey{ProcessGuid: guid, Index: index, Domain: "domain"},
		instanceKey: &models.ActualLRPInstanceKey{CellId: cell},
		presence:    presence, state: state, since: planNow.UnixNano(), blobsOK: true,
	}
	if cell != "" {
		a.instanceKey.InstanceGuid = fmt.Sprintf("ig-%s-%d", guid, index)
	}
	for _, m := range mods {
		m(a)
	}
	b.s.actuals = append(b.s.actuals, a)
	return b
}

// running adds ORDINARY RUNNING instances 0..n-1 of guid on cell.
func (b *snapBuilder) running(guid string, n int32, cell string) *snapBuilder {
	for i := int32(0); i < n; i++ {
		b.actual(guid, i, models.ActualLRP_ORDINARY, models.ActualLRPStateRunning, cell)
	}
	return b
}

func keyStrings(keys []*models.ActualLRPKey) []string {
	out := []string{}
	for _, k := range keys {
		out = append(out, fmt.Sprintf("%s/%d", k.GetProcessGuid(), k.GetIndex()))
	}
	return out
}

func updateKeys(u []*LRPKeyWithDesiredUpdate) []string {
	out := []string{}
	for _, x := range u {
		out = append(out, fmt.Sprintf("%s/%d", x.Key.GetProcessGuid(), x.Key.GetIndex()))
	}
	return out
}

func same(t *testing.T, what string, got, want []string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

func TestPlanSteadyStateDoesNothing(t *testing.T) {
	p := planLRPConvergence(newSnap().desire("a", 3).running("a", 3, "c1").s, cellSet("c1"), planNow)
	for name, l := range map[string][]*models.ActualLRPKey{"stale": p.staleUnclaimed, "suspect": p.missingCellSuspect,
		"unclaim": p.missingCellUnclaim, "missing": p.missingIndices, "retire": p.retire, "suspectRemove": p.suspectRemove,
		"promote": p.suspectPromote, "crashed": p.crashedRestart} {
		same(t, name, keyStrings(l), nil)
	}
	if len(p.pruneDomains)+len(p.pruneEvacuating)+len(p.missingCellIDs)+len(p.routeChanges)+len(p.tagChanges) != 0 {
		t.Errorf("unexpected plan %+v", p)
	}
}

func TestPlanPrunesExpiredDomainsAndRetiresOnlyInFreshOnes(t *testing.T) {
	b := newSnap().desire("a", 1).running("a", 3, "c1")
	b.s.domains = map[string]int64{"domain": planNow.UnixNano(), "other": planNow.Add(time.Hour).UnixNano()}
	p := planLRPConvergence(b.s, cellSet("c1"), planNow)
	same(t, "pruned", p.pruneDomains, []string{"domain"})
	same(t, "retire", keyStrings(p.retire), nil) // domain not fresh: nothing destructive

	b.s.domains["domain"] = planNow.Add(time.Minute).UnixNano()
	p = planLRPConvergence(b.s, cellSet("c1"), planNow)
	same(t, "retire", keyStrings(p.retire), []string{"a/1", "a/2"})
}

func TestPlanMissingIndices(t *testing.T) {
	b := newSnap().desire("a", 4).actual("a", 1, models.ActualLRP_ORDINARY, models.ActualLRPStateRunning, "c1").
		actual("a", 3, models.ActualLRP_SUSPECT, models.ActualLRPStateRunning, "c9")
	p := planLRPConvergence(b.s, cellSet("c1"), planNow)
	same(t, "missing", keyStrings(p.missingIndices), []string{"a/0", "a/2", "a/3"})
}

func TestPlanStaleUnclaimed(t *testing.T) {
	b := newSnap().desire("a", 3).
		actual("a", 0, models.ActualLRP_ORDINARY, models.ActualLRPStateUnclaimed, "", func(a *actualFacts) { a.since = planNow.Add(-31 * time.Second).UnixNano() }).
		actual("a", 1, models.ActualLRP_ORDINARY, models.ActualLRPStateUnclaimed, "", func(a *actualFacts) { a.since = planNow.Add(-30 * time.Second).UnixNano() }).
		actual("a", 2, models.ActualLRP_ORDINARY, models.ActualLRPStateUnclaimed, "")
	// An orphan (no desired) UNCLAIMED row is not re-auctioned.
	b.actual("orphan", 0, models.ActualLRP_ORDINARY, models.ActualLRPStateUnclaimed, "", func(a *actualFacts) { a.since = 0 })
	b.s.domains["domain"] = planNow.UnixNano() // domain expired: orphan is not retired either
	p := planLRPConvergence(b.s, cellSet("c1"), planNow)
	same(t, "stale", keyStrings(p.staleUnclaimed), []string{"a/0"})
	same(t, "retire", keyStrings(p.retire), nil)
}

func TestPlanMissingCells(t *testing.T) {
	b := newSnap().desire("a", 3).desire("b", 1).
		actual("a", 0, models.ActualLRP_ORDINARY, models.ActualLRPStateRunning, "gone").
		actual("a", 1, models.ActualLRP_ORDINARY, models.ActualLRPStateClaimed, "gone").
		actual("a", 2, models.ActualLRP_ORDINARY, models.ActualLRPStateRunning, "c1").
		actual("b", 0, models.ActualLRP_ORDINARY, models.ActualLRPStateClaimed, "also-gone").
		actual("b", 0, models.ActualLRP_SUSPECT, models.ActualLRPStateRunning, "gone")
	p := planLRPConvergence(b.s, cellSet("c1"), planNow)
	same(t, "suspect", keyStrings(p.missingCellSuspect), []string{"a/0", "a/1"})
	same(t, "unclaim", keyStrings(p.missingCellUnclaim), []string{"b/0"})
	same(t, "cells", p.missingCellIDs, []string{"also-gone", "gone"})
	same(t, "suspect running", keyStrings(p.suspectRunning), []string{"b/0"})

	// With no cells at all, every CLAIMED and RUNNING instance is on a missing cell.
	p = planLRPConvergence(b.s, CellSet{}, planNow)
	same(t, "suspect (no cells)", keyStrings(p.missingCellSuspect), []string{"a/0", "a/1", "a/2"})
}

func TestPlanEvacuatingOnMissingCells(t *testing.T) {
	b := newSnap().desire("a", 2).running("a", 2, "c1").
		actual("a", 0, models.ActualLRP_EVACUATING, models.ActualLRPStateRunning, "gone").
		actual("a", 1, models.ActualLRP_EVACUATING, models.ActualLRPStateRunning, "c1")
	p := planLRPConvergence(b.s, cellSet("c1"), planNow)
	if len(p.pruneEvacuating) != 1 || p.pruneEvacuating[0].key.GetIndex() != 0 {
		t.Fatalf("prune evacuating %v", p.pruneEvacuating)
	}
	p = planLRPConvergence(b.s, CellSet{}, planNow)
	if len(p.pruneEvacuating) != 2 {
		t.Fatalf("prune evacuating with no cells %v", p.pruneEvacuating)
	}
}

func TestPlanOrphans(t *testing.T) {
	b := newSnap().
		actual("gone", 0, models.ActualLRP_ORDINARY, models.ActualLRPStateRunning, "c1").
		actual("gone", 0, models.ActualLRP_SUSPECT, models.ActualLRPStateRunning, "c2").
		actual("unknown-domain", 0, models.ActualLRP_ORDINARY, models.ActualLRPStateRunning, "c1", func(a *actualFacts) { a.key.Domain = "nope" })
	p := planLRPConvergence(b.s, cellSet("c1", "c2"), planNow)
	same(t, "retire", keyStrings(p.retire), []string{"gone/0"})
	same(t, "suspect remove", keyStrings(p.suspectRemove), []string{"gone/0"})
	same(t, "promote", keyStrings(p.suspectPromote), nil)
}

func TestPlanSuspects(t *testing.T) {
	b := newSnap().desire("a", 4).
		// 0: replacement running -> the suspect is extra.
		actual("a", 0, models.ActualLRP_ORDINARY, models.ActualLRPStateRunning, "c1").
		actual("a", 0, models.ActualLRP_SUSPECT, models.ActualLRPStateRunning, "back").
		// 1: replacement not running yet, suspect's cell is back -> promote.
		actual("a", 1, models.ActualLRP_ORDINARY, models.ActualLRPStateUnclaimed, "").
		actual("a", 1, models.ActualLRP_SUSPECT, models.ActualLRPStateRunning, "back").
		// 2: suspect CLAIMED, cell still missing -> counted only.
		actual("a", 2, models.ActualLRP_ORDINARY, models.ActualLRPStateClaimed, "c1").
		actual("a", 2, models.ActualLRP_SUSPECT, models.ActualLRPStateClaimed, "missing").
		actual("a", 3, models.ActualLRP_ORDINARY, models.ActualLRPStateRunning, "c1")
	p := planLRPConvergence(b.s, cellSet("c1", "back"), planNow)
	same(t, "remove", keyStrings(p.suspectRemove), []string{"a/0"})
	same(t, "promote", keyStrings(p.suspectPromote), []string{"a/1"})
	same(t, "suspect running", keyStrings(p.suspectRunning), []string{"a/0", "a/1"})
	same(t, "suspect claimed", keyStrings(p.suspectClaimed), []string{"a/2"})
	same(t, "missing cells", p.missingCellIDs, []string{"missing"})
	// With an empty cell set nothing is promoted.
	p = planLRPConvergence(b.s, CellSet{}, planNow)
	same(t, "promote (no cells)", keyStrings(p.suspectPromote), nil)
}

func TestPlanCrashedRestartSchedule(t *testing.T) {
	cases := []struct {
		count int32
		ago   time.Duration
		want  bool
	}{
		{3, 29 * time.Second, false}, {3, 30 * time.Second, true},
		{4, 59 * time.Second, false}, {4, time.Minute, true},
		{5, 2 * time.Minute, true}, {6, 4*time.Minute - time.Second, false}, {7, 8 * time.Minute, true},
		{8, 16*time.Minute - time.Second, false}, {8, 16 * time.Minute, true}, {50, 16 * time.Minute, true},
		{199, time.Hour, true}, {200, 24 * time.Hour, false},
	}
	for _, c := range cases {
		b := newSnap().desire("a", 1).actual("a", 0, models.ActualLRP_ORDINARY, models.ActualLRPStateCrashed, "", func(a *actualFacts) {
			a.crashCount, a.since = c.count, planNow.Add(-c.ago).UnixNano()
		})
		p := planLRPConvergence(b.s, cellSet("c1"), planNow)
		if got := len(p.crashedRestart) == 1; got != c.want {
			t.Errorf("crash count %d, %v ago: restart %v, want %v", c.count, c.ago, got, c.want)
		}
	}
}

func TestPlanRouteAndMetricTagDrift(t *testing.T) {
	b := newSnap().desire("a", 4)
	b.s.desired["a"].internalRoutes = []*models.ActualLRPInternalRoute{{Hostname: "x.internal"}, {Hostname: "y.internal"}}
	b.s.desired["a"].metricTags = map[string]*models.MetricTagValue{"app": {Static: "a"}, "i": {Dynamic: models.MetricTagValue_INDEX}}
	b.actual("a", 0, models.ActualLRP_ORDINARY, models.ActualLRPStateRunning, "c1", func(a *actualFacts) {
		a.internalRoutes = []*models.ActualLRPInternalRoute{{Hostname: "y.internal"}, {Hostname: "x.internal"}}
		a.metricTags, a.metricTagsSet = map[string]string{"app": "a", "i": "0"}, true
	}).actual("a", 1, models.ActualLRP_ORDINARY, models.ActualLRPStateRunning, "c1", func(a *actualFacts) {
		a.internalRoutes = []*models.ActualLRPInternalRoute{{Hostname: "x.internal"}}
		a.metricTags, a.metricTagsSet = map[string]string{"app": "a", "i": "0"}, true
	}).actual("a", 2, models.ActualLRP_ORDINARY, models.ActualLRPStateRunning, "c1", func(a *actualFacts) {
		a.internalRoutes = []*models.ActualLRPInternalRoute{{Hostname: "x.internal"}, {Hostname: "y.internal"}}
		a.metricTagsSet = false // no tags stored: upstream reports no drift
	}).actual("a", 3, models.ActualLRP_ORDINARY, models.ActualLRPStateClaimed, "c1")
	p := planLRPConvergence(b.s, cellSet("c1"), planNow)
	same(t, "route drift", updateKeys(p.routeChanges), []string{"a/1"})
	same(t, "tag drift", updateKeys(p.tagChanges), []string{"a/1"})
	if p.tagChanges[0].DesiredMetricTags["app"].GetStatic() != "a" || p.routeChanges[0].InstanceKey.GetCellId() != "c1" {
		t.Errorf("drift payloads %+v %+v", p.tagChanges[0], p.routeChanges[0])
	}
}

func TestPlanIsDeterministic(t *testing.T) {
	b := newSnap()
	for i := 0; i < 50; i++ {
		guid := fmt.Sprintf("g%02d", 49-i)
		b.desire(guid, 2).actual(guid, 0, models.ActualLRP_ORDINARY, models.ActualLRPStateRunning, "gone")
	}
	p := planLRPConvergence(b.s, cellSet("c1"), planNow)
	got := keyStrings(p.missingIndices)
	if !sort.StringsAreSorted(got) || len(got) != 50 || len(p.missingCellSuspect) != 50 {
		t.Fatalf("plan not sorted or incomplete: %v", got)
	}
}

func TestPlanTaskConvergence(t *testing.T) {
	n := planNow
	mk := func(guid string, state models.Task_State, created, updated, completed time.Duration, cell string) *models.Task {
		return &models.Task{TaskGuid: guid, State: state, CellId: cell, CreatedAt: n.Add(-created).UnixNano(),
			UpdatedAt: n.Add(-updated).UnixNano(), FirstCompletedAt: n.Add(-completed).UnixNano()}
	}
	tasks := []*models.Task{
		mk("p-old", models.Task_Pending, 31*time.Minute, 0, 0, ""),
		mk("p-new", models.Task_Pending, time.Minute, 0, 0, ""),
		mk("r-gone", models.Task_Running, time.Minute, 0, 0, "gone"),
		mk("r-live", models.Task_Running, time.Minute, 0, 0, "c1"),
		mk("res-stuck", models.Task_Resolving, time.Minute, 31*time.Second, time.Minute, ""),
		mk("res-fresh", models.Task_Resolving, time.Minute, 10*time.Second, time.Minute, ""),
		mk("c-expired", models.Task_Completed, time.Hour, time.Hour, 121*time.Second, ""),
		mk("c-kick", models.Task_Completed, time.Hour, 31*time.Second, time.Minute, ""),
		mk("c-fresh", models.Task_Completed, time.Hour, time.Second, time.Second, ""),
	}
	p := planTaskConvergence(tasks, cellSet("c1"), n, 30*time.Second, 30*time.Minute, 2*time.Minute)
	guids := func(ts []*models.Task) []string {
		out := []string{}
		for _, t := range ts {
			out = append(out, t.GetTaskGuid())
		}
		return out
	}
	befores := func(cs []TaskChange) []string {
		out := []string{}
		for _, c := range cs {
			out = append(out, c.Before.GetTaskGuid())
		}
		return out
	}
	same(t, "expire", befores(p.expire), []string{"p-old"})
	same(t, "auction", guids(p.auction), []string{"p-new"})
	same(t, "cell gone", befores(p.cellGone), []string{"r-gone"})
	same(t, "demote", befores(p.demote), []string{"res-stuck"})
	same(t, "remove", guids(p.remove), []string{"c-expired"})
	same(t, "complete", guids(p.complete), []string{"c-kick", "res-stuck"})
	if p.expire[0].After.GetFailureReason() != "not started within time limit" || p.cellGone[0].After.GetFailureReason() != "cell disappeared before completion" {
		t.Errorf("reasons %v %v", p.expire[0].After, p.cellGone[0].After)
	}
	p = planTaskConvergence(tasks, CellSet{}, n, 30*time.Second, 30*time.Minute, 2*time.Minute)
	same(t, "cell gone (no cells)", befores(p.cellGone), []string{"r-gone", "r-live"})
}
