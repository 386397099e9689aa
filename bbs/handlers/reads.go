package handlers

import (
	"context"
	"net/http"

	"github.com/godiego/diego/db/bbsdb"
	"github.com/godiego/diego/proto/models"
)

func (h *Handler) ping() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		writeResponse(w, &models.PingResponse{Available: true})
	}
}

func (h *Handler) listCells() http.HandlerFunc {
	return rpc(h, newEmpty, func() *models.CellsResponse { return &models.CellsResponse{} },
		func(ctx context.Context, _ *emptyRequest, resp *models.CellsResponse) error {
			cells, err := h.cells.Cells(ctx)
			resp.Cells = cells
			if resp.Cells == nil {
				resp.Cells = []*models.CellPresence{}
			}
			return err
		})
}

func (h *Handler) domains() http.HandlerFunc {
	return rpc(h, newEmpty, func() *models.DomainsResponse { return &models.DomainsResponse{} },
		func(ctx context.Context, _ *emptyRequest, resp *models.DomainsResponse) error {
			domains, err := h.store.FreshDomains(ctx)
			resp.Domains = domains
			return err
		})
}

func (h *Handler) upsertDomain() http.HandlerFunc {
	return rpc(h, func() *models.UpsertDomainRequest { return &models.UpsertDomainRequest{} },
		func() *models.UpsertDomainResponse { return &models.UpsertDomainResponse{} },
		func(ctx context.Context, req *models.UpsertDomainRequest, _ *models.UpsertDomainResponse) error {
			return h.store.UpsertDomain(ctx, req.Domain, req.Ttl)
		})
}

func actualLRPFilter(req *models.ActualLRPsRequest) bbsdb.ActualLRPFilter {
	filter := bbsdb.ActualLRPFilter{Domain: req.Domain, CellID: req.CellId, ProcessGUID: req.ProcessGuid}
	if idx, ok := req.OptionalIndex.(*models.ActualLRPsRequest_Index); ok {
		i := idx.Index
		filter.Index = &i
	}
	return filter
}

func desiredLRPFilter(req *models.DesiredLRPsRequest) bbsdb.DesiredLRPFilter {
	return bbsdb.DesiredLRPFilter{Domain: req.Domain, ProcessGUIDs: req.ProcessGuids}
}

func (h *Handler) actualLRPs() http.HandlerFunc {
	return rpcEncoded(h, func() *models.ActualLRPsRequest { return &models.ActualLRPsRequest{} },
		func() *models.ActualLRPsResponse { return &models.ActualLRPsResponse{} },
		func(r encodedReads, req *models.ActualLRPsRequest) ([]byte, bool) {
			return r.EncodedActualLRPs(nil, listField, actualLRPFilter(req))
		},
		func(ctx context.Context, req *models.ActualLRPsRequest, resp *models.ActualLRPsResponse) error {
			lrps, err := h.store.ActualLRPs(ctx, actualLRPFilter(req))
			resp.ActualLrps = lrps
			return err
		})
}

func (h *Handler) desiredLRPs(v models.Version) http.HandlerFunc {
	return rpc(h, func() *models.DesiredLRPsRequest { return &models.DesiredLRPsRequest{} },
		func() *models.DesiredLRPsResponse { return &models.DesiredLRPsResponse{} },
		func(ctx context.Context, req *models.DesiredLRPsRequest, resp *models.DesiredLRPsResponse) error {
			lrps, err := h.store.DesiredLRPs(ctx, bbsdb.DesiredLRPFilter{Domain: req.Domain, ProcessGUIDs: req.ProcessGuids})
			if err != nil {
				return err
			}
			for _, d := range lrps {
				resp.DesiredLrps = append(resp.DesiredLrps, desiredLRPAt(d, v))
			}
			return nil
		})
}

func (h *Handler) desiredLRPByProcessGuid(v models.Version) http.HandlerFunc {
	return rpc(h, func() *models.DesiredLRPByProcessGuidRequest { return &models.DesiredLRPByProcessGuidRequest{} },
		func() *models.DesiredLRPResponse { return &models.DesiredLRPResponse{} },
		func(ctx context.Context, req *models.DesiredLRPByProcessGuidRequest, resp *models.DesiredLRPResponse) error {
			d, err := h.store.DesiredLRPByProcessGuid(ctx, req.ProcessGuid)
			if err != nil {
				return err
			}
			resp.DesiredLrp = desiredLRPAt(d, v)
			return nil
		})
}

func (h *Handler) desiredLRPSchedulingInfos() http.HandlerFunc {
	return rpcEncoded(h, func() *models.DesiredLRPsRequest { return &models.DesiredLRPsRequest{} },
		func() *models.DesiredLRPSchedulingInfosResponse { return &models.DesiredLRPSchedulingInfosResponse{} },
		func(r encodedReads, req *models.DesiredLRPsRequest) ([]byte, bool) {
			return r.EncodedSchedulingInfos(nil, listField, desiredLRPFilter(req))
		},
		func(ctx context.Context, req *models.DesiredLRPsRequest, resp *models.DesiredLRPSchedulingInfosResponse) error {
			infos, err := h.store.DesiredLRPSchedulingInfos(ctx, bbsdb.DesiredLRPFilter{Domain: req.Domain, ProcessGUIDs: req.ProcessGuids})
			resp.DesiredLrpSchedulingInfos = infos
			return err
		})
}

func (h *Handler) desiredLRPRoutingInfos() http.HandlerFunc {
	return rpcEncoded(h, func() *models.DesiredLRPsRequest { return &models.DesiredLRPsRequest{} },
		func() *models.DesiredLRPsResponse { return &models.DesiredLRPsResponse{} },
		func(r encodedReads, req *models.DesiredLRPsRequest) ([]byte, bool) {
			return r.EncodedRoutingInfos(nil, listField, desiredLRPFilter(req))
		},
		func(ctx context.Context, req *models.DesiredLRPsRequest, resp *models.DesiredLRPsResponse) error {
			lrps, err := h.store.DesiredLRPRoutingInfos(ctx, bbsdb.DesiredLRPFilter{Domain: req.Domain, ProcessGUIDs: req.ProcessGuids})
			resp.DesiredLrps = lrps
			return err
		})
}

func (h *Handler) tasks(v models.Version) http.HandlerFunc {
	return rpc(h, func() *models.TasksRequest { return &models.TasksRequest{} },
		func() *models.TasksResponse { return &models.TasksResponse{} },
		func(ctx context.Context, req *models.TasksRequest, resp *models.TasksResponse) error {
			tasks, err := h.store.Tasks(ctx, bbsdb.TaskFilter{Domain: req.Domain, CellID: req.CellId})
			for _, t := range tasks {
				resp.Tasks = append(resp.Tasks, taskAt(t, v))
			}
			return err
		})
}

func (h *Handler) taskByGuid(v models.Version) http.HandlerFunc {
	return rpc(h, func() *models.TaskByGuidRequest { return &models.TaskByGuidRequest{} },
		func() *models.TaskResponse { return &models.TaskResponse{} },
		func(ctx context.Context, req *models.TaskByGuidRequest, resp *models.TaskResponse) error {
			t, err := h.store.TaskByGuid(ctx, req.TaskGuid)
			if err != nil {
				return err
			}
			resp.Task = taskAt(t, v)
			return nil
		})
}
