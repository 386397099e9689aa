package handlers

import (
	"context"
	"net/http"

	"github.com/godiego/diego/proto/models"
)

func newTaskLifecycleResponse() *models.TaskLifecycleResponse { return &models.TaskLifecycleResponse{} }

func newTaskGuidRequest() *models.TaskGuidRequest { return &models.TaskGuidRequest{} }

func (h *Handler) desireTask() http.HandlerFunc {
	return rpc(h, func() *models.DesireTaskRequest { return &models.DesireTaskRequest{} }, newTaskLifecycleResponse,
		func(ctx context.Context, req *models.DesireTaskRequest, _ *models.TaskLifecycleResponse) error {
			return h.ctrl.DesireTask(ctx, req.TaskDefinition, req.TaskGuid, req.Domain)
		})
}

func (h *Handler) startTask() http.HandlerFunc {
	return rpc(h, func() *models.StartTaskRequest { return &models.StartTaskRequest{} },
		func() *models.StartTaskResponse { return &models.StartTaskResponse{} },
		func(ctx context.Context, req *models.StartTaskRequest, resp *models.StartTaskResponse) error {
			should, err := h.ctrl.StartTask(ctx, req.TaskGuid, req.CellId)
			resp.ShouldStart = should
			return err
		})
}

func (h *Handler) cancelTask() http.HandlerFunc {
	return rpc(h, newTaskGuidRequest, newTaskLifecycleResponse,
		func(ctx context.Context, req *models.TaskGuidRequest, _ *models.TaskLifecycleResponse) error {
			return h.ctrl.CancelTask(ctx, req.TaskGuid)
		})
}

func (h *Handler) rejectTask() http.HandlerFunc {
	return rpc(h, func() *models.RejectTaskRequest { return &models.RejectTaskRequest{} }, newTaskLifecycleResponse,
		func(ctx context.Context, req *models.RejectTaskRequest, _ *models.TaskLifecycleResponse) error {
			return h.ctrl.RejectTask(ctx, req.TaskGuid, req.RejectionReason)
		})
}

func (h *Handler) completeTask() http.HandlerFunc {
	return rpc(h, func() *models.CompleteTaskRequest { return &models.CompleteTaskRequest{} }, newTaskLifecycleResponse,
		func(ctx context.Context, req *models.CompleteTaskRequest, _ *models.TaskLifecycleResponse) error {
			return h.ctrl.CompleteTask(ctx, req.TaskGuid, req.CellId, req.Failed, req.FailureReason, req.Result)
		})
}

func (h *Handler) resolvingTask() http.HandlerFunc {
	return rpc(h, newTaskGuidRequest, newTaskLifecycleResponse,
		func(ctx context.Context, req *models.TaskGuidRequest, _ *models.TaskLifecycleResponse) error {
			return h.ctrl.ResolvingTask(ctx, req.TaskGuid)
		})
}

func (h *Handler) deleteTask() http.HandlerFunc {
	return rpc(h, newTaskGuidRequest, newTaskLifecycleResponse,
		func(ctx context.Context, req *models.TaskGuidRequest, _ *models.TaskLifecycleResponse) error {
			return h.ctrl.DeleteTask(ctx, req.TaskGuid)
		})
}
