package handlers

import (
	"context"
	"net/http"

	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/bbs"
	"github.com/godiego/diego/db/bbsdb"
	"github.com/godiego/diego/proto/models"
)

// This file is the adapter for upstream's 14 deprecated routes: the
// ActualLRPGroup reads and stream, r0 start/evacuate, r2 desired LRP and
// task reads, FailTask, and the r0 event streams. It also holds the model
// version downgrades they need (proto/models' VersionDownTo).

func (h *Handler) addDeprecated(a map[string]http.Handler) {
	a[bbs.ActualLRPGroupsRoute] = h.actualLRPGroups()
	a[bbs.ActualLRPGroupsByProcessGuidRoute] = h.actualLRPGroupsByProcessGuid()
	a[bbs.ActualLRPGroupByProcessGuidAndIndexRoute] = h.actualLRPGroupByProcessGuidAndIndex()
	a[bbs.StartActualLRPRouteR0] = h.startActualLRP(false)
	a[bbs.EvacuateRunningActualLRPRouteR0] = h.evacuateRunningActualLRP(false)
	a[bbs.DesiredLRPsRouteR2] = h.desiredLRPs(models.V2)
	a[bbs.DesiredLRPByProcessGuidRouteR2] = h.desiredLRPByProcessGuid(models.V2)
	a[bbs.TasksRouteR2] = h.tasks(models.V2)
	a[bbs.TaskByGuidRouteR2] = h.taskByGuid(models.V2)
	a[bbs.FailTaskRoute] = h.failTask()
	a[bbs.LRPGroupEventStreamRoute] = h.groupStream(models.CurrentVersion)
	a[bbs.LRPGroupEventStreamRouteR0] = h.groupStream(models.V0)
	a[bbs.TaskEventStreamRouteR0] = h.taskStream(models.V0)
	a[bbs.LRPInstanceEventStreamRouteR0] = h.instanceStream(models.V0)
}

func (h *Handler) actualLRPGroups() http.HandlerFunc {
	return rpc(h, func() *models.ActualLRPGroupsRequest { return &models.ActualLRPGroupsRequest{} },
		func() *models.ActualLRPGroupsResponse { return &models.ActualLRPGroupsResponse{} },
		func(ctx context.Context, req *models.ActualLRPGroupsRequest, resp *models.ActualLRPGroupsResponse) error {
			lrps, err := h.store.ActualLRPs(ctx, bbsdb.ActualLRPFilter{Domain: req.Domain, CellID: req.CellId})
			resp.ActualLrpGroups = models.ResolveActualLRPGroups(lrps)
			return err
		})
}

func (h *Handler) actualLRPGroupsByProcessGuid() http.HandlerFunc {
	return rpc(h, func() *models.ActualLRPGroupsByProcessGuidRequest {
		return &models.ActualLRPGroupsByProcessGuidRequest{}
	},
		func() *models.ActualLRPGroupsResponse { return &models.ActualLRPGroupsResponse{} },
		func(ctx context.Context, req *models.ActualLRPGroupsByProcessGuidRequest, resp *models.ActualLRPGroupsResponse) error {
			lrps, err := h.store.ActualLRPs(ctx, bbsdb.ActualLRPFilter{ProcessGUID: req.ProcessGuid})
			resp.ActualLrpGroups = models.ResolveActualLRPGroups(lrps)
			return err
		})
}

func (h *Handler) actualLRPGroupByProcessGuidAndIndex() http.HandlerFunc {
	return rpc(h, func() *models.ActualLRPGroupByProcessGuidAndIndexRequest {
		return &models.ActualLRPGroupByProcessGuidAndIndexRequest{}
	},
		func() *models.ActualLRPGroupResponse { return &models.ActualLRPGroupResponse{} },
		func(ctx context.Context, req *models.ActualLRPGroupByProcessGuidAndIndexRequest, resp *models.ActualLRPGroupResponse) error {
			i := req.Index
			lrps, err := h.store.ActualLRPs(ctx, bbsdb.ActualLRPFilter{ProcessGUID: req.ProcessGuid, Index: &i})
			if err != nil {
				return err
			}
			groups := models.ResolveActualLRPGroups(lrps)
			if len(groups) == 0 {
				return models.ErrResourceNotFound
			}
			resp.ActualLrpGroup = groups[0]
			return nil
		})
}

func (h *Handler) failTask() http.HandlerFunc {
	return rpc(h, func() *models.FailTaskRequest { return &models.FailTaskRequest{} }, newTaskLifecycleResponse,
		func(ctx context.Context, req *models.FailTaskRequest, _ *models.TaskLifecycleResponse) error {
			return h.ctrl.FailTask(ctx, req.TaskGuid, req.FailureReason)
		})
}

// desiredLRPAt returns the desired LRP as a read route of version v
// serves it (downgraded, metrics guid populated).
func desiredLRPAt(d *models.DesiredLRP, v models.Version) *models.DesiredLRP {
	if v >= models.CurrentVersion {
		d = proto.Clone(d).(*models.DesiredLRP)
	} else {
		d = d.VersionDownTo(v)
	}
	return d.PopulateMetricsGuid()
}

// taskAt returns the task as a route of version v serves it.
func taskAt(t *models.Task, v models.Version) *models.Task {
	return t.VersionDownTo(v)
}

// versionEvent downgrades the models an event carries for r0 streams.
func versionEvent(msg proto.Message, v models.Version) proto.Message {
	e, ok := msg.(models.Event)
	if !ok || v >= models.CurrentVersion {
		return msg
	}
	return models.VersionTaskDefinitionsTo(models.VersionDesiredLRPsTo(e, v), v)
}
