package bbsdb

import (
	"context"
	"sort"
	"time"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/proto/models"
)

// taskPlan is what one task convergence pass will do.
type taskPlan struct {
	expire   []TaskChange // Pending too long: completed, failed
	cellGone []TaskChange // Running on a vanished cell: completed, failed
	demote   []TaskChange // Resolving too long: back to Completed
	remove   []*models.Task
	auction  []*models.Task
	complete []*models.Task
}

// planTaskConvergence decides a task pass from every task. It is pure.
func planTaskConvergence(tasks []*models.Task, cells CellSet, now time.Time, kick, expirePending, expireCompleted time.Duration) *taskPlan {
	p := &taskPlan{}
	n := now.UnixNano()
	pendingCutoff := now.Add(-expirePending).UnixNano()
	kickCutoff := now.Add(-kick).UnixNano()
	completedCutoff := now.Add(-expireCompleted).UnixNano()
	failed := func(t *models.Task, reason string) TaskChange {
		after := protoClone(t)
		after.State, after.Failed, after.FailureReason, after.Result = models.Task_Completed, true, reason, ""
		after.FirstCompletedAt, after.UpdatedAt, after.CellId = n, n, ""
		return TaskChange{Before: t, After: after}
	}
	sorted := append([]*models.Task(nil), tasks...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].GetTaskGuid() < sorted[j].GetTaskGuid() })
	for _, t := range sorted {
		switch t.GetState() {
		case models.Task_Pending:
			switch {
			case t.GetCreatedAt() < pendingCutoff:
				p.expire = append(p.expire, failed(t, expiredFailureReason))
			case t.GetCreatedAt() > pendingCutoff:
				p.auction = append(p.auction, t)
			}
		case models.Task_Running:
			if _, ok := cells[t.GetCellId()]; !ok || len(cells) == 0 {
				p.cellGone = append(p.cellGone, failed(t, cellDisappearedFailureReason))
			}
		case models.Task_Resolving, models.Task_Completed:
			cur := t
			if t.GetState() == models.Task_Resolving {
				if t.GetUpdatedAt() >= kickCutoff {
					continue
				}
				cur = protoClone(t)
				cur.State = models.Task_Completed
				p.demote = append(p.demote, TaskChange{Before: t, After: cur})
			}
			switch {
			case cur.GetFirstCompletedAt() < completedCutoff:
				p.remove = append(p.remove, cur)
			case cur.GetUpdatedAt() < kickCutoff:
				p.complete = append(p.complete, cur)
			}
		}
	}
	return p
}

// ConvergeTasks runs one task convergence pass.
func (s *SQLDB) ConvergeTasks(ctx context.Context, cells CellSet, kick, expirePending, expireCompleted time.Duration) (TaskConvergenceResult, error) {
	now := s.clock.Now()
	tasks, err := s.Tasks(ctx, TaskFilter{})
	if err != nil {
		return TaskConvergenceResult{}, err
	}
	p := planTaskConvergence(tasks, cells, now, kick, expirePending, expireCompleted)
	res := TaskConvergenceResult{TasksToAuction: p.auction, TasksToComplete: p.complete}

	completeSet := func(reason string) *setClause {
		n := now.UnixNano()
		return (&setClause{}).add("failed", true).add("failure_reason", reason).add("result", "").
			add("state", int32(models.Task_Completed)).add("first_completed_at", n).add("updated_at", n).add("cell_id", "")
	}
	groups := []struct {
		changes []TaskChange
		from    models.Task_State
		set     *setClause
	}{
		{p.expire, models.Task_Pending, completeSet(expiredFailureReason)},
		{p.cellGone, models.Task_Running, completeSet(cellDisappearedFailureReason)},
		{p.demote, models.Task_Resolving, (&setClause{}).add("state", int32(models.Task_Completed))},
	}
	for _, g := range groups {
		guids := make([]string, len(g.changes))
		for i, c := range g.changes {
			guids[i] = c.Before.GetTaskGuid()
		}
		if err := s.updateTasksIn(ctx, guids, g.from, g.set); err != nil {
			return res, err
		}
		res.Changes = append(res.Changes, g.changes...)
	}
	guids := make([]string, len(p.remove))
	for i, t := range p.remove {
		guids[i] = t.GetTaskGuid()
	}
	if err := s.deleteTasksIn(ctx, guids); err != nil {
		return res, err
	}
	for _, t := range p.remove {
		res.Changes = append(res.Changes, TaskChange{Before: t})
	}
	return res, nil
}

// updateTasksIn applies set to the tasks still in state from, in batches.
func (s *SQLDB) updateTasksIn(ctx context.Context, guids []string, from models.Task_State, set *setClause) error {
	for lo := 0; lo < len(guids); lo += schedulingInfoBatch {
		batch := guids[lo:min(lo+schedulingInfoBatch, len(guids))]
		args := append([]any{}, set.args...)
		args = append(args, int32(from))
		for _, g := range batch {
			args = append(args, g)
		}
		err := s.transact(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE tasks SET "+joinCols(set.cols)+" WHERE state = ? AND guid IN ("+db.Placeholders(len(batch))+")", args...)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// deleteTasksIn deletes the Completed tasks among guids, in batches.
func (s *SQLDB) deleteTasksIn(ctx context.Context, guids []string) error {
	for lo := 0; lo < len(guids); lo += schedulingInfoBatch {
		batch := guids[lo:min(lo+schedulingInfoBatch, len(guids))]
		args := []any{int32(models.Task_Completed)}
		for _, g := range batch {
			args = append(args, g)
		}
		err := s.transact(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, "DELETE FROM tasks WHERE state = ? AND guid IN ("+db.Placeholders(len(batch))+")", args...)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}
