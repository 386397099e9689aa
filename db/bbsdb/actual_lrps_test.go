package bbsdb

import (
	"testing"
	"time"

	"github.com/godiego/diego/proto/models"
)

func TestActualLRPClaimStartCrash(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		created, err := h.CreateUnclaimedActualLRP(h.ctx, key("pg", 0))
		must(t, err)
		if created.GetState() != models.ActualLRPStateUnclaimed || created.GetModificationTag().GetEpoch() != "epoch-1" {
			t.Fatalf("created %v", created)
		}
		_, err = h.CreateUnclaimedActualLRP(h.ctx, key("pg", 0))
		wantErr(t, err, models.ErrResourceExists)

		_, _, err = h.UnclaimActualLRP(h.ctx, key("pg", 0))
		wantErr(t, err, models.ErrActualLRPCannotBeUnclaimed)

		before, after, err := h.ClaimActualLRP(h.ctx, "pg", 0, ikey("ig-1", "cell-1"))
		must(t, err)
		if before.GetState() != models.ActualLRPStateUnclaimed || after.GetState() != models.ActualLRPStateClaimed ||
			after.GetModificationTag().GetIndex() != 1 || after.GetActualLrpInstanceKey().GetCellId() != "cell-1" {
			t.Fatalf("claim %v -> %v", before, after)
		}
		// Claiming again with the same key changes nothing; another key is refused.
		_, again, err := h.ClaimActualLRP(h.ctx, "pg", 0, ikey("ig-1", "cell-1"))
		must(t, err)
		if again.GetModificationTag().GetIndex() != 1 {
			t.Fatalf("re-claim bumped the tag: %v", again)
		}
		_, _, err = h.ClaimActualLRP(h.ctx, "pg", 0, ikey("ig-2", "cell-2"))
		wantErr(t, err, models.ErrActualLRPCannotBeClaimed)
		_, _, err = h.ClaimActualLRP(h.ctx, "nope", 0, ikey("ig-1", "cell-1"))
		wantErr(t, err, models.ErrResourceNotFound)

		h.clock.Advance(time.Second)
		routes := []*models.ActualLRPInternalRoute{{Hostname: "a.apps.internal"}}
		tags := map[string]string{"app": "x"}
		_, running, err := h.StartActualLRP(h.ctx, key("pg", 0), ikey("ig-1", "cell-1"), netInfo("10.0.0.1"), routes, tags, true, "z1")
		must(t, err)
		if running.GetState() != models.ActualLRPStateRunning || running.GetSince() != h.clock.Now().UnixNano() || !running.GetRoutable() {
			t.Fatalf("start %v", running)
		}
		_, _, err = h.StartActualLRP(h.ctx, key("pg", 0), ikey("ig-2", "cell-2"), netInfo("10.0.0.2"), nil, nil, true, "")
		wantErr(t, err, models.ErrActualLRPCannotBeStarted)
		// An identical start is a no-op.
		_, same, err := h.StartActualLRP(h.ctx, key("pg", 0), ikey("ig-1", "cell-1"), netInfo("10.0.0.1"), routes, tags, true, "z1")
		must(t, err)
		if same.GetModificationTag().GetIndex() != running.GetModificationTag().GetIndex() {
			t.Fatalf("identical start changed the row")
		}

		lrps, err := h.ActualLRPs(h.ctx, ActualLRPFilter{CellID: "cell-1"})
		must(t, err)
		if len(lrps) != 1 || lrps[0].GetActualLrpNetInfo().GetAddress() != "10.0.0.1" ||
			lrps[0].GetActualLrpInternalRoutes()[0].GetHostname() != "a.apps.internal" || lrps[0].GetMetricTags()["app"] != "x" ||
			lrps[0].GetAvailabilityZone() != "z1" || lrps[0].GetActualLrpNetInfo().GetPreferredAddress() != models.ActualLRPNetInfo_HOST {
			t.Fatalf("read back %v", lrps)
		}

		// Crash 1 and 2 restart immediately, crash 3 stays CRASHED.
		_, _, _, err = h.CrashActualLRP(h.ctx, key("pg", 0), ikey("ig-2", "cell-1"), "boom")
		wantErr(t, err, models.ErrActualLRPCannotBeCrashed)
		_, crashed, restart, err := h.CrashActualLRP(h.ctx, key("pg", 0), ikey("ig-1", "cell-1"), "boom")
		must(t, err)
		if !restart || crashed.GetState() != models.ActualLRPStateUnclaimed || crashed.GetCrashCount() != 1 ||
			crashed.GetCrashReason() != "boom" || !crashed.GetActualLrpInstanceKey().IsEmpty() {
			t.Fatalf("crash 1 %v restart %v", crashed, restart)
		}
		for i := int32(2); i <= 3; i++ {
			_, _, err = h.ClaimActualLRP(h.ctx, "pg", 0, ikey("ig-1", "cell-1"))
			must(t, err)
			_, crashed, restart, err = h.CrashActualLRP(h.ctx, key("pg", 0), ikey("ig-1", "cell-1"), "boom")
			must(t, err)
			if crashed.GetCrashCount() != i || restart != (i < 3) {
				t.Fatalf("crash %d: %v restart %v", i, crashed, restart)
			}
		}
		if crashed.GetState() != models.ActualLRPStateCrashed {
			t.Fatalf("third crash %v", crashed)
		}
		_, _, err = h.FailActualLRP(h.ctx, key("pg", 0), "nope")
		wantErr(t, err, models.ErrActualLRPCannotBeFailed)

		// A crash after running more than 5 minutes resets the count to 1.
		_, _, err = h.StartActualLRP(h.ctx, key("pg", 0), ikey("ig-1", "cell-1"), netInfo("10.0.0.1"), nil, nil, true, "")
		wantErr(t, err, models.ErrActualLRPCannotBeStarted)
		_, _, err = h.UnclaimActualLRP(h.ctx, key("pg", 0))
		must(t, err)
		_, _, err = h.StartActualLRP(h.ctx, key("pg", 0), ikey("ig-1", "cell-1"), netInfo("10.0.0.1"), nil, nil, true, "")
		must(t, err)
		h.clock.Advance(5*time.Minute + time.Second)
		_, crashed, restart, err = h.CrashActualLRP(h.ctx, key("pg", 0), ikey("ig-1", "cell-1"), "late")
		must(t, err)
		if crashed.GetCrashCount() != 1 || !restart {
			t.Fatalf("crash after a long run %v", crashed)
		}

		long := make([]byte, 2000)
		for i := range long {
			long[i] = 'x'
		}
		_, failed, err := h.FailActualLRP(h.ctx, key("pg", 0), string(long))
		must(t, err)
		if len(failed.GetPlacementError()) != 1024 {
			t.Fatalf("placement error length %d", len(failed.GetPlacementError()))
		}
		_, claimed, err := h.ClaimActualLRP(h.ctx, "pg", 0, ikey("ig-1", "cell-1"))
		must(t, err)
		if claimed.GetPlacementError() != "" {
			t.Fatalf("claim kept placement error")
		}
		_, unclaimed, err := h.UnclaimActualLRP(h.ctx, key("pg", 0))
		must(t, err)
		if unclaimed.GetState() != models.ActualLRPStateUnclaimed || !unclaimed.GetActualLrpInstanceKey().IsEmpty() {
			t.Fatalf("unclaim %v", unclaimed)
		}
	})
}

func TestStartCreatesMissingRowAndRemove(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		before, after, err := h.StartActualLRP(h.ctx, key("pg", 3), ikey("ig", "cell"), netInfo("1.2.3.4"), nil, nil, false, "")
		must(t, err)
		if before != nil || after.GetState() != models.ActualLRPStateRunning || after.GetRoutable() {
			t.Fatalf("start-create %v %v", before, after)
		}
		_, err = h.RemoveActualLRP(h.ctx, "pg", 3, ikey("other", "cell"))
		wantErr(t, err, models.ErrResourceNotFound)
		removed, err := h.RemoveActualLRP(h.ctx, "pg", 3, ikey("ig", "cell"))
		must(t, err)
		if removed.GetActualLrpInstanceKey().GetInstanceGuid() != "ig" {
			t.Fatalf("removed %v", removed)
		}
		_, err = h.RemoveActualLRP(h.ctx, "pg", 3, nil)
		wantErr(t, err, models.ErrResourceNotFound)
	})
}

func TestEvacuationAndSuspects(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		_, _, err := h.StartActualLRP(h.ctx, key("pg", 0), ikey("ig", "cell-1"), netInfo("1.1.1.1"), nil, nil, true, "")
		must(t, err)
		evac, err := h.EvacuateActualLRP(h.ctx, key("pg", 0), ikey("ig", "cell-1"), netInfo("1.1.1.1"), nil, nil, true, "")
		must(t, err)
		if evac.GetPresence() != models.ActualLRP_EVACUATING || evac.GetState() != models.ActualLRPStateRunning {
			t.Fatalf("evacuating %v", evac)
		}
		_, err = h.EvacuateActualLRP(h.ctx, key("pg", 0), ikey("ig", "cell-1"), netInfo("1.1.1.1"), nil, nil, true, "")
		wantErr(t, err, models.ErrResourceExists)
		refreshed, err := h.EvacuateActualLRP(h.ctx, key("pg", 0), ikey("ig", "cell-1"), netInfo("2.2.2.2"), nil, nil, true, "")
		must(t, err)
		if refreshed.GetModificationTag().GetIndex() != 1 || refreshed.GetActualLrpNetInfo().GetAddress() != "2.2.2.2" {
			t.Fatalf("refreshed %v", refreshed)
		}
		all, err := h.ActualLRPs(h.ctx, ActualLRPFilter{ProcessGUID: "pg"})
		must(t, err)
		if len(all) != 2 {
			t.Fatalf("rows %d", len(all))
		}
		_, err = h.RemoveEvacuatingActualLRP(h.ctx, key("pg", 0), ikey("wrong", "cell-1"))
		wantErr(t, err, models.ErrActualLRPCannotBeRemoved)
		removed, err := h.RemoveEvacuatingActualLRP(h.ctx, key("pg", 0), ikey("ig", "cell-1"))
		must(t, err)
		if removed == nil {
			t.Fatal("nothing removed")
		}
		removed, err = h.RemoveEvacuatingActualLRP(h.ctx, key("pg", 0), ikey("ig", "cell-1"))
		must(t, err)
		if removed != nil {
			t.Fatal("removed twice")
		}

		// Suspect, replacement, promotion.
		before, after, err := h.ChangeActualLRPPresence(h.ctx, key("pg", 0), models.ActualLRP_ORDINARY, models.ActualLRP_SUSPECT)
		must(t, err)
		if before.GetPresence() != models.ActualLRP_ORDINARY || after.GetPresence() != models.ActualLRP_SUSPECT {
			t.Fatalf("presence %v -> %v", before, after)
		}
		_, err = h.CreateUnclaimedActualLRP(h.ctx, key("pg", 0))
		must(t, err)
		replaced, suspect, ordinary, err := h.PromoteSuspectActualLRP(h.ctx, "pg", 0)
		must(t, err)
		if replaced.GetState() != models.ActualLRPStateUnclaimed || suspect.GetPresence() != models.ActualLRP_SUSPECT ||
			ordinary.GetPresence() != models.ActualLRP_ORDINARY || ordinary.GetActualLrpInstanceKey().GetInstanceGuid() != "ig" {
			t.Fatalf("promote %v %v %v", replaced, suspect, ordinary)
		}
		_, _, _, err = h.PromoteSuspectActualLRP(h.ctx, "pg", 0)
		wantErr(t, err, models.ErrResourceNotFound)
		_, _, err = h.ChangeActualLRPPresence(h.ctx, key("pg", 0), models.ActualLRP_ORDINARY, models.ActualLRP_SUSPECT)
		must(t, err)
		gone, err := h.RemoveSuspectActualLRP(h.ctx, key("pg", 0))
		must(t, err)
		if gone == nil {
			t.Fatal("suspect not removed")
		}
		gone, err = h.RemoveSuspectActualLRP(h.ctx, key("pg", 0))
		must(t, err)
		if gone != nil {
			t.Fatal("suspect removed twice")
		}
	})
}

func TestCountActualLRPsByState(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		for i := int32(0); i < 4; i++ {
			_, err := h.CreateUnclaimedActualLRP(h.ctx, key("a", i))
			must(t, err)
		}
		_, _, err := h.ClaimActualLRP(h.ctx, "a", 0, ikey("i0", "c"))
		must(t, err)
		_, _, err = h.StartActualLRP(h.ctx, key("a", 1), ikey("i1", "c"), netInfo("x"), nil, nil, true, "")
		must(t, err)
		for n := 0; n < 3; n++ {
			_, _, err = h.ClaimActualLRP(h.ctx, "a", 2, ikey("i2", "c"))
			must(t, err)
			_, _, _, err = h.CrashActualLRP(h.ctx, key("a", 2), ikey("i2", "c"), "x")
			must(t, err)
		}
		_, err = h.EvacuateActualLRP(h.ctx, key("a", 1), ikey("i1", "c"), netInfo("x"), nil, nil, true, "")
		must(t, err)
		claimed, unclaimed, running, crashed, crashing, err := h.CountActualLRPsByState(h.ctx)
		must(t, err)
		if claimed != 1 || unclaimed != 1 || running != 1 || crashed != 1 || crashing != 1 {
			t.Fatalf("counts %d %d %d %d %d", claimed, unclaimed, running, crashed, crashing)
		}
	})
}
