package controllers

import (
	"context"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/bbs/events"
	"github.com/godiego/diego/db/bbsdb"
	"github.com/godiego/diego/proto/models"
)

// Controller performs every BBS change. Its fields are its collaborators;
// set them all (Auctioneer and Callbacks may be nil: no auctions, no
// callbacks). Time enters only through the store's clock.
type Controller struct {
	Store      bbsdb.Store
	Auctioneer Auctioneer
	Reps       RepClients
	Cells      Cells
	Emitter    Emitter
	Logger     lager.Logger
	// MaxTaskRetries is how many rejections a task survives (max_task_retries).
	MaxTaskRetries int
	// Callbacks runs task completion callbacks; nil disables them.
	Callbacks *TaskCallbacks
	// UpdateWorkers bounds the parallel instance creations of one desire
	// or scale-up request (update_workers).
	UpdateWorkers int

	serial Serializer // orders commits and their events; see Serializer
}

func (c *Controller) logger(ctx context.Context) lager.Logger {
	return Logger(ctx, c.Logger)
}

func (c *Controller) emit(evs ...events.Event) {
	if c.Emitter != nil && len(evs) > 0 {
		c.Emitter.Emit(evs...)
	}
}

// lrpRows reads every row of one (process guid, index).
func (c *Controller) lrpRows(ctx context.Context, pg string, index int32) ([]*models.ActualLRP, error) {
	i := index
	return c.Store.ActualLRPs(ctx, bbsdb.ActualLRPFilter{ProcessGUID: pg, Index: &i})
}

// changeLRP runs change with the rows of (pg, index) locked, then emits the
// events for the difference between the rows before and after. change
// reports whether the change was a crash report (for crash events).
func (c *Controller) changeLRP(ctx context.Context, pg string, index int32, change func(before []*models.ActualLRP) (crashed bool, err error)) error {
	unlock := c.serial.Lock(pg)
	defer unlock()
	before, err := c.lrpRows(ctx, pg, index)
	if err != nil && !isNotFound(err) {
		return err
	}
	crashed, changeErr := change(before)
	after, err := c.lrpRows(ctx, pg, index)
	if err != nil && !isNotFound(err) {
		c.logger(ctx).Error("failed-to-reread-actual-lrps", err, lager.Data{"process_guid": pg, "index": index})
		return changeErr
	}
	c.emit(events.ActualLRPEvents(before, after, crashed, TraceID(ctx))...)
	return changeErr
}

func byInstance(lrps []*models.ActualLRP, ik *models.ActualLRPInstanceKey) *models.ActualLRP {
	for _, l := range lrps {
		k := l.GetActualLrpInstanceKey()
		if k.GetInstanceGuid() == ik.GetInstanceGuid() && k.GetCellId() == ik.GetCellId() {
			return l
		}
	}
	return nil
}

func byPresence(lrps []*models.ActualLRP, p models.ActualLRP_Presence) *models.ActualLRP {
	for _, l := range lrps {
		if l.Presence == p {
			return l
		}
	}
	return nil
}
