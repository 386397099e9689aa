package bbsdb

import (
	"context"
	"strings"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/proto/models"
)

// Failure reasons the store writes itself.
const (
	taskCancelledReason          = "task was cancelled"
	expiredFailureReason         = "not started within time limit"
	cellDisappearedFailureReason = "cell disappeared before completion"
)

const taskColumns = `guid, domain, updated_at, created_at, first_completed_at, state, cell_id, result,
	failed, failure_reason, task_definition, rejection_count, rejection_reason`

type taskRow struct {
	task *models.Task
	def  []byte
}

func scanTaskRow(sc scanner) (*taskRow, error) {
	var (
		t                           models.Task
		updated, created, completed *int64
		state                       *int64
		result                      *string
		failed                      *bool
		r                           taskRow
	)
	if err := sc.Scan(&t.TaskGuid, &t.Domain, &updated, &created, &completed, &state, &t.CellId, &result,
		&failed, &t.FailureReason, &r.def, &t.RejectionCount, &t.RejectionReason); err != nil {
		return nil, err
	}
	t.UpdatedAt, t.CreatedAt, t.FirstCompletedAt = deref(updated), deref(created), deref(completed)
	t.State = models.Task_State(deref(state))
	if result != nil {
		t.Result = *result
	}
	t.Failed = failed != nil && *failed
	r.task = &t
	return &r, nil
}

func (s *SQLDB) decodeTaskRow(r *taskRow) error {
	def := &models.TaskDefinition{}
	if err := s.decodeModel(r.def, def); err != nil {
		return err
	}
	r.task.TaskDefinition = def
	return nil
}

// queryTasks reads tasks inside tx; undecodable ones are deleted, as upstream.
func (s *SQLDB) queryTasks(ctx context.Context, tx *db.Tx, where string, args ...any) ([]*models.Task, error) {
	q := "SELECT " + taskColumns + " FROM tasks"
	if where != "" {
		q += " WHERE " + where
	}
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	var raw []*taskRow
	for rows.Next() {
		r, err := scanTaskRow(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		raw = append(raw, r)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, err
	}
	rows.Close()
	errs := parallelDecode(len(raw), func(i int) error { return s.decodeTaskRow(raw[i]) })
	out := make([]*models.Task, 0, len(raw))
	for i, r := range raw {
		if errs[i] != nil {
			if _, err := tx.Exec(ctx, "DELETE FROM tasks WHERE guid = ?", r.task.TaskGuid); err != nil {
				return nil, err
			}
			continue
		}
		out = append(out, r.task)
	}
	return out, nil
}

func (s *SQLDB) fetchTask(ctx context.Context, tx *db.Tx, guid string, lock bool) (*models.Task, error) {
	q := "SELECT " + taskColumns + " FROM tasks WHERE guid = ?"
	if lock {
		q += tx.Flavor().ForUpdate()
	}
	r, err := scanTaskRow(tx.QueryRow(ctx, q, guid))
	if err != nil {
		return nil, err
	}
	if err := s.decodeTaskRow(r); err != nil {
		return nil, err
	}
	return r.task, nil
}

// Tasks returns the tasks matching filter.
func (s *SQLDB) Tasks(ctx context.Context, filter TaskFilter) ([]*models.Task, error) {
	var wheres []string
	var args []any
	if filter.Domain != "" {
		wheres, args = append(wheres, "domain = ?"), append(args, filter.Domain)
	}
	if filter.CellID != "" {
		wheres, args = append(wheres, "cell_id = ?"), append(args, filter.CellID)
	}
	var out []*models.Task
	err := s.transact(ctx, func(tx *db.Tx) error {
		var err error
		out, err = s.queryTasks(ctx, tx, strings.Join(wheres, " AND "), args...)
		return err
	})
	if out == nil {
		out = []*models.Task{}
	}
	return out, err
}

// TaskByGuid returns one task or ResourceNotFound.
func (s *SQLDB) TaskByGuid(ctx context.Context, taskGUID string) (*models.Task, error) {
	var out *models.Task
	err := s.transact(ctx, func(tx *db.Tx) error {
		var err error
		out, err = s.fetchTask(ctx, tx, taskGUID, false)
		return err
	})
	return out, err
}

// DesireTask inserts a Pending task; an existing guid is ResourceExists.
func (s *SQLDB) DesireTask(ctx context.Context, def *models.TaskDefinition, taskGUID, domain string) (*models.Task, error) {
	blob, err := s.encodeModel(def)
	if err != nil {
		return nil, err
	}
	now := s.nowNano()
	err = s.transact(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO tasks (guid, domain, created_at, updated_at, first_completed_at, state, task_definition)
	VALUES (?, ?, ?, ?, 0, ?, ?)`, taskGUID, domain, now, now, int32(models.Task_Pending), blob)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &models.Task{TaskDefinition: def, TaskGuid: taskGUID, Domain: domain, CreatedAt: now, UpdatedAt: now, State: models.Task_Pending}, nil
}

// taskOp runs fn on the locked task and writes what it changed.
func (s *SQLDB) taskOp(ctx context.Context, guid string, fn func(tx *db.Tx, t *models.Task) error) (before, after *models.Task, err error) {
	err = s.transact(ctx, func(tx *db.Tx) error {
		before, after = nil, nil
		t, err := s.fetchTask(ctx, tx, guid, true)
		if err != nil {
			return err
		}
		before = protoClone(t)
		if err := fn(tx, t); err != nil {
			return err
		}
		after = t
		return nil
	})
	return before, after, err
}

func updateTask(ctx context.Context, tx *db.Tx, guid string, set *setClause) error {
	_, err := tx.Exec(ctx, "UPDATE tasks SET "+joinCols(set.cols)+" WHERE guid = ?", append(set.args, guid)...)
	return err
}

// StartTask moves a Pending task to Running on cellID. Starting a task
// already running on the same cell is a no-op (shouldStart false).
func (s *SQLDB) StartTask(ctx context.Context, taskGUID, cellID string) (before, after *models.Task, shouldStart bool, err error) {
	before, after, err = s.taskOp(ctx, taskGUID, func(tx *db.Tx, t *models.Task) error {
		shouldStart = false
		if t.State == models.Task_Running && t.CellId == cellID {
			return nil
		}
		if err := t.ValidateTransitionTo(models.Task_Running); err != nil {
			return err
		}
		t.State, t.UpdatedAt, t.CellId = models.Task_Running, s.nowNano(), cellID
		shouldStart = true
		return updateTask(ctx, tx, taskGUID, (&setClause{}).add("state", int32(t.State)).add("updated_at", t.UpdatedAt).add("cell_id", cellID))
	})
	return before, after, shouldStart, err
}

// completeTask marks t Completed and writes it.
func (s *SQLDB) completeTask(ctx context.Context, tx *db.Tx, t *models.Task, failed bool, reason, result string) error {
	now := s.nowNano()
	t.State, t.UpdatedAt, t.FirstCompletedAt = models.Task_Completed, now, now
	t.Failed, t.FailureReason, t.Result, t.CellId = failed, truncate(reason, maxErrorColumn), result, ""
	return updateTask(ctx, tx, t.TaskGuid, (&setClause{}).add("failed", failed).add("failure_reason", t.FailureReason).
		add("result", result).add("state", int32(t.State)).add("first_completed_at", now).add("updated_at", now).add("cell_id", ""))
}

// CancelTask completes a Pending or Running task as failed "task was
// cancelled" and returns the cell it was running on.
func (s *SQLDB) CancelTask(ctx context.Context, taskGUID string) (before, after *models.Task, cellID string, err error) {
	before, after, err = s.taskOp(ctx, taskGUID, func(tx *db.Tx, t *models.Task) error {
		cellID = t.CellId
		if err := t.ValidateTransitionTo(models.Task_Completed); err != nil && t.State != models.Task_Pending {
			return err
		}
		return s.completeTask(ctx, tx, t, true, taskCancelledReason, "")
	})
	if err != nil {
		cellID = ""
	}
	return before, after, cellID, err
}

// FailTask completes a Pending or Running task as failed.
func (s *SQLDB) FailTask(ctx context.Context, taskGUID, failureReason string) (before, after *models.Task, err error) {
	return s.taskOp(ctx, taskGUID, func(tx *db.Tx, t *models.Task) error {
		if err := t.ValidateTransitionTo(models.Task_Completed); err != nil && t.State != models.Task_Pending {
			return err
		}
		return s.completeTask(ctx, tx, t, true, failureReason, "")
	})
}

// RejectTask returns a Pending or Running task to Pending with one more
// rejection; when maxRetries rejections had already happened it is
// completed as failed with the rejection reason instead.
func (s *SQLDB) RejectTask(ctx context.Context, taskGUID, rejectionReason string, maxRetries int) (before, after *models.Task, err error) {
	return s.taskOp(ctx, taskGUID, func(tx *db.Tx, t *models.Task) error {
		if t.State != models.Task_Pending && t.State != models.Task_Running {
			return models.ErrBadRequest
		}
		previous := t.RejectionCount
		t.RejectionCount++
		t.RejectionReason = truncate(rejectionReason, maxErrorColumn)
		t.State = models.Task_Pending
		t.UpdatedAt = s.nowNano()
		if err := updateTask(ctx, tx, taskGUID, (&setClause{}).add("rejection_count", t.RejectionCount).
			add("rejection_reason", t.RejectionReason).add("updated_at", t.UpdatedAt).add("state", int32(t.State))); err != nil {
			return err
		}
		if int(previous) >= maxRetries {
			return s.completeTask(ctx, tx, t, true, rejectionReason, "")
		}
		return nil
	})
}

// CompleteTask completes a Running task on cellID with its result.
func (s *SQLDB) CompleteTask(ctx context.Context, taskGUID, cellID string, failed bool, failureReason, result string) (before, after *models.Task, err error) {
	return s.taskOp(ctx, taskGUID, func(tx *db.Tx, t *models.Task) error {
		if t.CellId != cellID && t.State == models.Task_Running {
			return models.NewRunningOnDifferentCellError(cellID, t.CellId)
		}
		if err := t.ValidateTransitionTo(models.Task_Completed); err != nil {
			return err
		}
		return s.completeTask(ctx, tx, t, failed, failureReason, result)
	})
}

// ResolvingTask moves a Completed task to Resolving.
func (s *SQLDB) ResolvingTask(ctx context.Context, taskGUID string) (before, after *models.Task, err error) {
	return s.taskOp(ctx, taskGUID, func(tx *db.Tx, t *models.Task) error {
		if err := t.ValidateTransitionTo(models.Task_Resolving); err != nil {
			return err
		}
		t.State, t.UpdatedAt = models.Task_Resolving, s.nowNano()
		return updateTask(ctx, tx, taskGUID, (&setClause{}).add("state", int32(t.State)).add("updated_at", t.UpdatedAt))
	})
}

// DeleteTask deletes a Resolving task and returns it.
func (s *SQLDB) DeleteTask(ctx context.Context, taskGUID string) (*models.Task, error) {
	_, removed, err := s.taskOp(ctx, taskGUID, func(tx *db.Tx, t *models.Task) error {
		if t.State != models.Task_Resolving {
			return models.NewTaskTransitionError(t.State, models.Task_Resolving)
		}
		_, err := tx.Exec(ctx, "DELETE FROM tasks WHERE guid = ?", taskGUID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return removed, nil
}
