package handlers

import (
	"context"
	"net/http"

	"github.com/godiego/diego/proto/models"
)

func newDesiredLifecycleResponse() *models.DesiredLRPLifecycleResponse {
	return &models.DesiredLRPLifecycleResponse{}
}

func (h *Handler) desireDesiredLRP() http.HandlerFunc {
	return rpc(h, func() *models.DesireLRPRequest { return &models.DesireLRPRequest{} }, newDesiredLifecycleResponse,
		func(ctx context.Context, req *models.DesireLRPRequest, _ *models.DesiredLRPLifecycleResponse) error {
			return h.ctrl.DesireLRP(ctx, req.DesiredLrp)
		})
}

func (h *Handler) updateDesiredLRP() http.HandlerFunc {
	return rpc(h, func() *models.UpdateDesiredLRPRequest { return &models.UpdateDesiredLRPRequest{} }, newDesiredLifecycleResponse,
		func(ctx context.Context, req *models.UpdateDesiredLRPRequest, _ *models.DesiredLRPLifecycleResponse) error {
			return h.ctrl.UpdateDesiredLRP(ctx, req.ProcessGuid, req.Update)
		})
}

func (h *Handler) removeDesiredLRP() http.HandlerFunc {
	return rpc(h, func() *models.RemoveDesiredLRPRequest { return &models.RemoveDesiredLRPRequest{} }, newDesiredLifecycleResponse,
		func(ctx context.Context, req *models.RemoveDesiredLRPRequest, _ *models.DesiredLRPLifecycleResponse) error {
			return h.ctrl.RemoveDesiredLRP(ctx, req.ProcessGuid)
		})
}
