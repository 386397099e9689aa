package controllers

import (
	"context"
	"encoding/json"
	"sync"

	"code.cloudfoundry.org/lager/v3"
	"google.golang.org/protobuf/proto"

	auctioneer "github.com/godiego/diego/auctioneer/client"
	"github.com/godiego/diego/bbs/events"
	"github.com/godiego/diego/db/bbsdb"
	"github.com/godiego/diego/internal/workpool"
	"github.com/godiego/diego/proto/models"
	rep "github.com/godiego/diego/rep/client"
)

// InternalRouterKey is the routing key of container-to-container routes.
const InternalRouterKey = "internal-router"

// DesireLRP stores a new desired LRP, creates its instances and auctions them.
func (c *Controller) DesireLRP(ctx context.Context, lrp *models.DesiredLRP) error {
	unlock := c.serial.Lock(lrp.GetProcessGuid())
	if err := c.Store.DesireLRP(ctx, lrp); err != nil {
		unlock()
		return err
	}
	stored, err := c.Store.DesiredLRPByProcessGuid(ctx, lrp.GetProcessGuid())
	if err != nil {
		unlock()
		return err
	}
	c.emit(events.DesiredLRPEvent(nil, stored, TraceID(ctx)))
	unlock()
	if stored.Instances > 0 {
		c.startInstanceRange(ctx, stored.DesiredLRPSchedulingInfo(), 0, stored.Instances)
	}
	return nil
}

// UpdateDesiredLRP applies an update, then starts or retires instances for
// a new count and pushes changed internal routes or metric tags to reps.
func (c *Controller) UpdateDesiredLRP(ctx context.Context, pg string, update *models.DesiredLRPUpdate) error {
	unlock := c.serial.Lock(pg)
	before, after, err := c.Store.UpdateDesiredLRP(ctx, pg, update)
	if err != nil {
		unlock()
		return err
	}
	c.emit(events.DesiredLRPEvent(before, after, TraceID(ctx)))
	unlock()

	if update.OptionalInstances != nil {
		switch n := update.GetInstances(); {
		case n > before.Instances:
			c.startInstanceRange(ctx, after.DesiredLRPSchedulingInfo(), before.Instances, n)
		case n < before.Instances:
			c.stopInstancesFrom(ctx, pg, n)
		}
	}
	routesChanged := update.Routes != nil && !sameRoute(update.Routes, before.Routes, InternalRouterKey)
	tagsChanged := update.MetricTags != nil && !sameTags(update.MetricTags, before.MetricTags)
	if routesChanged || tagsChanged {
		c.updateInstances(ctx, pg, update, routesChanged, tagsChanged)
	}
	return nil
}

// RemoveDesiredLRP deletes a desired LRP and retires all its instances.
func (c *Controller) RemoveDesiredLRP(ctx context.Context, pg string) error {
	unlock := c.serial.Lock(pg)
	removed, err := c.Store.RemoveDesiredLRP(ctx, pg)
	if err != nil {
		unlock()
		return err
	}
	c.emit(events.DesiredLRPEvent(removed, nil, TraceID(ctx)))
	unlock()
	c.stopInstancesFrom(ctx, pg, 0)
	return nil
}

// startInstanceRange creates UNCLAIMED rows for indices [lower, upper)
// and auctions the ones created.
func (c *Controller) startInstanceRange(ctx context.Context, info *models.DesiredLRPSchedulingInfo, lower, upper int32) {
	pg, domain := info.GetDesiredLrpKey().GetProcessGuid(), info.GetDesiredLrpKey().GetDomain()
	var (
		mu      sync.Mutex
		created []int
	)
	c.parallel(int(upper-lower), func(i int) {
		index := lower + int32(i)
		key := &models.ActualLRPKey{ProcessGuid: pg, Index: index, Domain: domain}
		err := c.changeLRP(ctx, pg, index, func([]*models.ActualLRP) (bool, error) {
			_, err := c.Store.CreateUnclaimedActualLRP(ctx, key)
			return false, err
		})
		if err != nil {
			c.logger(ctx).Error("failed-to-create-unclaimed-actual-lrp", err, lager.Data{"process_guid": pg, "index": index})
			return
		}
		mu.Lock()
		created = append(created, int(index))
		mu.Unlock()
	})
	if len(created) == 0 {
		return
	}
	sortInts(created)
	auctionLRPs(ctx, c.logger(ctx), c.Auctioneer, []auctioneer.LRPStartRequest{LRPStartRequest(info, created...)})
}

// stopInstancesFrom retires every non-evacuating instance with index >= from.
func (c *Controller) stopInstancesFrom(ctx context.Context, pg string, from int32) {
	lrps, err := c.Store.ActualLRPs(ctx, bbsdb.ActualLRPFilter{ProcessGUID: pg})
	if err != nil {
		c.logger(ctx).Error("failed-to-fetch-actual-lrps", err)
		return
	}
	for _, l := range lrps {
		if l.Presence == models.ActualLRP_EVACUATING || l.ActualLrpKey.GetIndex() < from {
			continue
		}
		switch l.State {
		case models.ActualLRPStateUnclaimed, models.ActualLRPStateCrashed:
			l := l
			err := c.changeLRP(ctx, pg, l.ActualLrpKey.Index, func([]*models.ActualLRP) (bool, error) {
				_, err := c.Store.RemoveActualLRP(ctx, pg, l.ActualLrpKey.Index, nil)
				return false, err
			})
			if err != nil {
				c.logger(ctx).Error("failed-to-remove-actual-lrp", err)
			}
		default:
			cell, err := CellByID(ctx, c.Cells, l.ActualLrpInstanceKey.GetCellId())
			if err != nil {
				continue
			}
			r, err := c.Reps.Rep(cell)
			if err != nil {
				continue
			}
			if err := r.StopLRPInstance(ctx, pg, l.ActualLrpInstanceKey.InstanceGuid); err != nil {
				c.logger(ctx).Error("failed-to-stop-lrp-instance", err)
			}
		}
	}
}

// updateInstances pushes new internal routes and/or metric tags to the
// reps running the LRP's claimed and running instances.
func (c *Controller) updateInstances(ctx context.Context, pg string, update *models.DesiredLRPUpdate, routes, tags bool) {
	lrps, err := c.Store.ActualLRPs(ctx, bbsdb.ActualLRPFilter{ProcessGUID: pg})
	if err != nil {
		c.logger(ctx).Error("failed-to-fetch-actual-lrps", err)
		return
	}
	for _, l := range lrps {
		if l.Presence == models.ActualLRP_EVACUATING || l.State == models.ActualLRPStateUnclaimed || l.State == models.ActualLRPStateCrashed {
			continue
		}
		cell, err := CellByID(ctx, c.Cells, l.ActualLrpInstanceKey.GetCellId())
		if err != nil {
			continue
		}
		r, err := c.Reps.Rep(cell)
		if err != nil {
			continue
		}
		u := rep.LRPUpdate{
			InstanceGUID: l.ActualLrpInstanceKey.InstanceGuid,
			ActualLRPKey: rep.ActualLRPKey{ProcessGUID: pg, Index: l.ActualLrpKey.Index, Domain: l.ActualLrpKey.Domain},
		}
		if routes {
			u.InternalRoutes = InternalRoutes(update.Routes)
			if u.InternalRoutes == nil {
				u.InternalRoutes = []rep.InternalRoute{}
			}
		}
		if tags {
			u.MetricTags = ResolveMetricTags(update.MetricTags, l.ActualLrpKey.Index, l.ActualLrpInstanceKey.InstanceGuid)
		}
		if err := r.UpdateLRPInstance(ctx, u); err != nil {
			c.logger(ctx).Error("failed-to-update-lrp-instance", err)
		}
	}
}

// InternalRoutes decodes the internal-router entry of routing info.
func InternalRoutes(r *models.ProtoRoutes) []rep.InternalRoute {
	raw, ok := r.GetRoutes()[InternalRouterKey]
	if !ok {
		return nil
	}
	var routes []rep.InternalRoute
	if err := json.Unmarshal(raw, &routes); err != nil {
		return nil
	}
	return routes
}

// ResolveMetricTags turns desired metric tags into an instance's tags,
// filling the dynamic INDEX and INSTANCE_GUID values.
func ResolveMetricTags(tags map[string]*models.MetricTagValue, index int32, instanceGUID string) map[string]string {
	out := make(map[string]string, len(tags))
	for k, v := range tags {
		switch v.GetDynamic() {
		case models.MetricTagValue_INDEX:
			out[k] = itoa(int(index))
		case models.MetricTagValue_INSTANCE_GUID:
			out[k] = instanceGUID
		default:
			out[k] = v.GetStatic()
		}
	}
	return out
}

func sameRoute(a, b *models.ProtoRoutes, key string) bool {
	ra, oka := a.GetRoutes()[key]
	rb, okb := b.GetRoutes()[key]
	if oka != okb {
		return false
	}
	var ja, jb any
	if json.Unmarshal(ra, &ja) != nil || json.Unmarshal(rb, &jb) != nil {
		return string(ra) == string(rb)
	}
	ba, _ := json.Marshal(ja)
	bb, _ := json.Marshal(jb)
	return string(ba) == string(bb)
}

func sameTags(a, b map[string]*models.MetricTagValue) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !proto.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// parallel runs work(0..n-1) on up to UpdateWorkers goroutines (1000 when unset).
func (c *Controller) parallel(n int, work func(i int)) {
	workers := c.UpdateWorkers
	if workers <= 0 {
		workers = 1000
	}
	workpool.ForEach(n, workers, work)
}
