package handlers

import (
	"context"
	"net/http"

	"github.com/godiego/diego/proto/models"
)

func newLifecycleResponse() *models.ActualLRPLifecycleResponse {
	return &models.ActualLRPLifecycleResponse{}
}

func (h *Handler) claimActualLRP() http.HandlerFunc {
	return rpc(h, func() *models.ClaimActualLRPRequest { return &models.ClaimActualLRPRequest{} }, newLifecycleResponse,
		func(ctx context.Context, req *models.ClaimActualLRPRequest, _ *models.ActualLRPLifecycleResponse) error {
			return h.ctrl.ClaimActualLRP(ctx, req.ProcessGuid, req.Index, req.ActualLrpInstanceKey)
		})
}

// startActualLRP serves start.r1 and, with withRoutesAndTags false, the
// deprecated r0 route that ignores internal routes and metric tags.
func (h *Handler) startActualLRP(withRoutesAndTags bool) http.HandlerFunc {
	return rpc(h, func() *models.StartActualLRPRequest { return &models.StartActualLRPRequest{} }, newLifecycleResponse,
		func(ctx context.Context, req *models.StartActualLRPRequest, _ *models.ActualLRPLifecycleResponse) error {
			routes, tags := req.ActualLrpInternalRoutes, req.MetricTags
			if !withRoutesAndTags {
				routes, tags = []*models.ActualLRPInternalRoute{}, nil
			}
			routable := true
			if r, ok := req.OptionalRoutable.(*models.StartActualLRPRequest_Routable); ok {
				routable = r.Routable
			}
			return h.ctrl.StartActualLRP(ctx, req.ActualLrpKey, req.ActualLrpInstanceKey, req.ActualLrpNetInfo, routes, tags, routable, req.AvailabilityZone)
		})
}

func (h *Handler) crashActualLRP() http.HandlerFunc {
	return rpc(h, func() *models.CrashActualLRPRequest { return &models.CrashActualLRPRequest{} }, newLifecycleResponse,
		func(ctx context.Context, req *models.CrashActualLRPRequest, _ *models.ActualLRPLifecycleResponse) error {
			return h.ctrl.CrashActualLRP(ctx, req.ActualLrpKey, req.ActualLrpInstanceKey, req.ErrorMessage)
		})
}

func (h *Handler) failActualLRP() http.HandlerFunc {
	return rpc(h, func() *models.FailActualLRPRequest { return &models.FailActualLRPRequest{} }, newLifecycleResponse,
		func(ctx context.Context, req *models.FailActualLRPRequest, _ *models.ActualLRPLifecycleResponse) error {
			return h.ctrl.FailActualLRP(ctx, req.ActualLrpKey, req.ErrorMessage)
		})
}

func (h *Handler) removeActualLRP() http.HandlerFunc {
	return rpc(h, func() *models.RemoveActualLRPRequest { return &models.RemoveActualLRPRequest{} }, newLifecycleResponse,
		func(ctx context.Context, req *models.RemoveActualLRPRequest, _ *models.ActualLRPLifecycleResponse) error {
			return h.ctrl.RemoveActualLRP(ctx, req.ProcessGuid, req.Index, req.ActualLrpInstanceKey)
		})
}

func (h *Handler) retireActualLRP() http.HandlerFunc {
	return rpc(h, func() *models.RetireActualLRPRequest { return &models.RetireActualLRPRequest{} }, newLifecycleResponse,
		func(ctx context.Context, req *models.RetireActualLRPRequest, _ *models.ActualLRPLifecycleResponse) error {
			return h.ctrl.RetireActualLRP(ctx, req.ActualLrpKey)
		})
}

func newEvacuationResponse() *models.EvacuationResponse { return &models.EvacuationResponse{} }

func (h *Handler) removeEvacuatingActualLRP() http.HandlerFunc {
	return rpc(h, func() *models.RemoveEvacuatingActualLRPRequest { return &models.RemoveEvacuatingActualLRPRequest{} },
		func() *models.RemoveEvacuatingActualLRPResponse { return &models.RemoveEvacuatingActualLRPResponse{} },
		func(ctx context.Context, req *models.RemoveEvacuatingActualLRPRequest, _ *models.RemoveEvacuatingActualLRPResponse) error {
			return h.ctrl.RemoveEvacuatingActualLRP(ctx, req.ActualLrpKey, req.ActualLrpInstanceKey)
		})
}

func (h *Handler) evacuateClaimedActualLRP() http.HandlerFunc {
	return rpc(h, func() *models.EvacuateClaimedActualLRPRequest { return &models.EvacuateClaimedActualLRPRequest{} }, newEvacuationResponse,
		func(ctx context.Context, req *models.EvacuateClaimedActualLRPRequest, resp *models.EvacuationResponse) error {
			keep, err := h.ctrl.EvacuateClaimedActualLRP(ctx, req.ActualLrpKey, req.ActualLrpInstanceKey)
			resp.KeepContainer = keep
			return err
		})
}

func (h *Handler) evacuateCrashedActualLRP() http.HandlerFunc {
	return rpc(h, func() *models.EvacuateCrashedActualLRPRequest { return &models.EvacuateCrashedActualLRPRequest{} }, newEvacuationResponse,
		func(ctx context.Context, req *models.EvacuateCrashedActualLRPRequest, resp *models.EvacuationResponse) error {
			return h.ctrl.EvacuateCrashedActualLRP(ctx, req.ActualLrpKey, req.ActualLrpInstanceKey, req.ErrorMessage)
		})
}

func (h *Handler) evacuateStoppedActualLRP() http.HandlerFunc {
	return rpc(h, func() *models.EvacuateStoppedActualLRPRequest { return &models.EvacuateStoppedActualLRPRequest{} }, newEvacuationResponse,
		func(ctx context.Context, req *models.EvacuateStoppedActualLRPRequest, resp *models.EvacuationResponse) error {
			return h.ctrl.EvacuateStoppedActualLRP(ctx, req.ActualLrpKey, req.ActualLrpInstanceKey)
		})
}

// evacuateRunningActualLRP serves evacuate_running.r1 and, with
// withRoutesAndTags false, the deprecated r0 route.
func (h *Handler) evacuateRunningActualLRP(withRoutesAndTags bool) http.HandlerFunc {
	return rpc(h, func() *models.EvacuateRunningActualLRPRequest { return &models.EvacuateRunningActualLRPRequest{} }, newEvacuationResponse,
		func(ctx context.Context, req *models.EvacuateRunningActualLRPRequest, resp *models.EvacuationResponse) error {
			var routes []*models.ActualLRPInternalRoute
			var tags map[string]string
			if withRoutesAndTags {
				routes, tags = req.ActualLrpInternalRoutes, req.MetricTags
			}
			routable := true
			if r, ok := req.OptionalRoutable.(*models.EvacuateRunningActualLRPRequest_Routable); ok {
				routable = r.Routable
			}
			keep, err := h.ctrl.EvacuateRunningActualLRP(ctx, req.ActualLrpKey, req.ActualLrpInstanceKey, req.ActualLrpNetInfo, routes, tags, routable, req.AvailabilityZone)
			resp.KeepContainer = keep
			return err
		})
}
