package bbsdb

import (
	"context"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/proto/models"
)

// schedulingInfoBatch bounds the IN lists used to fetch scheduling infos.
const schedulingInfoBatch = 500

// convergenceWorkers bounds the concurrent transactions of a convergence
// pass, as upstream's convergence_workers default.
const convergenceWorkers = 20

// ConvergeLRPs runs one LRP convergence pass: it reads a snapshot, decides
// with planLRPConvergence, and applies the row changes, each in its own
// transaction (a change that fails, say because the row moved on, is
// skipped and left to the next pass). Retiring is left to the caller.
func (s *SQLDB) ConvergeLRPs(ctx context.Context, cells CellSet) (LRPConvergenceResult, error) {
	now := s.clock.Now()
	snap, err := s.gatherLRPSnapshot(ctx)
	if err != nil {
		return LRPConvergenceResult{}, err
	}
	plan := planLRPConvergence(snap, cells, now)
	return s.applyLRPPlan(ctx, plan, cells)
}

func (s *SQLDB) applyLRPPlan(ctx context.Context, p *lrpPlan, cells CellSet) (LRPConvergenceResult, error) {
	res := LRPConvergenceResult{
		KeysToRetire:                 p.retire,
		SuspectRunningKeys:           p.suspectRunning,
		SuspectClaimedKeys:           p.suspectClaimed,
		KeysWithInternalRouteChanges: p.routeChanges,
		KeysWithMetricTagChanges:     p.tagChanges,
		MissingCellIDs:               p.missingCellIDs,
	}
	change := func(before, after *models.ActualLRP) {
		res.Changes = append(res.Changes, ActualLRPChange{Before: before, After: after})
	}

	if len(p.pruneDomains) > 0 {
		err := s.transact(ctx, func(tx *db.Tx) error {
			args := make([]any, len(p.pruneDomains))
			for i, d := range p.pruneDomains {
				args[i] = d
			}
			_, err := tx.Exec(ctx, "DELETE FROM domains WHERE domain IN ("+db.Placeholders(len(args))+")", args...)
			return err
		})
		if err != nil {
			return res, err
		}
	}

	for _, a := range p.pruneEvacuating {
		var removed *models.ActualLRP
		err := s.transact(ctx, func(tx *db.Tx) error {
			removed = nil
			lrp, err := s.fetchActualLRPForUpdate(ctx, tx, a.key.GetProcessGuid(), a.key.GetIndex(), models.ActualLRP_EVACUATING)
			if err != nil {
				return err
			}
			if len(cells) > 0 && cells[lrp.GetActualLrpInstanceKey().GetCellId()] != nil {
				return nil // the cell came back meanwhile
			}
			if _, err := tx.Exec(ctx, deleteActualLRPRow, a.key.GetProcessGuid(), a.key.GetIndex(), int32(models.ActualLRP_EVACUATING)); err != nil {
				return err
			}
			removed = lrp
			return nil
		})
		if err == nil && removed != nil {
			change(removed, nil)
		}
	}

	// Every remaining change touches one key and runs in its own
	// transaction, on up to convergenceWorkers goroutines (upstream's
	// convergence_workers). Outcomes are kept per slot and merged in plan
	// order, so the result does not depend on scheduling.
	type outcome struct {
		ok      bool
		changes []ActualLRPChange
	}
	type job struct {
		key *models.ActualLRPKey
		run func(key *models.ActualLRPKey) outcome
	}
	pair := func(before, after *models.ActualLRP) ActualLRPChange {
		return ActualLRPChange{Before: before, After: after}
	}
	makeSuspect := func(key *models.ActualLRPKey) outcome {
		var before, suspect, replacement *models.ActualLRP
		err := s.transact(ctx, func(tx *db.Tx) error {
			lrp, err := s.fetchActualLRPForUpdate(ctx, tx, key.GetProcessGuid(), key.GetIndex(), models.ActualLRP_ORDINARY)
			if err != nil {
				return err
			}
			if lrp.GetState() != models.ActualLRPStateClaimed && lrp.GetState() != models.ActualLRPStateRunning {
				return models.ErrResourceConflict
			}
			before = cloneActual(lrp)
			lrp.Presence = models.ActualLRP_SUSPECT
			if err := updateActualLRP(ctx, tx, key, models.ActualLRP_ORDINARY, (&setClause{}).add("presence", int32(models.ActualLRP_SUSPECT))); err != nil {
				return err
			}
			suspect = lrp
			replacement, err = s.newUnclaimed(lrp.GetActualLrpKey())
			if err != nil {
				return err
			}
			return s.insertActualLRP(ctx, tx, replacement)
		})
		if err != nil {
			return outcome{}
		}
		return outcome{true, []ActualLRPChange{pair(before, suspect), pair(nil, replacement)}}
	}
	unclaim := func(key *models.ActualLRPKey) outcome {
		before, after, err := s.UnclaimActualLRP(ctx, key)
		if err != nil {
			return outcome{}
		}
		return outcome{true, []ActualLRPChange{pair(before, after)}}
	}
	create := func(key *models.ActualLRPKey) outcome {
		lrp, err := s.CreateUnclaimedActualLRP(ctx, key)
		if err != nil {
			return outcome{}
		}
		return outcome{true, []ActualLRPChange{pair(nil, lrp)}}
	}
	removeSuspect := func(key *models.ActualLRPKey) outcome {
		removed, err := s.RemoveSuspectActualLRP(ctx, key)
		if err != nil || removed == nil {
			return outcome{}
		}
		return outcome{true, []ActualLRPChange{pair(removed, nil)}}
	}
	promote := func(key *models.ActualLRPKey) outcome {
		removed, before, after, err := s.PromoteSuspectActualLRP(ctx, key.GetProcessGuid(), key.GetIndex())
		if err != nil {
			return outcome{}
		}
		o := outcome{ok: true}
		if removed != nil {
			o.changes = append(o.changes, pair(removed, nil))
		}
		o.changes = append(o.changes, pair(before, after))
		return o
	}

	groups := []struct {
		keys []*models.ActualLRPKey
		run  func(*models.ActualLRPKey) outcome
	}{
		{p.missingCellSuspect, makeSuspect},
		{p.missingCellUnclaim, unclaim},
		{p.missingIndices, create},
		{p.suspectRemove, removeSuspect},
		{p.suspectPromote, promote},
		{p.crashedRestart, unclaim},
	}
	var jobs []job
	for _, g := range groups {
		for _, k := range g.keys {
			jobs = append(jobs, job{k, g.run})
		}
	}
	// Jobs of one instance run one after another in group order (which is
	// the order their changes are listed in), jobs of different instances
	// in parallel: the listed changes are then in commit order per
	// instance, as events and the read index need them.
	type slot struct {
		pg    string
		index int32
	}
	var perKey [][]int
	keyJobs := map[slot]int{}
	for i, j := range jobs {
		k := slot{j.key.GetProcessGuid(), j.key.GetIndex()}
		n, ok := keyJobs[k]
		if !ok {
			n = len(perKey)
			keyJobs[k] = n
			perKey = append(perKey, nil)
		}
		perKey[n] = append(perKey[n], i)
	}
	outcomes := make([]outcome, len(jobs))
	_ = parallel(len(perKey), convergenceWorkers, func(n int) error {
		for _, i := range perKey[n] {
			outcomes[i] = jobs[i].run(jobs[i].key)
		}
		return nil
	})

	var unstarted, missing, withMissingCells []*models.ActualLRPKey
	unstarted = append(unstarted, p.staleUnclaimed...) // nothing to change: UNCLAIMED already
	i := 0
	for gi, g := range groups {
		for _, k := range g.keys {
			o := outcomes[i]
			i++
			if !o.ok {
				continue
			}
			res.Changes = append(res.Changes, o.changes...)
			switch gi {
			case 0, 1:
				withMissingCells = append(withMissingCells, k)
			case 2:
				missing = append(missing, k)
			case 3:
				res.SuspectKeysToRetire = append(res.SuspectKeysToRetire, k)
			case 4:
				res.SuspectKeysWithExistingCells = append(res.SuspectKeysWithExistingCells, k)
			case 5:
				unstarted = append(unstarted, k)
			}
		}
	}

	infos, err := s.schedulingInfosFor(ctx, unstarted, missing, withMissingCells)
	if err != nil {
		return res, err
	}
	res.UnstartedLRPKeys = withInfos(unstarted, infos)
	res.MissingLRPKeys = withInfos(missing, infos)
	res.KeysWithMissingCells = withInfos(withMissingCells, infos)
	return res, nil
}

// schedulingInfosFor fetches the scheduling infos of the keys' process
// guids in batches.
func (s *SQLDB) schedulingInfosFor(ctx context.Context, lists ...[]*models.ActualLRPKey) (map[string]*models.DesiredLRPSchedulingInfo, error) {
	seen := map[string]bool{}
	var guids []string
	for _, l := range lists {
		for _, k := range l {
			if !seen[k.GetProcessGuid()] {
				seen[k.GetProcessGuid()] = true
				guids = append(guids, k.GetProcessGuid())
			}
		}
	}
	out := make(map[string]*models.DesiredLRPSchedulingInfo, len(guids))
	for lo := 0; lo < len(guids); lo += schedulingInfoBatch {
		hi := min(lo+schedulingInfoBatch, len(guids))
		infos, err := s.DesiredLRPSchedulingInfos(ctx, DesiredLRPFilter{ProcessGUIDs: guids[lo:hi]})
		if err != nil {
			return nil, err
		}
		for _, si := range infos {
			out[si.GetDesiredLrpKey().GetProcessGuid()] = si
		}
	}
	return out, nil
}

// withInfos pairs keys with their scheduling infos, dropping keys whose
// desired LRP vanished meanwhile.
func withInfos(keys []*models.ActualLRPKey, infos map[string]*models.DesiredLRPSchedulingInfo) []*LRPKeyWithSchedulingInfo {
	var out []*LRPKeyWithSchedulingInfo
	for _, k := range keys {
		if si := infos[k.GetProcessGuid()]; si != nil {
			out = append(out, &LRPKeyWithSchedulingInfo{Key: k, SchedulingInfo: si})
		}
	}
	return out
}
