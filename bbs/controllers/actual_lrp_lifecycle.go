package controllers

import (
	"context"

	"code.cloudfoundry.org/lager/v3"

	auctioneer "github.com/godiego/diego/auctioneer/client"
	"github.com/godiego/diego/proto/models"
)

// RetireAttempts is how often retiring an instance is tried.
const RetireAttempts = 5

// ClaimActualLRP records that a cell claimed an instance. A claim for a
// SUSPECT row is ignored.
func (c *Controller) ClaimActualLRP(ctx context.Context, pg string, index int32, ik *models.ActualLRPInstanceKey) error {
	return c.changeLRP(ctx, pg, index, func(before []*models.ActualLRP) (bool, error) {
		if l := byInstance(before, ik); l != nil && l.Presence == models.ActualLRP_SUSPECT {
			return false, nil
		}
		_, _, err := c.Store.ClaimActualLRP(ctx, pg, index, ik)
		return false, err
	})
}

// StartActualLRP records a running instance; its EVACUATING and SUSPECT
// counterparts are removed. A start for a SUSPECT row is ignored.
func (c *Controller) StartActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey, net *models.ActualLRPNetInfo,
	routes []*models.ActualLRPInternalRoute, tags map[string]string, routable bool, zone string) error {
	return c.changeLRP(ctx, key.GetProcessGuid(), key.GetIndex(), func(before []*models.ActualLRP) (bool, error) {
		if l := byInstance(before, ik); l != nil && l.Presence == models.ActualLRP_SUSPECT {
			return false, nil
		}
		if _, _, err := c.Store.StartActualLRP(ctx, key, ik, net, routes, tags, routable, zone); err != nil {
			return false, err
		}
		if ev := byPresence(before, models.ActualLRP_EVACUATING); ev != nil {
			if _, err := c.Store.RemoveEvacuatingActualLRP(ctx, ev.ActualLrpKey, ev.ActualLrpInstanceKey); err != nil {
				c.logger(ctx).Error("failed-to-remove-evacuating", err)
			}
		}
		if byPresence(before, models.ActualLRP_SUSPECT) != nil {
			if _, err := c.Store.RemoveSuspectActualLRP(ctx, key); err != nil {
				c.logger(ctx).Error("failed-to-remove-suspect", err)
			}
		}
		return false, nil
	})
}

// CrashActualLRP records a crash: a SUSPECT row is just removed; an
// ordinary one follows the restart policy and, for an immediate restart,
// is auctioned again.
func (c *Controller) CrashActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey, reason string) error {
	restart := false
	err := c.changeLRP(ctx, key.GetProcessGuid(), key.GetIndex(), func(before []*models.ActualLRP) (bool, error) {
		if l := byInstance(before, ik); l != nil && l.Presence == models.ActualLRP_SUSPECT {
			_, err := c.Store.RemoveSuspectActualLRP(ctx, key)
			return false, err
		}
		_, _, should, err := c.Store.CrashActualLRP(ctx, key, ik, reason)
		restart = should
		return true, err
	})
	if err != nil || !restart {
		return err
	}
	desired, err := c.Store.DesiredLRPByProcessGuid(ctx, key.GetProcessGuid())
	if err != nil {
		return err
	}
	auctionLRPs(ctx, c.logger(ctx), c.Auctioneer, []auctioneer.LRPStartRequest{
		LRPStartRequest(desired.DesiredLRPSchedulingInfo(), int(key.GetIndex())),
	})
	return nil
}

// FailActualLRP records that an UNCLAIMED instance could not be placed. A
// missing instance is not an error (upstream ignores it).
func (c *Controller) FailActualLRP(ctx context.Context, key *models.ActualLRPKey, reason string) error {
	return c.changeLRP(ctx, key.GetProcessGuid(), key.GetIndex(), func([]*models.ActualLRP) (bool, error) {
		_, _, err := c.Store.FailActualLRP(ctx, key, reason)
		if isNotFound(err) {
			return false, nil
		}
		return false, err
	})
}

// RemoveActualLRP deletes the ordinary row of an instance (matching ik
// when given).
func (c *Controller) RemoveActualLRP(ctx context.Context, pg string, index int32, ik *models.ActualLRPInstanceKey) error {
	return c.changeLRP(ctx, pg, index, func(before []*models.ActualLRP) (bool, error) {
		if byPresence(before, models.ActualLRP_ORDINARY) == nil {
			return false, models.ErrResourceNotFound
		}
		_, err := c.Store.RemoveActualLRP(ctx, pg, index, ik)
		return false, err
	})
}

// RetireActualLRP stops an instance: UNCLAIMED and CRASHED rows are
// deleted; CLAIMED and RUNNING ones are stopped through their cell's rep,
// or deleted when the cell is gone. It tries up to RetireAttempts times.
func (c *Controller) RetireActualLRP(ctx context.Context, key *models.ActualLRPKey) error {
	logger := c.logger(ctx).Session("retire-actual-lrp", lager.Data{"process_guid": key.GetProcessGuid(), "index": key.GetIndex()})
	var err error
	for attempt := 0; attempt < RetireAttempts; attempt++ {
		var stop *models.ActualLRP
		err = c.changeLRP(ctx, key.GetProcessGuid(), key.GetIndex(), func(before []*models.ActualLRP) (bool, error) {
			lrp := byPresence(before, models.ActualLRP_ORDINARY)
			if lrp == nil {
				return false, models.ErrResourceNotFound
			}
			switch lrp.State {
			case models.ActualLRPStateUnclaimed, models.ActualLRPStateCrashed:
				_, err := c.Store.RemoveActualLRP(ctx, key.GetProcessGuid(), key.GetIndex(), lrp.ActualLrpInstanceKey)
				return false, err
			default:
				stop = lrp
				return false, nil
			}
		})
		if isNotFound(err) {
			return err
		}
		if err == nil && stop != nil {
			err = c.stopOnCell(ctx, stop)
		}
		if err == nil {
			return nil
		}
		logger.Error("retry", err, lager.Data{"attempt": attempt + 1})
	}
	return err
}

// stopOnCell asks the instance's rep to stop it; when the cell is gone the
// row is deleted instead.
func (c *Controller) stopOnCell(ctx context.Context, lrp *models.ActualLRP) error {
	cell, err := CellByID(ctx, c.Cells, lrp.GetActualLrpInstanceKey().GetCellId())
	if isNotFound(err) {
		return c.changeLRP(ctx, lrp.ActualLrpKey.ProcessGuid, lrp.ActualLrpKey.Index, func([]*models.ActualLRP) (bool, error) {
			_, err := c.Store.RemoveActualLRP(ctx, lrp.ActualLrpKey.ProcessGuid, lrp.ActualLrpKey.Index, lrp.ActualLrpInstanceKey)
			return false, err
		})
	}
	if err != nil {
		return err
	}
	r, err := c.Reps.Rep(cell)
	if err != nil {
		return err
	}
	return r.StopLRPInstance(ctx, lrp.ActualLrpKey.ProcessGuid, lrp.ActualLrpInstanceKey.InstanceGuid)
}
