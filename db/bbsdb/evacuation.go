package bbsdb

import (
	"context"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/proto/models"
)

const deleteActualLRPRow = "DELETE FROM actual_lrps WHERE process_guid = ? AND instance_index = ? AND presence = ?"

// EvacuateActualLRP creates or refreshes the EVACUATING copy of a running
// instance. Refreshing with an identical key, instance key and net info is
// ResourceExists, as upstream.
func (s *SQLDB) EvacuateActualLRP(ctx context.Context, key *models.ActualLRPKey, instanceKey *models.ActualLRPInstanceKey, netInfo *models.ActualLRPNetInfo,
	internalRoutes []*models.ActualLRPInternalRoute, metricTags map[string]string, routable bool, availabilityZone string) (*models.ActualLRP, error) {
	netInfo = orEmptyNetInfo(netInfo)
	var out *models.ActualLRP
	err := s.transact(ctx, func(tx *db.Tx) error {
		out = nil
		lrp, err := s.fetchActualLRPForUpdate(ctx, tx, key.GetProcessGuid(), key.GetIndex(), models.ActualLRP_EVACUATING)
		if models.ErrResourceNotFound.Equal(err) {
			guid, err := s.nextGUID()
			if err != nil {
				return err
			}
			out = &models.ActualLRP{
				ActualLrpKey:            protoClone(key),
				ActualLrpInstanceKey:    protoClone(instanceKey),
				ActualLrpNetInfo:        protoClone(netInfo),
				ActualLrpInternalRoutes: internalRoutes,
				MetricTags:              metricTags,
				AvailabilityZone:        availabilityZone,
				State:                   models.ActualLRPStateRunning,
				Since:                   s.nowNano(),
				ModificationTag:         &models.ModificationTag{Epoch: guid},
				Presence:                models.ActualLRP_EVACUATING,
				OptionalRoutable:        &models.ActualLRP_Routable{Routable: routable},
			}
			return s.insertActualLRP(ctx, tx, out)
		}
		if err != nil {
			return err
		}
		if lrp.GetActualLrpKey().SameAs(key) && lrp.GetActualLrpInstanceKey().SameAs(instanceKey) && sameNetInfo(lrp.GetActualLrpNetInfo(), netInfo) {
			return models.ErrResourceExists
		}
		bumpTag(lrp)
		lrp.ActualLrpKey = protoClone(key)
		lrp.ActualLrpInstanceKey = protoClone(instanceKey)
		lrp.Since = s.nowNano()
		lrp.ActualLrpNetInfo = protoClone(netInfo)
		lrp.ActualLrpInternalRoutes = internalRoutes
		lrp.MetricTags = metricTags
		lrp.AvailabilityZone = availabilityZone
		net, err := s.encodeModel(netInfo)
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
		set := (&setClause{}).add("domain", key.GetDomain()).add("instance_guid", instanceKey.GetInstanceGuid()).
			add("cell_id", instanceKey.GetCellId()).add("net_info", net).add("internal_routes", routes).
			add("metric_tags", tags).add("state", lrp.GetState()).add("since", lrp.Since).
			add("modification_tag_index", int64(lrp.ModificationTag.GetIndex())).add("availability_zone", availabilityZone)
		out = lrp
		return updateActualLRP(ctx, tx, key, models.ActualLRP_EVACUATING, set)
	})
	return out, err
}

// RemoveEvacuatingActualLRP deletes the EVACUATING row of instanceKey. A
// missing row is not an error (nil is returned); a row of another instance
// is ActualLRPCannotBeRemoved.
func (s *SQLDB) RemoveEvacuatingActualLRP(ctx context.Context, key *models.ActualLRPKey, instanceKey *models.ActualLRPInstanceKey) (*models.ActualLRP, error) {
	var removed *models.ActualLRP
	err := s.transact(ctx, func(tx *db.Tx) error {
		removed = nil
		lrp, err := s.fetchActualLRPForUpdate(ctx, tx, key.GetProcessGuid(), key.GetIndex(), models.ActualLRP_EVACUATING)
		if models.ErrResourceNotFound.Equal(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if !lrp.GetActualLrpInstanceKey().SameAs(instanceKey) {
			return models.ErrActualLRPCannotBeRemoved
		}
		if _, err := tx.Exec(ctx, deleteActualLRPRow, key.GetProcessGuid(), key.GetIndex(), int32(models.ActualLRP_EVACUATING)); err != nil {
			return err
		}
		removed = lrp
		return nil
	})
	return removed, err
}

// RemoveSuspectActualLRP deletes the SUSPECT row of key; nil when there is none.
func (s *SQLDB) RemoveSuspectActualLRP(ctx context.Context, key *models.ActualLRPKey) (*models.ActualLRP, error) {
	var removed *models.ActualLRP
	err := s.transact(ctx, func(tx *db.Tx) error {
		removed = nil
		lrp, err := s.fetchActualLRPForUpdate(ctx, tx, key.GetProcessGuid(), key.GetIndex(), models.ActualLRP_SUSPECT)
		if models.ErrResourceNotFound.Equal(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, deleteActualLRPRow, key.GetProcessGuid(), key.GetIndex(), int32(models.ActualLRP_SUSPECT)); err != nil {
			return err
		}
		removed = lrp
		return nil
	})
	return removed, err
}

// PromoteSuspectActualLRP turns the SUSPECT row back into the ORDINARY one,
// deleting the ordinary replacement if there is one.
func (s *SQLDB) PromoteSuspectActualLRP(ctx context.Context, processGUID string, index int32) (removedReplacement, beforeSuspect, afterOrdinary *models.ActualLRP, err error) {
	err = s.transact(ctx, func(tx *db.Tx) error {
		removedReplacement, beforeSuspect, afterOrdinary = nil, nil, nil
		var err error
		removedReplacement, beforeSuspect, afterOrdinary, err = s.promoteSuspect(ctx, tx, processGUID, index)
		return err
	})
	return removedReplacement, beforeSuspect, afterOrdinary, err
}

func (s *SQLDB) promoteSuspect(ctx context.Context, tx *db.Tx, processGUID string, index int32) (removed, before, after *models.ActualLRP, err error) {
	suspect, err := s.fetchActualLRPForUpdate(ctx, tx, processGUID, index, models.ActualLRP_SUSPECT)
	if err != nil {
		return nil, nil, nil, err
	}
	ordinary, err := s.fetchActualLRPForUpdate(ctx, tx, processGUID, index, models.ActualLRP_ORDINARY)
	switch {
	case err == nil:
		if _, err := tx.Exec(ctx, deleteActualLRPRow, processGUID, index, int32(models.ActualLRP_ORDINARY)); err != nil {
			return nil, nil, nil, err
		}
		removed = ordinary
	case !models.ErrResourceNotFound.Equal(err):
		return nil, nil, nil, err
	}
	before = cloneActual(suspect)
	suspect.Presence = models.ActualLRP_ORDINARY
	if err := updateActualLRP(ctx, tx, suspect.ActualLrpKey, models.ActualLRP_SUSPECT,
		(&setClause{}).add("presence", int32(models.ActualLRP_ORDINARY))); err != nil {
		return nil, nil, nil, err
	}
	return removed, before, suspect, nil
}
