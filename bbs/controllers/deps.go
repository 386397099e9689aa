// Package controllers owns the BBS's orchestration: every change a request
// or a convergence pass makes goes through here, which calls the store,
// emits the events for what was committed, and performs the side effects
// (auctions, rep stop/cancel/update calls, task completion callbacks).
package controllers

import (
	"context"
	"errors"

	"code.cloudfoundry.org/lager/v3"

	auctioneer "github.com/godiego/diego/auctioneer/client"
	"github.com/godiego/diego/bbs/events"
	"github.com/godiego/diego/proto/models"
	rep "github.com/godiego/diego/rep/client"
)

// Auctioneer receives placement requests.
type Auctioneer interface {
	RequestLRPAuctions(ctx context.Context, starts []auctioneer.LRPStartRequest) error
	RequestTaskAuctions(ctx context.Context, tasks []auctioneer.TaskStartRequest) error
}

// Rep is the part of one cell's rep the BBS calls.
type Rep interface {
	StopLRPInstance(ctx context.Context, processGUID, instanceGUID string) error
	CancelTask(ctx context.Context, taskGUID string) error
	UpdateLRPInstance(ctx context.Context, update rep.LRPUpdate) error
}

// RepClients returns the rep of a cell.
type RepClients interface {
	Rep(cell *models.CellPresence) (Rep, error)
}

// Cells lists the live cells (locket presences).
type Cells interface {
	Cells(ctx context.Context) ([]*models.CellPresence, error)
}

// Emitter receives committed changes as events.
type Emitter interface {
	Emit(evs ...events.Event)
}

// CellByID looks a cell up in the presence list; it returns
// models.ErrResourceNotFound when no presence has that id.
func CellByID(ctx context.Context, cells Cells, id string) (*models.CellPresence, error) {
	if cells == nil {
		return nil, models.ErrResourceNotFound
	}
	list, err := cells.Cells(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range list {
		if c.GetCellId() == id {
			return c, nil
		}
	}
	return nil, models.ErrResourceNotFound
}

// isNotFound reports a ResourceNotFound store error.
func isNotFound(err error) bool {
	var me *models.Error
	return errors.As(err, &me) && me.Type == models.Error_ResourceNotFound
}

type ctxKey struct{}

// WithTraceID returns a context carrying the request's trace id; calls to
// the auctioneer and the reps forward it.
func WithTraceID(ctx context.Context, id string) context.Context {
	ctx = context.WithValue(ctx, ctxKey{}, id)
	return rep.WithRequestID(ctx, id)
}

// TraceID returns the trace id carried by ctx.
func TraceID(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

type loggerKey struct{}

// WithLogger returns a context carrying the request's logger.
func WithLogger(ctx context.Context, l lager.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, l)
}

// Logger returns the logger ctx carries, or fallback.
func Logger(ctx context.Context, fallback lager.Logger) lager.Logger {
	if l, ok := ctx.Value(loggerKey{}).(lager.Logger); ok {
		return l
	}
	return fallback
}
