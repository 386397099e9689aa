package bbsdb

import (
	"context"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/proto/models"
)

// schedulingInfoBatch bounds the IN lists used to fetch scheduling infos.
const schedulingInfoBatch = 500

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

	var unstarted, missing, withMissingCells []*models.ActualLRPKey
	unstarted = append(unstarted, p.staleUnclaimed...) // nothing to change: UNCLAIMED already

	for _, key := range p.missingCellSuspect {
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
			continue
		}
		change(before, suspect)
		change(nil, replacement)
		withMissingCells = append(withMissingCells, key)
	}

	for _, key := range p.missingCellUnclaim {
		before, after, err := s.UnclaimActualLRP(ctx, key)
		if err != nil {
			continue
		}
		change(before, after)
		withMissingCells = append(withMissingCells, key)
	}

	for _, key := range p.missingIndices {
		lrp, err := s.CreateUnclaimedActualLRP(ctx, key)
		if err != nil {
			continue
		}
		change(nil, lrp)
		missing = append(missing, key)
	}

	for _, key := range p.suspectRemove {
		removed, err := s.RemoveSuspectActualLRP(ctx, key)
		if err != nil || removed == nil {
			continue
		}
		change(removed, nil)
		res.SuspectKeysToRetire = append(res.SuspectKeysToRetire, key)
	}

	for _, key := range p.suspectPromote {
		removed, before, after, err := s.PromoteSuspectActualLRP(ctx, key.GetProcessGuid(), key.GetIndex())
		if err != nil {
			continue
		}
		if removed != nil {
			change(removed, nil)
		}
		change(before, after)
		res.SuspectKeysWithExistingCells = append(res.SuspectKeysWithExistingCells, key)
	}

	for _, key := range p.crashedRestart {
		before, after, err := s.UnclaimActualLRP(ctx, key)
		if err != nil {
			continue
		}
		change(before, after)
		unstarted = append(unstarted, key)
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
