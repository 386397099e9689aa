package bbsdb

import (
	"fmt"
	"math/rand"
	"sort"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/proto/models"
)

// TestIndexMatchesStoreAfterRandomOperations drives the indexed store
// through random request, evacuation and convergence operations on a small
// key space and compares every index read with the database's after each.
func TestIndexMatchesStoreAfterRandomOperations(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		for seed := int64(1); seed <= 3; seed++ {
			t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
				x := NewIndexed(h.SQLDB)
				must(t, x.Migrate(h.ctx))
				ops := randomOps(h, x, rand.New(rand.NewSource(seed)))
				seen := map[string]bool{}
				for i := 0; i < 300; i++ {
					name := ops(i)
					compareIndex(t, h, x, fmt.Sprintf("after op %d (%s)", i, name))
					compareConvergenceRows(t, h, x, fmt.Sprintf("after op %d (%s)", i, name))
					all, _ := x.ActualLRPs(h.ctx, ActualLRPFilter{})
					for _, l := range all {
						seen[l.Presence.String()+" "+l.State] = true
					}
					tasks, _ := x.Tasks(h.ctx, TaskFilter{})
					for _, tk := range tasks {
						seen[tk.State.String()] = true
					}
				}
				for _, want := range []string{"ORDINARY RUNNING", "ORDINARY CLAIMED", "ORDINARY CRASHED", "ORDINARY UNCLAIMED",
					"EVACUATING RUNNING", "SUSPECT RUNNING", "Pending", "Running", "Completed", "Resolving"} {
					if !seen[want] {
						t.Errorf("the random operations never produced %s (saw %v)", want, seen)
					}
				}
				// A fresh load agrees too.
				fresh := NewIndexed(h.SQLDB)
				must(t, fresh.Migrate(h.ctx))
				compareIndex(t, h, fresh, "fresh load")
			})
		}
	})
}

var (
	indexPGs   = []string{"pg-a", "pg-b", "pg-c"}
	indexCells = []string{"cell-1", "cell-2", "cell-3"}
	indexTasks = []string{"task-1", "task-2"}
)

// randomOps returns a function performing one random operation on x and
// naming it; errors are part of the game (illegal transitions).
func randomOps(h *harness, x *Indexed, r *rand.Rand) func(i int) string {
	ctx := h.ctx
	pick := func(s []string) string { return s[r.Intn(len(s))] }
	k := func() *models.ActualLRPKey { return key(pick(indexPGs), int32(r.Intn(3))) }
	ik := func() *models.ActualLRPInstanceKey {
		c := pick(indexCells)
		return ikey("ig-"+c, c)
	}
	liveCells := func() CellSet {
		var ids []string
		for _, c := range indexCells {
			if r.Intn(4) != 0 {
				ids = append(ids, c)
			}
		}
		return cellSet(ids...)
	}
	// existing returns the keys of a random existing row, or random keys.
	existing := func() (*models.ActualLRPKey, *models.ActualLRPInstanceKey) {
		all, _ := x.ActualLRPs(ctx, ActualLRPFilter{})
		if len(all) == 0 || r.Intn(3) == 0 {
			return k(), ik()
		}
		l := all[r.Intn(len(all))]
		if l.ActualLrpInstanceKey.GetCellId() == "" {
			return l.ActualLrpKey, ik()
		}
		return l.ActualLrpKey, l.ActualLrpInstanceKey
	}
	return func(i int) string {
		h.clock.Advance(time.Duration(r.Intn(90)) * time.Second)
		switch op := r.Intn(29); op {
		case 27:
			kk, ii := k(), ik()
			for n := 0; n < 4; n++ {
				_, _, _ = x.ClaimActualLRP(ctx, kk.ProcessGuid, kk.Index, ii)
				_, _, _, _ = x.CrashActualLRP(ctx, kk, ii, "crash loop")
			}
			return "crash loop"
		case 28:
			g := pick(indexTasks)
			t, err := x.TaskByGuid(ctx, g)
			switch {
			case err != nil:
				_, _ = x.DesireTask(ctx, taskDef(), g, "domain")
			case t.State == models.Task_Pending:
				_, _, _, _ = x.StartTask(ctx, g, pick(indexCells))
			case t.State == models.Task_Running:
				_, _, _ = x.CompleteTask(ctx, g, t.CellId, false, "", "ok")
			case t.State == models.Task_Completed:
				_, _, _ = x.ResolvingTask(ctx, g)
			default:
				_, _ = x.DeleteTask(ctx, g)
			}
			return "task lifecycle"
		case 24, 25:
			kk, ii := existing()
			_, _, _, _ = x.CrashActualLRP(ctx, kk, ii, "boom")
			return "crash existing"
		case 26:
			kk, ii := existing()
			_, _, _ = x.StartActualLRP(ctx, kk, ii, netInfo("10.0.0.3"), nil, nil, true, "z1")
			return "start existing"
		case 0:
			d := desiredLRP(pick(indexPGs), int32(r.Intn(4)))
			_ = x.DesireLRP(ctx, d)
			return "desire"
		case 1:
			n := int32(r.Intn(4))
			_, _, _ = x.UpdateDesiredLRP(ctx, pick(indexPGs), &models.DesiredLRPUpdate{OptionalInstances: &models.DesiredLRPUpdate_Instances{Instances: n},
				Routes: &models.ProtoRoutes{Routes: map[string][]byte{"cf-router": []byte(fmt.Sprintf(`[{"port":%d}]`, i))}}})
			return "update desired"
		case 2:
			_, _ = x.RemoveDesiredLRP(ctx, pick(indexPGs))
			return "remove desired"
		case 3, 4:
			_, _ = x.CreateUnclaimedActualLRP(ctx, k())
			return "create unclaimed"
		case 5, 6:
			kk := k()
			_, _, _ = x.ClaimActualLRP(ctx, kk.ProcessGuid, kk.Index, ik())
			return "claim"
		case 7, 8:
			_, _, _ = x.StartActualLRP(ctx, k(), ik(), netInfo("10.0.0.1"), []*models.ActualLRPInternalRoute{{Hostname: "h"}}, map[string]string{"a": "b"}, r.Intn(2) == 0, "z1")
			return "start"
		case 9:
			_, _, _, _ = x.CrashActualLRP(ctx, k(), ik(), "boom")
			return "crash"
		case 10:
			_, _, _ = x.FailActualLRP(ctx, k(), "no room")
			return "fail"
		case 11:
			kk := k()
			_, _ = x.RemoveActualLRP(ctx, kk.ProcessGuid, kk.Index, nil)
			return "remove actual"
		case 12:
			_, _, _ = x.UnclaimActualLRP(ctx, k())
			return "unclaim"
		case 13:
			_, _ = x.EvacuateActualLRP(ctx, k(), ik(), netInfo("10.0.0.2"), nil, map[string]string{}, true, "z2")
			return "evacuate"
		case 14:
			_, _ = x.RemoveEvacuatingActualLRP(ctx, k(), ik())
			return "remove evacuating"
		case 15:
			_, _, _ = x.ChangeActualLRPPresence(ctx, k(), models.ActualLRP_ORDINARY, models.ActualLRP_SUSPECT)
			return "make suspect"
		case 16:
			_, _ = x.RemoveSuspectActualLRP(ctx, k())
			return "remove suspect"
		case 17:
			kk := k()
			_, _, _, _ = x.PromoteSuspectActualLRP(ctx, kk.ProcessGuid, kk.Index)
			return "promote suspect"
		case 18, 19:
			_, _ = x.ConvergeLRPs(ctx, liveCells())
			return "converge LRPs"
		case 20:
			_, _ = x.DesireTask(ctx, taskDef(), pick(indexTasks), "domain")
			return "desire task"
		case 21, 23:
			g := pick(indexTasks)
			switch r.Intn(7) {
			case 0:
				_, _, _, _ = x.StartTask(ctx, g, pick(indexCells))
			case 1:
				_, _, _, _ = x.CancelTask(ctx, g)
			case 2:
				_, _, _ = x.FailTask(ctx, g, "failed")
			case 3:
				_, _, _ = x.RejectTask(ctx, g, "rejected", 2)
			case 4:
				_, _, _ = x.CompleteTask(ctx, g, pick(indexCells), r.Intn(2) == 0, "", "result")
			case 5:
				_, _, _ = x.ResolvingTask(ctx, g)
			case 6:
				_, _ = x.DeleteTask(ctx, g)
			}
			return "task transition"
		case 22:
			h.clock.Advance(time.Duration(r.Intn(3)) * time.Hour)
			_, _ = x.ConvergeTasks(ctx, liveCells(), 30*time.Second, 30*time.Minute, 2*time.Minute)
			return "converge tasks"
		}
		panic("unreachable")
	}
}

func actualLess(a, b *models.ActualLRP) bool { return slotOf(a).less(slotOf(b)) }

func compareIndex(t *testing.T, h *harness, x *Indexed, when string) {
	t.Helper()
	ctx := h.ctx
	if !x.loaded {
		t.Fatalf("%s: the index switched itself off", when)
	}
	filters := []ActualLRPFilter{{}, {Domain: "domain"}, {Domain: "other"}}
	for _, c := range append(indexCells, "") {
		filters = append(filters, ActualLRPFilter{CellID: c})
	}
	for _, pg := range indexPGs {
		filters = append(filters, ActualLRPFilter{ProcessGUID: pg})
		for i := int32(0); i < 3; i++ {
			i := i
			filters = append(filters, ActualLRPFilter{ProcessGUID: pg, Index: &i})
		}
	}
	for _, f := range filters {
		want, err := h.SQLDB.ActualLRPs(ctx, f)
		must(t, err)
		sort.Slice(want, func(i, j int) bool { return actualLess(want[i], want[j]) })
		got, err := x.ActualLRPs(ctx, f)
		must(t, err)
		sameMessages(t, fmt.Sprintf("%s: actual LRPs %+v", when, f), got, want)
		raw, ok := x.EncodedActualLRPs(nil, 2, f)
		if !ok {
			t.Fatalf("%s: encoded read not served", when)
		}
		resp := &models.ActualLRPsResponse{}
		must(t, proto.Unmarshal(raw, resp))
		sameMessages(t, when+": encoded actual LRPs", resp.ActualLrps, want)
	}

	dfilters := []DesiredLRPFilter{{}, {Domain: "domain"}, {Domain: "other"}, {ProcessGUIDs: []string{"pg-b", "pg-a", "nope"}}}
	for _, f := range dfilters {
		want, err := h.SQLDB.DesiredLRPs(ctx, f)
		must(t, err)
		sort.Slice(want, func(i, j int) bool { return want[i].ProcessGuid < want[j].ProcessGuid })
		got, err := x.DesiredLRPs(ctx, f)
		must(t, err)
		sameMessages(t, when+": desired LRPs", got, want)

		wantS, err := h.SQLDB.DesiredLRPSchedulingInfos(ctx, f)
		must(t, err)
		sort.Slice(wantS, func(i, j int) bool {
			return wantS[i].DesiredLrpKey.ProcessGuid < wantS[j].DesiredLrpKey.ProcessGuid
		})
		gotS, err := x.DesiredLRPSchedulingInfos(ctx, f)
		must(t, err)
		sameMessages(t, when+": scheduling infos", gotS, wantS)
		raw, _ := x.EncodedSchedulingInfos(nil, 2, f)
		sresp := &models.DesiredLRPSchedulingInfosResponse{}
		must(t, proto.Unmarshal(raw, sresp))
		sameMessages(t, when+": encoded scheduling infos", sresp.DesiredLrpSchedulingInfos, wantS)

		wantR, err := h.SQLDB.DesiredLRPRoutingInfos(ctx, f)
		must(t, err)
		sort.Slice(wantR, func(i, j int) bool { return wantR[i].ProcessGuid < wantR[j].ProcessGuid })
		gotR, err := x.DesiredLRPRoutingInfos(ctx, f)
		must(t, err)
		sameMessages(t, when+": routing infos", gotR, wantR)
		raw, _ = x.EncodedRoutingInfos(protowire.AppendVarint(nil, 0)[:0], 2, f)
		rresp := &models.DesiredLRPsResponse{}
		must(t, proto.Unmarshal(raw, rresp))
		sameMessages(t, when+": encoded routing infos", rresp.DesiredLrps, wantR)
	}
	for _, pg := range indexPGs {
		want, werr := h.SQLDB.DesiredLRPByProcessGuid(ctx, pg)
		got, gerr := x.DesiredLRPByProcessGuid(ctx, pg)
		if (werr == nil) != (gerr == nil) || !proto.Equal(got, want) {
			t.Fatalf("%s: desired %s: index %v %v, store %v %v", when, pg, got, gerr, want, werr)
		}
	}

	for _, f := range []TaskFilter{{}, {Domain: "domain"}, {CellID: "cell-1"}, {CellID: "cell-2"}} {
		want, err := h.SQLDB.Tasks(ctx, f)
		must(t, err)
		sort.Slice(want, func(i, j int) bool { return want[i].TaskGuid < want[j].TaskGuid })
		got, err := x.Tasks(ctx, f)
		must(t, err)
		sameMessages(t, when+": tasks", got, want)
	}
	for _, g := range indexTasks {
		want, werr := h.SQLDB.TaskByGuid(ctx, g)
		got, gerr := x.TaskByGuid(ctx, g)
		if (werr == nil) != (gerr == nil) || !proto.Equal(got, want) {
			t.Fatalf("%s: task %s: index %v %v, store %v %v", when, g, got, gerr, want, werr)
		}
	}
}

func sameMessages[M proto.Message](t *testing.T, what string, got, want []M) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: index has %d, store %d\nindex: %v\nstore: %v", what, len(got), len(want), got, want)
	}
	for i := range got {
		if !proto.Equal(got[i], want[i]) {
			t.Fatalf("%s: #%d differs\nindex: %v\nstore: %v", what, i, got[i], want[i])
		}
	}
}

// compareConvergenceRows checks that the row facts the index hands a
// convergence pass are those the store's own snapshot reads.
func compareConvergenceRows(t *testing.T, h *harness, x *Indexed, when string) {
	t.Helper()
	snap, err := h.SQLDB.gatherLRPSnapshot(h.ctx)
	must(t, err)
	x.mu.RLock()
	desired, _, rows := x.convergenceRows()
	x.mu.RUnlock()

	// A cache primed from decoded records yields the blob facts a cold
	// cache reads from the database.
	primed := New(h.SQLDB.db, h.SQLDB.enc, h.clock, &seqGUIDs{})
	all, err := h.SQLDB.ActualLRPs(h.ctx, ActualLRPFilter{})
	must(t, err)
	allDesired, err := h.SQLDB.DesiredLRPs(h.ctx, DesiredLRPFilter{})
	must(t, err)
	primed.primeConvergenceCache(allDesired, all)
	cold, err := New(h.SQLDB.db, h.SQLDB.enc, h.clock, &seqGUIDs{}).gatherLRPSnapshot(h.ctx)
	must(t, err)
	warm, err := primed.gatherLRPSnapshot(h.ctx)
	must(t, err)
	sameBlobFacts(t, when, warm, cold)

	if len(desired) != len(snap.desired) {
		t.Fatalf("%s: %d desired facts from the index, %d from the store", when, len(desired), len(snap.desired))
	}
	for pg, d := range snap.desired {
		if got := desired[pg]; got == nil || got.domain != d.domain || got.instances != d.instances {
			t.Fatalf("%s: desired facts of %s: index %+v, store %+v", when, pg, got, d)
		}
	}
	want := snap.actuals
	sort.Slice(want, func(i, j int) bool {
		a, b := want[i], want[j]
		return lrpSlot{a.key.ProcessGuid, a.key.Index, a.presence}.less(lrpSlot{b.key.ProcessGuid, b.key.Index, b.presence})
	})
	if len(rows) != len(want) {
		t.Fatalf("%s: %d actual facts from the index, %d from the store", when, len(rows), len(want))
	}
	for i, r := range rows {
		g, w := r.facts, want[i]
		if !proto.Equal(g.key, w.key) || !proto.Equal(g.instanceKey, w.instanceKey) || g.presence != w.presence ||
			g.state != w.state || g.since != w.since || g.crashCount != w.crashCount {
			t.Fatalf("%s: actual facts #%d: index %+v, store %+v", when, i, g, w)
		}
	}
}

func sameBlobFacts(t *testing.T, when string, got, want *lrpSnapshot) {
	t.Helper()
	for pg, w := range want.desired {
		g := got.desired[pg]
		if g.routesOK != w.routesOK || g.tagsOK != w.tagsOK || !sameInternalRoutes(g.internalRoutes, w.internalRoutes) ||
			len(g.metricTags) != len(w.metricTags) {
			t.Fatalf("%s: primed desired blob facts of %s: %+v, cold %+v", when, pg, g, w)
		}
	}
	if len(got.actuals) != len(want.actuals) {
		t.Fatalf("%s: primed snapshot has %d rows, cold %d", when, len(got.actuals), len(want.actuals))
	}
	type k struct {
		pg       string
		index    int32
		presence models.ActualLRP_Presence
	}
	cold := map[k]*actualFacts{}
	for _, a := range want.actuals {
		cold[k{a.key.ProcessGuid, a.key.Index, a.presence}] = a
	}
	for _, g := range got.actuals {
		w := cold[k{g.key.ProcessGuid, g.key.Index, g.presence}]
		if w == nil || g.blobsOK != w.blobsOK || g.metricTagsSet != w.metricTagsSet ||
			!sameInternalRoutes(g.internalRoutes, w.internalRoutes) || !sameStringMaps(g.metricTags, w.metricTags) {
			t.Fatalf("%s: primed blob facts %+v, cold %+v", when, g, w)
		}
	}
}
