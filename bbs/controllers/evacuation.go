package controllers

import (
	"context"
	"errors"

	auctioneer "github.com/godiego/diego/auctioneer/client"
	"github.com/godiego/diego/proto/models"
)

// RemoveEvacuatingActualLRP deletes an EVACUATING row.
func (c *Controller) RemoveEvacuatingActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey) error {
	return c.changeLRP(ctx, key.GetProcessGuid(), key.GetIndex(), func(before []*models.ActualLRP) (bool, error) {
		l := byInstance(before, ik)
		if l == nil || l.Presence != models.ActualLRP_EVACUATING {
			return false, models.ErrResourceNotFound
		}
		_, err := c.Store.RemoveEvacuatingActualLRP(ctx, key, ik)
		return false, err
	})
}

// removeEvacuatingOrSuspect deletes the row ik names when it is EVACUATING
// or SUSPECT, and reports whether it did.
func (c *Controller) removeEvacuatingOrSuspect(ctx context.Context, before []*models.ActualLRP, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey) (bool, error) {
	l := byInstance(before, ik)
	if l == nil {
		return false, models.ErrResourceNotFound
	}
	switch l.Presence {
	case models.ActualLRP_EVACUATING:
		_, err := c.Store.RemoveEvacuatingActualLRP(ctx, key, ik)
		return err == nil, err
	case models.ActualLRP_SUSPECT:
		_, err := c.Store.RemoveSuspectActualLRP(ctx, key)
		return err == nil, err
	}
	return false, nil
}

// EvacuateClaimedActualLRP handles a claimed instance on an evacuating
// cell: the ordinary row is unclaimed and auctioned again. keepContainer is
// true only when the unclaim failed for a reason other than not-found.
func (c *Controller) EvacuateClaimedActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey) (keepContainer bool, err error) {
	auction := false
	err = c.changeLRP(ctx, key.GetProcessGuid(), key.GetIndex(), func(before []*models.ActualLRP) (bool, error) {
		removed, err := c.removeEvacuatingOrSuspect(ctx, before, key, ik)
		if err != nil || removed {
			return false, err
		}
		_, _, err = c.Store.UnclaimActualLRP(ctx, key)
		if isNotFound(err) {
			return false, nil
		}
		if err != nil {
			keepContainer = true
			return false, err
		}
		auction = true
		return false, nil
	})
	if auction {
		c.requestAuction(ctx, key)
	}
	return keepContainer, err
}

// EvacuateCrashedActualLRP handles a crash on an evacuating cell.
func (c *Controller) EvacuateCrashedActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey, reason string) error {
	return c.changeLRP(ctx, key.GetProcessGuid(), key.GetIndex(), func(before []*models.ActualLRP) (bool, error) {
		removed, err := c.removeEvacuatingOrSuspect(ctx, before, key, ik)
		if err != nil || removed {
			return false, err
		}
		_, _, _, err = c.Store.CrashActualLRP(ctx, key, ik, reason)
		return true, err
	})
}

// EvacuateStoppedActualLRP handles an instance that stopped on an
// evacuating cell: its row is removed.
func (c *Controller) EvacuateStoppedActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey) error {
	return c.changeLRP(ctx, key.GetProcessGuid(), key.GetIndex(), func(before []*models.ActualLRP) (bool, error) {
		removed, err := c.removeEvacuatingOrSuspect(ctx, before, key, ik)
		if err != nil || removed {
			return false, err
		}
		_, err = c.Store.RemoveActualLRP(ctx, key.GetProcessGuid(), key.GetIndex(), ik)
		return false, err
	})
}

// EvacuateRunningActualLRP handles a running instance on an evacuating
// cell. When the desired LRP is gone, or its replacement already runs or
// crashed, the evacuating row goes and the container may stop. Otherwise
// an EVACUATING copy is kept (or created), the ordinary row is unclaimed
// and auctioned, and the container keeps running until the replacement
// starts.
func (c *Controller) EvacuateRunningActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey, net *models.ActualLRPNetInfo,
	routes []*models.ActualLRPInternalRoute, tags map[string]string, routable bool, zone string) (keepContainer bool, err error) {
	auction := false
	err = c.changeLRP(ctx, key.GetProcessGuid(), key.GetIndex(), func(before []*models.ActualLRP) (bool, error) {
		if len(before) == 0 {
			keepContainer = false
			return false, nil
		}
		target := byInstance(before, ik)
		instance := byPresence(before, models.ActualLRP_ORDINARY)
		replacementDone := instance != nil && instance != target &&
			(instance.State == models.ActualLRPStateRunning || instance.State == models.ActualLRPStateCrashed)
		if instance == nil || replacementDone {
			if target != nil {
				_, err := c.Store.RemoveEvacuatingActualLRP(ctx, target.ActualLrpKey, target.ActualLrpInstanceKey)
				if err != nil && !isCannotBeRemoved(err) {
					keepContainer = true
					return false, err
				}
			}
			keepContainer = false
			return false, nil
		}
		if target == nil || target.Presence == models.ActualLRP_EVACUATING {
			if ev := byPresence(before, models.ActualLRP_EVACUATING); ev != nil && ev != target {
				keepContainer = false
				return false, nil
			}
			_, err := c.Store.EvacuateActualLRP(ctx, key, ik, net, routes, tags, routable, zone)
			keepContainer = true
			if isResourceExists(err) {
				return false, nil
			}
			return false, err
		}
		if target.State == models.ActualLRPStateRunning || target.State == models.ActualLRPStateClaimed {
			keepContainer = true
			if _, err := c.Store.EvacuateActualLRP(ctx, target.ActualLrpKey, target.ActualLrpInstanceKey, target.ActualLrpNetInfo,
				target.ActualLrpInternalRoutes, target.MetricTags, target.GetRoutable(), target.AvailabilityZone); err != nil {
				return false, err
			}
			if target.Presence == models.ActualLRP_SUSPECT {
				_, err := c.Store.RemoveSuspectActualLRP(ctx, target.ActualLrpKey)
				return false, err
			}
			if _, _, err := c.Store.UnclaimActualLRP(ctx, target.ActualLrpKey); err != nil {
				return false, err
			}
			auction = true
			return false, nil
		}
		keepContainer = false
		return false, nil
	})
	if auction {
		c.requestAuction(ctx, key)
	}
	return keepContainer, err
}

func (c *Controller) requestAuction(ctx context.Context, key *models.ActualLRPKey) {
	desired, err := c.Store.DesiredLRPByProcessGuid(ctx, key.GetProcessGuid())
	if err != nil {
		c.logger(ctx).Error("failed-to-fetch-desired", err)
		return
	}
	auctionLRPs(ctx, c.logger(ctx), c.Auctioneer, []auctioneer.LRPStartRequest{
		LRPStartRequest(desired.DesiredLRPSchedulingInfo(), int(key.GetIndex())),
	})
}

func isType(err error, t models.Error_Type) bool {
	var me *models.Error
	return errors.As(err, &me) && me.Type == t
}

func isCannotBeRemoved(err error) bool { return isType(err, models.Error_ActualLRPCannotBeRemoved) }
func isResourceExists(err error) bool  { return isType(err, models.Error_ResourceExists) }
