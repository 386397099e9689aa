package bbsdb

import (
	"context"
	"database/sql"
	"strings"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/proto/models"
)

// maxErrorColumn is the width of crash_reason and placement_error.
const maxErrorColumn = 1024

// ActualLRPs returns every actual LRP row (all presences) matching filter.
func (s *SQLDB) ActualLRPs(ctx context.Context, filter ActualLRPFilter) ([]*models.ActualLRP, error) {
	var wheres []string
	var args []any
	if filter.Domain != "" {
		wheres, args = append(wheres, "domain = ?"), append(args, filter.Domain)
	}
	if filter.CellID != "" {
		wheres, args = append(wheres, "cell_id = ?"), append(args, filter.CellID)
	}
	if filter.ProcessGUID != "" {
		wheres, args = append(wheres, "process_guid = ?"), append(args, filter.ProcessGUID)
	}
	if filter.Index != nil {
		wheres, args = append(wheres, "instance_index = ?"), append(args, *filter.Index)
	}
	var out []*models.ActualLRP
	err := s.transact(ctx, func(tx *db.Tx) error {
		var err error
		out, err = s.queryActualLRPs(ctx, tx, strings.Join(wheres, " AND "), args...)
		return err
	})
	if out == nil {
		out = []*models.ActualLRP{}
	}
	return out, err
}

// execer runs a statement: a *db.Tx, or the *db.DB for a statement that
// is a transaction on its own (autocommit saves the BEGIN and COMMIT
// round trips).
type execer interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// insertActualLRP writes a new row for lrp.
func (s *SQLDB) insertActualLRP(ctx context.Context, tx execer, lrp *models.ActualLRP) error {
	net, err := s.encodeModel(orEmptyNetInfo(lrp.GetActualLrpNetInfo()))
	if err != nil {
		return err
	}
	routes, err := s.encodeInternalRoutes(lrp.GetActualLrpInternalRoutes())
	if err != nil {
		return err
	}
	tags, err := s.encodeMetricTags(lrp.GetMetricTags())
	if err != nil {
		return err
	}
	k, ik := lrp.GetActualLrpKey(), lrp.GetActualLrpInstanceKey()
	_, err = tx.Exec(ctx, `INSERT INTO actual_lrps (process_guid, instance_index, presence, domain, state,
	instance_guid, cell_id, placement_error, since, net_info, internal_routes, metric_tags, routable,
	availability_zone, modification_tag_epoch, modification_tag_index, crash_count, crash_reason)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		k.GetProcessGuid(), k.GetIndex(), int32(lrp.GetPresence()), k.GetDomain(), lrp.GetState(),
		ik.GetInstanceGuid(), ik.GetCellId(), truncate(lrp.GetPlacementError(), maxErrorColumn), lrp.GetSince(),
		net, routes, tags, lrp.GetRoutable(), lrp.GetAvailabilityZone(),
		lrp.GetModificationTag().GetEpoch(), int64(lrp.GetModificationTag().GetIndex()),
		lrp.GetCrashCount(), truncate(lrp.GetCrashReason(), maxErrorColumn))
	return err
}

func orEmptyNetInfo(n *models.ActualLRPNetInfo) *models.ActualLRPNetInfo {
	if n == nil {
		return &models.ActualLRPNetInfo{}
	}
	return n
}

// newUnclaimed is the row CreateUnclaimedActualLRP writes.
func (s *SQLDB) newUnclaimed(key *models.ActualLRPKey) (*models.ActualLRP, error) {
	guid, err := s.nextGUID()
	if err != nil {
		return nil, err
	}
	return &models.ActualLRP{
		ActualLrpKey:            protoClone(key),
		ActualLrpInstanceKey:    &models.ActualLRPInstanceKey{},
		ActualLrpNetInfo:        &models.ActualLRPNetInfo{},
		State:                   models.ActualLRPStateUnclaimed,
		Since:                   s.nowNano(),
		ModificationTag:         &models.ModificationTag{Epoch: guid},
		ActualLrpInternalRoutes: []*models.ActualLRPInternalRoute{},
		MetricTags:              map[string]string{},
		OptionalRoutable:        &models.ActualLRP_Routable{Routable: false},
	}, nil
}

// CreateUnclaimedActualLRP inserts an ordinary UNCLAIMED row; an existing
// row is ResourceExists.
func (s *SQLDB) CreateUnclaimedActualLRP(ctx context.Context, key *models.ActualLRPKey) (*models.ActualLRP, error) {
	lrp, err := s.newUnclaimed(key)
	if err != nil {
		return nil, err
	}
	if err := toModelError(s.insertActualLRP(ctx, s.db, lrp)); err != nil {
		return nil, err
	}
	return lrp, nil
}

// UnclaimActualLRP puts an ordinary row back to UNCLAIMED, clearing its
// instance key and net info.
func (s *SQLDB) UnclaimActualLRP(ctx context.Context, key *models.ActualLRPKey) (before, after *models.ActualLRP, err error) {
	err = s.transact(ctx, func(tx *db.Tx) error {
		before, after = nil, nil
		lrp, err := s.fetchActualLRPForUpdate(ctx, tx, key.GetProcessGuid(), key.GetIndex(), models.ActualLRP_ORDINARY)
		if err != nil {
			return err
		}
		before = cloneActual(lrp)
		if lrp.GetState() == models.ActualLRPStateUnclaimed {
			return models.ErrActualLRPCannotBeUnclaimed
		}
		after, err = s.unclaimRow(ctx, tx, lrp)
		return err
	})
	return before, after, err
}

// unclaimRow writes lrp as UNCLAIMED (inside tx) and returns the new row.
func (s *SQLDB) unclaimRow(ctx context.Context, tx *db.Tx, lrp *models.ActualLRP) (*models.ActualLRP, error) {
	after := cloneActual(lrp)
	bumpTag(after)
	after.State = models.ActualLRPStateUnclaimed
	after.ActualLrpInstanceKey = &models.ActualLRPInstanceKey{}
	after.ActualLrpNetInfo = &models.ActualLRPNetInfo{}
	after.Since = s.nowNano()
	net, err := s.encodeModel(after.ActualLrpNetInfo)
	if err != nil {
		return nil, err
	}
	set := (&setClause{}).add("state", after.State).add("cell_id", "").add("instance_guid", "").
		add("modification_tag_index", int64(after.ModificationTag.GetIndex())).add("since", after.Since).add("net_info", net)
	return after, updateActualLRP(ctx, tx, after.ActualLrpKey, after.Presence, set)
}

func bumpTag(a *models.ActualLRP) {
	if a.ModificationTag == nil {
		a.ModificationTag = &models.ModificationTag{}
	}
	a.ModificationTag.Index++
}

// ClaimActualLRP moves an ordinary row to CLAIMED by instanceKey.
func (s *SQLDB) ClaimActualLRP(ctx context.Context, processGUID string, index int32, instanceKey *models.ActualLRPInstanceKey) (before, after *models.ActualLRP, err error) {
	err = s.transact(ctx, func(tx *db.Tx) error {
		before, after = nil, nil
		lrp, err := s.fetchActualLRPForUpdate(ctx, tx, processGUID, index, models.ActualLRP_ORDINARY)
		if err != nil {
			return err
		}
		before = cloneActual(lrp)
		if !lrp.AllowsTransitionTo(lrp.GetActualLrpKey(), instanceKey, models.ActualLRPStateClaimed) {
			return models.ErrActualLRPCannotBeClaimed
		}
		if lrp.GetState() == models.ActualLRPStateClaimed && lrp.GetActualLrpInstanceKey().SameAs(instanceKey) {
			after = lrp
			return nil
		}
		bumpTag(lrp)
		lrp.State = models.ActualLRPStateClaimed
		lrp.ActualLrpInstanceKey = protoClone(instanceKey)
		lrp.PlacementError = ""
		lrp.ActualLrpNetInfo = &models.ActualLRPNetInfo{}
		lrp.Since = s.nowNano()
		net, err := s.encodeModel(lrp.ActualLrpNetInfo)
		if err != nil {
			return err
		}
		set := (&setClause{}).add("state", lrp.State).add("cell_id", instanceKey.GetCellId()).
			add("instance_guid", instanceKey.GetInstanceGuid()).add("modification_tag_index", int64(lrp.ModificationTag.GetIndex())).
			add("placement_error", "").add("since", lrp.Since).add("net_info", net)
		after = lrp
		return updateActualLRP(ctx, tx, lrp.ActualLrpKey, models.ActualLRP_ORDINARY, set)
	})
	return before, after, err
}

// StartActualLRP moves an ordinary row to RUNNING, creating it when absent
// (before is then nil).
func (s *SQLDB) StartActualLRP(ctx context.Context, key *models.ActualLRPKey, instanceKey *models.ActualLRPInstanceKey, netInfo *models.ActualLRPNetInfo,
	internalRoutes []*models.ActualLRPInternalRoute, metricTags map[string]string, routable bool, availabilityZone string) (before, after *models.ActualLRP, err error) {
	netInfo = orEmptyNetInfo(netInfo)
	err = s.transact(ctx, func(tx *db.Tx) error {
		before, after = nil, nil
		lrp, err := s.fetchActualLRPForUpdate(ctx, tx, key.GetProcessGuid(), key.GetIndex(), models.ActualLRP_ORDINARY)
		if models.ErrResourceNotFound.Equal(err) {
			guid, err := s.nextGUID()
			if err != nil {
				return err
			}
			after = &models.ActualLRP{
				ActualLrpKey:            protoClone(key),
				ActualLrpInstanceKey:    protoClone(instanceKey),
				ActualLrpNetInfo:        protoClone(netInfo),
				ActualLrpInternalRoutes: internalRoutes,
				MetricTags:              metricTags,
				State:                   models.ActualLRPStateRunning,
				Since:                   s.nowNano(),
				ModificationTag:         &models.ModificationTag{Epoch: guid},
				OptionalRoutable:        &models.ActualLRP_Routable{Routable: routable},
				AvailabilityZone:        availabilityZone,
			}
			return s.insertActualLRP(ctx, tx, after)
		}
		if err != nil {
			return err
		}
		before = cloneActual(lrp)
		if lrp.GetActualLrpKey().SameAs(key) && lrp.GetActualLrpInstanceKey().SameAs(instanceKey) &&
			sameNetInfo(lrp.GetActualLrpNetInfo(), netInfo) &&
			sameInternalRouteList(lrp.GetActualLrpInternalRoutes(), internalRoutes) &&
			sameStringMaps(lrp.GetMetricTags(), metricTags) && lrp.GetRoutable() == routable &&
			lrp.GetAvailabilityZone() == availabilityZone && lrp.GetState() == models.ActualLRPStateRunning {
			after = lrp
			return nil
		}
		if !lrp.AllowsTransitionTo(key, instanceKey, models.ActualLRPStateRunning) {
			return models.ErrActualLRPCannotBeStarted
		}
		bumpTag(lrp)
		lrp.ActualLrpInstanceKey = protoClone(instanceKey)
		lrp.ActualLrpNetInfo = protoClone(netInfo)
		lrp.ActualLrpInternalRoutes = internalRoutes
		lrp.MetricTags = metricTags
		lrp.AvailabilityZone = availabilityZone
		lrp.State = models.ActualLRPStateRunning
		lrp.Since = s.nowNano()
		lrp.PlacementError = ""
		lrp.OptionalRoutable = &models.ActualLRP_Routable{Routable: routable}
		net, err := s.encodeModel(lrp.ActualLrpNetInfo)
		if err != nil {
			return err
		}
		routes, err := s.encodeInternalRoutes(internalRoutes)
		if err != nil {
			return err
		}
		tags, err := s.encodeMetricTags(metricTags)
		if err != nil {
			return err
		}
		set := (&setClause{}).add("state", lrp.State).add("cell_id", instanceKey.GetCellId()).
			add("instance_guid", instanceKey.GetInstanceGuid()).add("modification_tag_index", int64(lrp.ModificationTag.GetIndex())).
			add("placement_error", "").add("since", lrp.Since).add("net_info", net).add("internal_routes", routes).
			add("metric_tags", tags).add("routable", routable).add("availability_zone", availabilityZone)
		after = lrp
		return updateActualLRP(ctx, tx, key, models.ActualLRP_ORDINARY, set)
	})
	return before, after, err
}

// CrashActualLRP records a crash: the crash count restarts at 1 when the
// instance had been RUNNING for longer than CrashResetTimeout, the instance
// key and net info are cleared, and the row goes straight back to UNCLAIMED
// (shouldRestart) while the crash count is below the immediate restarts.
func (s *SQLDB) CrashActualLRP(ctx context.Context, key *models.ActualLRPKey, instanceKey *models.ActualLRPInstanceKey, crashReason string) (before, after *models.ActualLRP, shouldRestart bool, err error) {
	err = s.transact(ctx, func(tx *db.Tx) error {
		before, after, shouldRestart = nil, nil, false
		lrp, err := s.fetchActualLRPForUpdate(ctx, tx, key.GetProcessGuid(), key.GetIndex(), models.ActualLRP_ORDINARY)
		if err != nil {
			return err
		}
		before = cloneActual(lrp)
		now := s.nowNano()
		crashCount := lrp.GetCrashCount() + 1
		if now-lrp.GetSince() > int64(models.CrashResetTimeout) && lrp.GetState() == models.ActualLRPStateRunning {
			crashCount = 1
		}
		if !lrp.AllowsTransitionTo(lrp.GetActualLrpKey(), instanceKey, models.ActualLRPStateCrashed) {
			return models.ErrActualLRPCannotBeCrashed
		}
		bumpTag(lrp)
		lrp.State = models.ActualLRPStateCrashed
		lrp.ActualLrpInstanceKey = &models.ActualLRPInstanceKey{}
		lrp.ActualLrpNetInfo = &models.ActualLRPNetInfo{}
		lrp.CrashCount = crashCount
		lrp.CrashReason = truncate(crashReason, maxErrorColumn)
		if lrp.ShouldRestartImmediately(models.NewDefaultRestartCalculator()) {
			lrp.State = models.ActualLRPStateUnclaimed
			shouldRestart = true
		}
		lrp.Since = now
		net, err := s.encodeModel(lrp.ActualLrpNetInfo)
		if err != nil {
			return err
		}
		set := (&setClause{}).add("state", lrp.State).add("cell_id", "").add("instance_guid", "").
			add("modification_tag_index", int64(lrp.ModificationTag.GetIndex())).add("crash_count", lrp.CrashCount).
			add("crash_reason", lrp.CrashReason).add("since", lrp.Since).add("net_info", net)
		after = lrp
		return updateActualLRP(ctx, tx, key, models.ActualLRP_ORDINARY, set)
	})
	return before, after, shouldRestart, err
}

// FailActualLRP records a placement error on an UNCLAIMED row.
func (s *SQLDB) FailActualLRP(ctx context.Context, key *models.ActualLRPKey, placementError string) (before, after *models.ActualLRP, err error) {
	err = s.transact(ctx, func(tx *db.Tx) error {
		before, after = nil, nil
		lrp, err := s.fetchActualLRPForUpdate(ctx, tx, key.GetProcessGuid(), key.GetIndex(), models.ActualLRP_ORDINARY)
		if err != nil {
			return err
		}
		before = cloneActual(lrp)
		if lrp.GetState() != models.ActualLRPStateUnclaimed {
			return models.ErrActualLRPCannotBeFailed
		}
		bumpTag(lrp)
		lrp.PlacementError = truncate(placementError, maxErrorColumn)
		lrp.Since = s.nowNano()
		set := (&setClause{}).add("modification_tag_index", int64(lrp.ModificationTag.GetIndex())).
			add("placement_error", lrp.PlacementError).add("since", lrp.Since)
		after = lrp
		return updateActualLRP(ctx, tx, key, models.ActualLRP_ORDINARY, set)
	})
	return before, after, err
}

// RemoveActualLRP deletes the ordinary row (matching instanceKey when it is
// non-nil) and returns what was removed.
func (s *SQLDB) RemoveActualLRP(ctx context.Context, processGUID string, index int32, instanceKey *models.ActualLRPInstanceKey) (*models.ActualLRP, error) {
	var removed *models.ActualLRP
	err := s.transact(ctx, func(tx *db.Tx) error {
		removed = nil
		lrp, err := s.fetchActualLRPForUpdate(ctx, tx, processGUID, index, models.ActualLRP_ORDINARY)
		if err != nil {
			return err
		}
		if instanceKey != nil && !lrp.GetActualLrpInstanceKey().SameAs(instanceKey) {
			return models.ErrResourceNotFound
		}
		if _, err := tx.Exec(ctx, "DELETE FROM actual_lrps WHERE process_guid = ? AND instance_index = ? AND presence = ?",
			processGUID, index, int32(models.ActualLRP_ORDINARY)); err != nil {
			return err
		}
		removed = lrp
		return nil
	})
	return removed, err
}

// ChangeActualLRPPresence moves a row from one presence to another.
func (s *SQLDB) ChangeActualLRPPresence(ctx context.Context, key *models.ActualLRPKey, from, to models.ActualLRP_Presence) (before, after *models.ActualLRP, err error) {
	err = s.transact(ctx, func(tx *db.Tx) error {
		before, after = nil, nil
		lrp, err := s.fetchActualLRPForUpdate(ctx, tx, key.GetProcessGuid(), key.GetIndex(), from)
		if err != nil {
			return err
		}
		before = cloneActual(lrp)
		lrp.Presence = to
		after = lrp
		return updateActualLRP(ctx, tx, key, from, (&setClause{}).add("presence", int32(to)))
	})
	return before, after, err
}
