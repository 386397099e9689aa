package client

import (
	"context"

	"github.com/godiego/diego/bbs"
	"github.com/godiego/diego/proto/models"
)

// TaskFilter selects tasks; empty fields match everything.
type TaskFilter struct {
	Domain string
	CellID string
}

// Tasks lists tasks.
func (c *Client) Tasks(ctx context.Context, f TaskFilter) ([]*models.Task, error) {
	resp := &models.TasksResponse{}
	err := c.call(ctx, bbs.TasksRoute, &models.TasksRequest{Domain: f.Domain, CellId: f.CellID}, resp)
	return resp.Tasks, result(err, resp.Error)
}

// TaskByGuid returns one task.
func (c *Client) TaskByGuid(ctx context.Context, guid string) (*models.Task, error) {
	resp := &models.TaskResponse{}
	err := c.call(ctx, bbs.TaskByGuidRoute, &models.TaskByGuidRequest{TaskGuid: guid}, resp)
	return resp.Task, result(err, resp.Error)
}

// DesireTask creates a task.
func (c *Client) DesireTask(ctx context.Context, guid, domain string, def *models.TaskDefinition) error {
	return c.taskLifecycle(ctx, bbs.DesireTaskRoute, &models.DesireTaskRequest{TaskGuid: guid, Domain: domain, TaskDefinition: def})
}

// StartTask records that a cell starts a task; false means it should not.
func (c *Client) StartTask(ctx context.Context, guid, cellID string) (bool, error) {
	resp := &models.StartTaskResponse{}
	err := c.call(ctx, bbs.StartTaskRoute, &models.StartTaskRequest{TaskGuid: guid, CellId: cellID}, resp)
	return resp.ShouldStart, result(err, resp.Error)
}

// CancelTask cancels a task.
func (c *Client) CancelTask(ctx context.Context, guid string) error {
	return c.taskLifecycle(ctx, bbs.CancelTaskRoute, &models.TaskGuidRequest{TaskGuid: guid})
}

// FailTask fails a task (deprecated route).
func (c *Client) FailTask(ctx context.Context, guid, reason string) error {
	return c.taskLifecycle(ctx, bbs.FailTaskRoute, &models.FailTaskRequest{TaskGuid: guid, FailureReason: reason})
}

// RejectTask reports that a cell could not run a task.
func (c *Client) RejectTask(ctx context.Context, guid, reason string) error {
	return c.taskLifecycle(ctx, bbs.RejectTaskRoute, &models.RejectTaskRequest{TaskGuid: guid, RejectionReason: reason})
}

// CompleteTask records a task's result.
func (c *Client) CompleteTask(ctx context.Context, guid, cellID string, failed bool, reason, result string) error {
	return c.taskLifecycle(ctx, bbs.CompleteTaskRoute, &models.CompleteTaskRequest{
		TaskGuid: guid, CellId: cellID, Failed: failed, FailureReason: reason, Result: result})
}

// ResolvingTask marks a completed task as being resolved.
func (c *Client) ResolvingTask(ctx context.Context, guid string) error {
	return c.taskLifecycle(ctx, bbs.ResolvingTaskRoute, &models.TaskGuidRequest{TaskGuid: guid})
}

// DeleteTask deletes a resolving task.
func (c *Client) DeleteTask(ctx context.Context, guid string) error {
	return c.taskLifecycle(ctx, bbs.DeleteTaskRoute, &models.TaskGuidRequest{TaskGuid: guid})
}

func (c *Client) taskLifecycle(ctx context.Context, route string, req protoMessage) error {
	resp := &models.TaskLifecycleResponse{}
	err := c.call(ctx, route, req, resp)
	return result(err, resp.Error)
}
