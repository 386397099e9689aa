package controllers

import (
	"context"

	"code.cloudfoundry.org/lager/v3"

	auctioneer "github.com/godiego/diego/auctioneer/client"
	"github.com/godiego/diego/proto/models"
	rep "github.com/godiego/diego/rep/client"
)

// LRPStartRequest is the auction request for indices of a desired LRP.
func LRPStartRequest(info *models.DesiredLRPSchedulingInfo, indices ...int) auctioneer.LRPStartRequest {
	res := info.GetDesiredLrpResource()
	return auctioneer.LRPStartRequest{
		ProcessGUID: info.GetDesiredLrpKey().GetProcessGuid(),
		Domain:      info.GetDesiredLrpKey().GetDomain(),
		Indices:     indices,
		PlacementConstraint: rep.PlacementConstraint{
			PlacementTags: info.GetPlacementTags(),
			VolumeDrivers: info.GetVolumePlacement().GetDriverNames(),
			RootFs:        res.GetRootFs(),
		},
		Resource: rep.Resource{MemoryMB: res.GetMemoryMb(), DiskMB: res.GetDiskMb(), MaxPids: res.GetMaxPids()},
	}
}

// TaskStartRequest is the auction request for a task.
func TaskStartRequest(t *models.Task) auctioneer.TaskStartRequest {
	def := t.GetTaskDefinition()
	var drivers []string
	for _, m := range def.GetVolumeMounts() {
		drivers = append(drivers, m.GetDriver())
	}
	return auctioneer.TaskStartRequest{Task: rep.Task{
		TaskGUID: t.GetTaskGuid(),
		Domain:   t.GetDomain(),
		PlacementConstraint: rep.PlacementConstraint{
			PlacementTags: def.GetPlacementTags(),
			VolumeDrivers: drivers,
			RootFs:        def.GetRootFs(),
		},
		Resource: rep.Resource{MemoryMB: def.GetMemoryMb(), DiskMB: def.GetDiskMb(), MaxPids: def.GetMaxPids()},
	}}
}

// auctionLRPs sends start requests, logging (not returning) a failure as
// upstream does: convergence re-auctions what was lost.
func auctionLRPs(ctx context.Context, logger lager.Logger, a Auctioneer, starts []auctioneer.LRPStartRequest) {
	if len(starts) == 0 || a == nil {
		return
	}
	if err := a.RequestLRPAuctions(ctx, starts); err != nil {
		logger.Error("failed-to-request-lrp-auctions", err, lager.Data{"count": len(starts)})
	}
}

func auctionTasks(ctx context.Context, logger lager.Logger, a Auctioneer, tasks []auctioneer.TaskStartRequest) {
	if len(tasks) == 0 || a == nil {
		return
	}
	if err := a.RequestTaskAuctions(ctx, tasks); err != nil {
		logger.Error("failed-to-request-task-auctions", err, lager.Data{"count": len(tasks)})
	}
}
