package bbsdb

import (
	"context"
	"time"

	"github.com/godiego/diego/proto/models"
)

// applyLRP applies committed row changes of (pg, index) to the index; after
// a failed mutation (err != nil) it re-reads the rows instead.
func (x *Indexed) applyLRP(ctx context.Context, pg string, index int32, err error, changes ...ActualLRPChange) {
	x.mu.RLock()
	loaded := x.loaded
	x.mu.RUnlock()
	if !loaded {
		return
	}
	if err != nil {
		x.resyncLRP(ctx, pg, index)
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.applyChangesLocked(changes)
}

func (x *Indexed) applyChangesLocked(changes []ActualLRPChange) {
	for _, c := range changes {
		if c.Before != nil {
			x.deleteActualLocked(slotOf(c.Before))
		}
		if c.After != nil {
			x.putActualLocked(c.After)
		}
	}
}

// resyncLRP replaces the index's rows of (pg, index) with the database's;
// when they cannot be read the index is switched off (reads go to the
// database) rather than left possibly stale.
func (x *Indexed) resyncLRP(ctx context.Context, pg string, index int32) {
	i := index
	rows, err := x.inner.ActualLRPs(ctx, ActualLRPFilter{ProcessGUID: pg, Index: &i})
	x.mu.Lock()
	defer x.mu.Unlock()
	if err != nil {
		x.loaded = false
		return
	}
	for _, p := range []models.ActualLRP_Presence{models.ActualLRP_ORDINARY, models.ActualLRP_EVACUATING, models.ActualLRP_SUSPECT} {
		x.deleteActualLocked(lrpSlot{pg: pg, index: index, presence: p})
	}
	for _, l := range rows {
		x.putActualLocked(l)
	}
}

// syncDesired replaces the index's desired LRP pg with the database's.
func (x *Indexed) syncDesired(ctx context.Context, pg string) {
	x.mu.RLock()
	loaded := x.loaded
	x.mu.RUnlock()
	if !loaded {
		return
	}
	d, err := x.inner.DesiredLRPByProcessGuid(ctx, pg)
	x.mu.Lock()
	defer x.mu.Unlock()
	switch {
	case err == nil:
		x.putDesiredLocked(d)
	case isNotFoundErr(err):
		x.deleteDesiredLocked(pg)
	default:
		x.loaded = false
	}
}

// applyTask applies a committed task change; after a failed mutation it
// re-reads the task instead.
func (x *Indexed) applyTask(ctx context.Context, guid string, err error, before, after *models.Task) {
	x.mu.RLock()
	loaded := x.loaded
	x.mu.RUnlock()
	if !loaded {
		return
	}
	if err != nil {
		t, rerr := x.inner.TaskByGuid(ctx, guid)
		x.mu.Lock()
		defer x.mu.Unlock()
		switch {
		case rerr == nil:
			x.putTaskLocked(t)
		case isNotFoundErr(rerr):
			delete(x.tasks, guid)
		default:
			x.loaded = false
		}
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.applyTaskLocked(before, after)
}

func (x *Indexed) applyTaskLocked(before, after *models.Task) {
	if before != nil {
		delete(x.tasks, before.GetTaskGuid())
	}
	if after != nil {
		x.putTaskLocked(after)
	}
}

func isNotFoundErr(err error) bool {
	me, ok := err.(*models.Error)
	return ok && me.Type == models.Error_ResourceNotFound
}

// DesireLRP stores a desired LRP and indexes it as stored.
func (x *Indexed) DesireLRP(ctx context.Context, lrp *models.DesiredLRP) error {
	defer x.locks.lock(lrp.GetProcessGuid())()
	if s, ok := x.inner.(interface {
		DesireLRPStored(context.Context, *models.DesiredLRP) (*models.DesiredLRP, error)
	}); ok {
		stored, err := s.DesireLRPStored(ctx, lrp)
		if err != nil || stored == nil {
			x.syncDesired(ctx, lrp.GetProcessGuid())
			return err
		}
		x.mu.Lock()
		if x.loaded {
			x.putDesiredLocked(stored)
		}
		x.mu.Unlock()
		return nil
	}
	err := x.inner.DesireLRP(ctx, lrp)
	x.syncDesired(ctx, lrp.GetProcessGuid())
	return err
}

// UpdateDesiredLRP updates a desired LRP.
func (x *Indexed) UpdateDesiredLRP(ctx context.Context, pg string, update *models.DesiredLRPUpdate) (before, after *models.DesiredLRP, err error) {
	defer x.locks.lock(pg)()
	before, after, err = x.inner.UpdateDesiredLRP(ctx, pg, update)
	if err != nil || after == nil {
		x.syncDesired(ctx, pg)
		return before, after, err
	}
	x.mu.Lock()
	if x.loaded {
		x.putDesiredLocked(after)
	}
	x.mu.Unlock()
	return before, after, err
}

// RemoveDesiredLRP removes a desired LRP.
func (x *Indexed) RemoveDesiredLRP(ctx context.Context, pg string) (*models.DesiredLRP, error) {
	defer x.locks.lock(pg)()
	removed, err := x.inner.RemoveDesiredLRP(ctx, pg)
	if err != nil {
		x.syncDesired(ctx, pg)
		return removed, err
	}
	x.mu.Lock()
	if x.loaded {
		x.deleteDesiredLocked(pg)
	}
	x.mu.Unlock()
	return removed, nil
}

// CreateUnclaimedActualLRP inserts an UNCLAIMED row.
func (x *Indexed) CreateUnclaimedActualLRP(ctx context.Context, key *models.ActualLRPKey) (*models.ActualLRP, error) {
	defer x.locks.lock(key.GetProcessGuid())()
	after, err := x.inner.CreateUnclaimedActualLRP(ctx, key)
	x.applyLRP(ctx, key.GetProcessGuid(), key.GetIndex(), err, ActualLRPChange{After: after})
	return after, err
}

// UnclaimActualLRP puts a row back to UNCLAIMED.
func (x *Indexed) UnclaimActualLRP(ctx context.Context, key *models.ActualLRPKey) (before, after *models.ActualLRP, err error) {
	defer x.locks.lock(key.GetProcessGuid())()
	before, after, err = x.inner.UnclaimActualLRP(ctx, key)
	x.applyLRP(ctx, key.GetProcessGuid(), key.GetIndex(), err, ActualLRPChange{Before: before, After: after})
	return before, after, err
}

// ClaimActualLRP claims a row for a cell.
func (x *Indexed) ClaimActualLRP(ctx context.Context, pg string, index int32, ik *models.ActualLRPInstanceKey) (before, after *models.ActualLRP, err error) {
	defer x.locks.lock(pg)()
	before, after, err = x.inner.ClaimActualLRP(ctx, pg, index, ik)
	x.applyLRP(ctx, pg, index, err, ActualLRPChange{Before: before, After: after})
	return before, after, err
}

// StartActualLRP records a running instance.
func (x *Indexed) StartActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey, net *models.ActualLRPNetInfo,
	routes []*models.ActualLRPInternalRoute, tags map[string]string, routable bool, zone string) (before, after *models.ActualLRP, err error) {
	defer x.locks.lock(key.GetProcessGuid())()
	before, after, err = x.inner.StartActualLRP(ctx, key, ik, net, routes, tags, routable, zone)
	x.applyLRP(ctx, key.GetProcessGuid(), key.GetIndex(), err, ActualLRPChange{Before: before, After: after})
	return before, after, err
}

// CrashActualLRP records a crash.
func (x *Indexed) CrashActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey, reason string) (before, after *models.ActualLRP, restart bool, err error) {
	defer x.locks.lock(key.GetProcessGuid())()
	before, after, restart, err = x.inner.CrashActualLRP(ctx, key, ik, reason)
	x.applyLRP(ctx, key.GetProcessGuid(), key.GetIndex(), err, ActualLRPChange{Before: before, After: after})
	return before, after, restart, err
}

// FailActualLRP records a placement failure.
func (x *Indexed) FailActualLRP(ctx context.Context, key *models.ActualLRPKey, reason string) (before, after *models.ActualLRP, err error) {
	defer x.locks.lock(key.GetProcessGuid())()
	before, after, err = x.inner.FailActualLRP(ctx, key, reason)
	x.applyLRP(ctx, key.GetProcessGuid(), key.GetIndex(), err, ActualLRPChange{Before: before, After: after})
	return before, after, err
}

// RemoveActualLRP deletes an ordinary row.
func (x *Indexed) RemoveActualLRP(ctx context.Context, pg string, index int32, ik *models.ActualLRPInstanceKey) (*models.ActualLRP, error) {
	defer x.locks.lock(pg)()
	removed, err := x.inner.RemoveActualLRP(ctx, pg, index, ik)
	x.applyLRP(ctx, pg, index, err, ActualLRPChange{Before: removed})
	return removed, err
}

// ChangeActualLRPPresence moves a row to another presence.
func (x *Indexed) ChangeActualLRPPresence(ctx context.Context, key *models.ActualLRPKey, from, to models.ActualLRP_Presence) (before, after *models.ActualLRP, err error) {
	defer x.locks.lock(key.GetProcessGuid())()
	before, after, err = x.inner.ChangeActualLRPPresence(ctx, key, from, to)
	x.applyLRP(ctx, key.GetProcessGuid(), key.GetIndex(), err, ActualLRPChange{Before: before, After: after})
	return before, after, err
}

// RemoveEvacuatingActualLRP deletes an EVACUATING row.
func (x *Indexed) RemoveEvacuatingActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey) (*models.ActualLRP, error) {
	defer x.locks.lock(key.GetProcessGuid())()
	removed, err := x.inner.RemoveEvacuatingActualLRP(ctx, key, ik)
	x.applyLRP(ctx, key.GetProcessGuid(), key.GetIndex(), err, ActualLRPChange{Before: removed})
	return removed, err
}

// EvacuateActualLRP creates or refreshes an EVACUATING row.
func (x *Indexed) EvacuateActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey, net *models.ActualLRPNetInfo,
	routes []*models.ActualLRPInternalRoute, tags map[string]string, routable bool, zone string) (*models.ActualLRP, error) {
	defer x.locks.lock(key.GetProcessGuid())()
	after, err := x.inner.EvacuateActualLRP(ctx, key, ik, net, routes, tags, routable, zone)
	x.applyLRP(ctx, key.GetProcessGuid(), key.GetIndex(), err, ActualLRPChange{After: after})
	return after, err
}

// RemoveSuspectActualLRP deletes a SUSPECT row.
func (x *Indexed) RemoveSuspectActualLRP(ctx context.Context, key *models.ActualLRPKey) (*models.ActualLRP, error) {
	defer x.locks.lock(key.GetProcessGuid())()
	removed, err := x.inner.RemoveSuspectActualLRP(ctx, key)
	x.applyLRP(ctx, key.GetProcessGuid(), key.GetIndex(), err, ActualLRPChange{Before: removed})
	return removed, err
}

// PromoteSuspectActualLRP turns a suspect row back into the ordinary one.
func (x *Indexed) PromoteSuspectActualLRP(ctx context.Context, pg string, index int32) (removed, beforeSuspect, afterOrdinary *models.ActualLRP, err error) {
	defer x.locks.lock(pg)()
	removed, beforeSuspect, afterOrdinary, err = x.inner.PromoteSuspectActualLRP(ctx, pg, index)
	x.applyLRP(ctx, pg, index, err, ActualLRPChange{Before: removed}, ActualLRPChange{Before: beforeSuspect, After: afterOrdinary})
	return removed, beforeSuspect, afterOrdinary, err
}

// DesireTask stores a new task.
func (x *Indexed) DesireTask(ctx context.Context, def *models.TaskDefinition, guid, domain string) (*models.Task, error) {
	defer x.locks.lock("task:" + guid)()
	t, err := x.inner.DesireTask(ctx, def, guid, domain)
	x.applyTask(ctx, guid, err, nil, t)
	return t, err
}

// StartTask starts a task on a cell.
func (x *Indexed) StartTask(ctx context.Context, guid, cellID string) (before, after *models.Task, shouldStart bool, err error) {
	defer x.locks.lock("task:" + guid)()
	before, after, shouldStart, err = x.inner.StartTask(ctx, guid, cellID)
	x.applyTask(ctx, guid, err, before, after)
	return before, after, shouldStart, err
}

// CancelTask cancels a task.
func (x *Indexed) CancelTask(ctx context.Context, guid string) (before, after *models.Task, cellID string, err error) {
	defer x.locks.lock("task:" + guid)()
	before, after, cellID, err = x.inner.CancelTask(ctx, guid)
	x.applyTask(ctx, guid, err, before, after)
	return before, after, cellID, err
}

// FailTask fails a task.
func (x *Indexed) FailTask(ctx context.Context, guid, reason string) (before, after *models.Task, err error) {
	defer x.locks.lock("task:" + guid)()
	before, after, err = x.inner.FailTask(ctx, guid, reason)
	x.applyTask(ctx, guid, err, before, after)
	return before, after, err
}

// RejectTask rejects a task.
func (x *Indexed) RejectTask(ctx context.Context, guid, reason string, maxRetries int) (before, after *models.Task, err error) {
	defer x.locks.lock("task:" + guid)()
	before, after, err = x.inner.RejectTask(ctx, guid, reason, maxRetries)
	x.applyTask(ctx, guid, err, before, after)
	return before, after, err
}

// CompleteTask completes a task.
func (x *Indexed) CompleteTask(ctx context.Context, guid, cellID string, failed bool, reason, result string) (before, after *models.Task, err error) {
	defer x.locks.lock("task:" + guid)()
	before, after, err = x.inner.CompleteTask(ctx, guid, cellID, failed, reason, result)
	x.applyTask(ctx, guid, err, before, after)
	return before, after, err
}

// ResolvingTask marks a task as resolving.
func (x *Indexed) ResolvingTask(ctx context.Context, guid string) (before, after *models.Task, err error) {
	defer x.locks.lock("task:" + guid)()
	before, after, err = x.inner.ResolvingTask(ctx, guid)
	x.applyTask(ctx, guid, err, before, after)
	return before, after, err
}

// DeleteTask deletes a task.
func (x *Indexed) DeleteTask(ctx context.Context, guid string) (*models.Task, error) {
	defer x.locks.lock("task:" + guid)()
	removed, err := x.inner.DeleteTask(ctx, guid)
	x.applyTask(ctx, guid, err, removed, nil)
	return removed, err
}

// ConvergeLRPs runs the LRP convergence pass with every mutation excluded
// and applies its changes; a failed pass reloads the index.
func (x *Indexed) ConvergeLRPs(ctx context.Context, cells CellSet) (LRPConvergenceResult, error) {
	defer x.locks.lockAll()()
	var res LRPConvergenceResult
	var err error
	x.mu.RLock()
	sqlStore, direct := x.inner.(*SQLDB)
	if direct && x.loaded {
		desired, tags, rows := x.convergenceRows()
		x.mu.RUnlock()
		res, err = sqlStore.convergeLRPsWithRows(ctx, cells, desired, tags, rows)
	} else {
		x.mu.RUnlock()
		res, err = x.inner.ConvergeLRPs(ctx, cells)
	}
	x.afterPass(ctx, err, func() {
		x.applyChangesLocked(res.Changes)
		for _, d := range res.DesiredChanges {
			if d.After != nil {
				x.putDesiredLocked(d.After)
			} else if d.Before != nil {
				x.deleteDesiredLocked(d.Before.GetProcessGuid())
			}
		}
	})
	return res, err
}

// ConvergeTasks runs the task convergence pass like ConvergeLRPs.
func (x *Indexed) ConvergeTasks(ctx context.Context, cells CellSet, kick, expirePending, expireCompleted time.Duration) (TaskConvergenceResult, error) {
	defer x.locks.lockAll()()
	res, err := x.inner.ConvergeTasks(ctx, cells, kick, expirePending, expireCompleted)
	x.afterPass(ctx, err, func() {
		for _, c := range res.Changes {
			x.applyTaskLocked(c.Before, c.After)
		}
	})
	return res, err
}

// afterPass applies a pass's changes, or reloads after a failure; the
// caller holds every key lock.
func (x *Indexed) afterPass(ctx context.Context, err error, apply func()) {
	x.mu.Lock()
	loaded := x.loaded
	if loaded && err == nil {
		apply()
	}
	x.mu.Unlock()
	if loaded && err != nil {
		x.reloadLocked(ctx)
	}
}

// PerformEncryption re-encrypts every record, then reloads the index (the
// store drops records it cannot read).
func (x *Indexed) PerformEncryption(ctx context.Context) error {
	defer x.locks.lockAll()()
	err := x.inner.PerformEncryption(ctx)
	x.mu.RLock()
	loaded := x.loaded
	x.mu.RUnlock()
	if loaded {
		x.reloadLocked(ctx)
	}
	return err
}

// FreshDomains passes through.
func (x *Indexed) FreshDomains(ctx context.Context) ([]string, error) {
	return x.inner.FreshDomains(ctx)
}

// UpsertDomain passes through.
func (x *Indexed) UpsertDomain(ctx context.Context, domain string, ttl uint32) error {
	return x.inner.UpsertDomain(ctx, domain, ttl)
}

// EncryptionKeyLabel passes through.
func (x *Indexed) EncryptionKeyLabel(ctx context.Context) (string, error) {
	return x.inner.EncryptionKeyLabel(ctx)
}

// SetEncryptionKeyLabel passes through.
func (x *Indexed) SetEncryptionKeyLabel(ctx context.Context, label string) error {
	return x.inner.SetEncryptionKeyLabel(ctx, label)
}

// CountActualLRPsByState passes through.
func (x *Indexed) CountActualLRPsByState(ctx context.Context) (claimed, unclaimed, running, crashed, crashingDesired int, err error) {
	return x.inner.CountActualLRPsByState(ctx)
}

// CountDesiredInstances passes through.
func (x *Indexed) CountDesiredInstances(ctx context.Context) (int, error) {
	return x.inner.CountDesiredInstances(ctx)
}
