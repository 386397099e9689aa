package controllers

import (
	"context"

	"code.cloudfoundry.org/lager/v3"

	auctioneer "github.com/godiego/diego/auctioneer/client"
	"github.com/godiego/diego/bbs/events"
	"github.com/godiego/diego/proto/models"
)

// changeTask runs change with the task locked and emits the change it reports.
func (c *Controller) changeTask(guid string, change func() (before, after *models.Task, err error)) (*models.Task, error) {
	unlock := c.serial.Lock("task:" + guid)
	defer unlock()
	before, after, err := change()
	if err != nil {
		return nil, err
	}
	if before != nil || after != nil {
		c.emit(events.TaskEvent(before, after))
	}
	return after, nil
}

// DesireTask stores a new task and auctions it.
func (c *Controller) DesireTask(ctx context.Context, def *models.TaskDefinition, guid, domain string) error {
	task, err := c.changeTask(guid, func() (*models.Task, *models.Task, error) {
		t, err := c.Store.DesireTask(ctx, def, guid, domain)
		return nil, t, err
	})
	if err != nil {
		return err
	}
	auctionTasks(ctx, c.logger(ctx), c.Auctioneer, []auctioneer.TaskStartRequest{TaskStartRequest(task)})
	return nil
}

// StartTask records that a cell starts a task; shouldStart is false when
// the cell already runs it.
func (c *Controller) StartTask(ctx context.Context, guid, cellID string) (shouldStart bool, err error) {
	_, err = c.changeTask(guid, func() (*models.Task, *models.Task, error) {
		before, after, should, err := c.Store.StartTask(ctx, guid, cellID)
		shouldStart = should
		if !should {
			return nil, nil, err
		}
		return before, after, err
	})
	return shouldStart, err
}

// CancelTask completes a task as cancelled, asks its cell (if any) to stop
// it and sends its callback.
func (c *Controller) CancelTask(ctx context.Context, guid string) error {
	var cellID string
	after, err := c.changeTask(guid, func() (*models.Task, *models.Task, error) {
		before, after, cell, err := c.Store.CancelTask(ctx, guid)
		cellID = cell
		return before, after, err
	})
	if err != nil {
		return err
	}
	c.submitCallback(after)
	if cellID == "" {
		return nil
	}
	cell, err := CellByID(ctx, c.Cells, cellID)
	if err != nil {
		return nil
	}
	r, err := c.Reps.Rep(cell)
	if err != nil {
		return err
	}
	if err := r.CancelTask(ctx, guid); err != nil {
		c.logger(ctx).Error("failed-to-cancel-task-on-rep", err, lager.Data{"task_guid": guid, "cell_id": cellID})
	}
	return nil
}

// FailTask completes a task as failed.
func (c *Controller) FailTask(ctx context.Context, guid, reason string) error {
	after, err := c.changeTask(guid, func() (*models.Task, *models.Task, error) {
		return c.Store.FailTask(ctx, guid, reason)
	})
	if err != nil {
		return err
	}
	c.submitCallback(after)
	return nil
}

// RejectTask returns a task to Pending, or fails it once it has been
// rejected MaxTaskRetries times.
func (c *Controller) RejectTask(ctx context.Context, guid, reason string) error {
	after, err := c.changeTask(guid, func() (*models.Task, *models.Task, error) {
		return c.Store.RejectTask(ctx, guid, reason, c.MaxTaskRetries)
	})
	if err != nil {
		return err
	}
	if after.GetState() == models.Task_Completed {
		c.submitCallback(after)
	}
	return nil
}

// CompleteTask records a task's result and sends its callback.
func (c *Controller) CompleteTask(ctx context.Context, guid, cellID string, failed bool, reason, result string) error {
	after, err := c.changeTask(guid, func() (*models.Task, *models.Task, error) {
		return c.Store.CompleteTask(ctx, guid, cellID, failed, reason, result)
	})
	if err != nil {
		return err
	}
	c.submitCallback(after)
	return nil
}

// ResolvingTask marks a completed task as being resolved by its owner.
func (c *Controller) ResolvingTask(ctx context.Context, guid string) error {
	_, err := c.changeTask(guid, func() (*models.Task, *models.Task, error) {
		return c.Store.ResolvingTask(ctx, guid)
	})
	return err
}

// DeleteTask deletes a resolving task.
func (c *Controller) DeleteTask(ctx context.Context, guid string) error {
	_, err := c.changeTask(guid, func() (*models.Task, *models.Task, error) {
		t, err := c.Store.DeleteTask(ctx, guid)
		return t, nil, err
	})
	return err
}

func (c *Controller) submitCallback(t *models.Task) {
	if c.Callbacks == nil || t.GetTaskDefinition().GetCompletionCallbackUrl() == "" {
		return
	}
	c.Callbacks.Submit(t)
}
