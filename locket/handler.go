// Package locket is the Locket server: the gRPC handler for
// models.Locket (Lock, Fetch, Release, FetchAll) with upstream's semantics
// and error codes, the TTL timers that expire locks nobody refreshes, the
// burglar that adopts stored locks after a restart, and the gRPC runner.
// Storage is db/locketdb; the client side is locket/client.
package locket

import (
	"context"
	"errors"

	"code.cloudfoundry.org/lager/v3"
	"google.golang.org/grpc/metadata"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/db/locketdb"
	"github.com/godiego/diego/proto/locketmodels"
)

// Store is the storage the handler needs (locketdb.Store).
type Store interface {
	Lock(ctx context.Context, resource *locketmodels.Resource, ttlInSeconds int64) (*locketdb.Lock, error)
	Release(ctx context.Context, resource *locketmodels.Resource) error
	Fetch(ctx context.Context, key string) (*locketdb.Lock, error)
	FetchAll(ctx context.Context, typeName string) ([]*locketdb.Lock, error)
}

// Handler serves models.Locket.
type Handler struct {
	locketmodels.UnimplementedLocketServer

	logger        lager.Logger
	store         Store
	expiry        *Expiry
	metrics       *Metrics
	unrecoverable func(error)
}

// NewHandler returns the gRPC handler. unrecoverable, when set, is called
// when the database reports a schema it cannot work with, so the daemon
// can exit as upstream's does.
func NewHandler(logger lager.Logger, store Store, expiry *Expiry, m *Metrics, unrecoverable func(error)) *Handler {
	if m == nil {
		m = NewMetrics(nil, nil)
	}
	return &Handler{logger: logger.Session("handler"), store: store, expiry: expiry, metrics: m, unrecoverable: unrecoverable}
}

// Lock takes or refreshes a lock and (re)arms its TTL.
func (h *Handler) Lock(ctx context.Context, req *locketmodels.LockRequest) (*locketmodels.LockResponse, error) {
	r := req.GetResource()
	logger := h.requestLogger(ctx, "lock", r.GetKey(), r.GetOwner())
	done := h.metrics.begin("Lock")
	err := func() error {
		if err := locketmodels.ValidateType(r.GetType(), r.GetTypeCode()); err != nil {
			return err
		}
		if req.GetTtlInSeconds() <= 0 {
			return locketmodels.ErrInvalidTTL
		}
		if r.GetOwner() == "" {
			return locketmodels.ErrInvalidOwner
		}
		lock, err := h.store.Lock(ctx, r, req.GetTtlInSeconds())
		if err != nil {
			return err
		}
		h.expiry.Register(lock)
		return nil
	}()
	if err != nil {
		return nil, h.fail(logger, done, err)
	}
	done("success")
	return &locketmodels.LockResponse{}, nil
}

// Release gives up a lock; releasing a missing lock succeeds.
func (h *Handler) Release(ctx context.Context, req *locketmodels.ReleaseRequest) (*locketmodels.ReleaseResponse, error) {
	r := req.GetResource()
	logger := h.requestLogger(ctx, "release", r.GetKey(), r.GetOwner())
	done := h.metrics.begin("Release")
	if err := h.store.Release(ctx, r); err != nil {
		return nil, h.fail(logger, done, err)
	}
	done("success")
	return &locketmodels.ReleaseResponse{}, nil
}

// Fetch returns one held lock.
func (h *Handler) Fetch(ctx context.Context, req *locketmodels.FetchRequest) (*locketmodels.FetchResponse, error) {
	logger := h.requestLogger(ctx, "fetch", req.GetKey(), "")
	done := h.metrics.begin("Fetch")
	lock, err := h.store.Fetch(ctx, req.GetKey())
	if err != nil {
		return nil, h.fail(logger, done, err)
	}
	done("success")
	return &locketmodels.FetchResponse{Resource: lock.Resource}, nil
}

// FetchAll returns every held lock of the requested type.
func (h *Handler) FetchAll(ctx context.Context, req *locketmodels.FetchAllRequest) (*locketmodels.FetchAllResponse, error) {
	logger := h.requestLogger(ctx, "fetch-all", "", "")
	done := h.metrics.begin("FetchAll")
	if err := locketmodels.ValidateType(req.GetType(), req.GetTypeCode()); err != nil {
		return nil, h.fail(logger, done, err)
	}
	locks, err := h.store.FetchAll(ctx, locketmodels.TypeName(req.GetType(), req.GetTypeCode()))
	if err != nil {
		return nil, h.fail(logger, done, err)
	}
	resp := &locketmodels.FetchAllResponse{Resources: make([]*locketmodels.Resource, 0, len(locks))}
	for _, l := range locks {
		resp.Resources = append(resp.Resources, l.Resource)
	}
	done("success")
	return resp, nil
}

// fail translates a storage error into the gRPC error upstream returns,
// logs and counts it. Collisions are the normal lot of a follower and
// count as successes, as upstream counts them.
func (h *Handler) fail(logger lager.Logger, done func(string), err error) error {
	wire := toWire(err)
	switch {
	case wire == locketmodels.ErrLockCollision:
		done("success")
		logger.Debug("lock-collision")
	case wire == locketmodels.ErrResourceNotFound:
		done("failure")
		logger.Debug("resource-not-found")
	default:
		done("failure")
		logger.Error("request-failed", err)
	}
	if errors.Is(err, db.ErrUnrecoverable) && h.unrecoverable != nil {
		h.unrecoverable(err)
	}
	return wire
}

func toWire(err error) error {
	switch {
	case errors.Is(err, locketdb.ErrCollision):
		return locketmodels.ErrLockCollision
	case errors.Is(err, db.ErrNotFound):
		return locketmodels.ErrResourceNotFound
	}
	return err
}

func (h *Handler) requestLogger(ctx context.Context, op, key, owner string) lager.Logger {
	data := lager.Data{"key": key}
	if owner != "" {
		data["owner"] = owner
	}
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		if ids := md.Get("uuid"); len(ids) > 0 {
			data["request-uuid"] = ids[0]
		}
	}
	return h.logger.Session(op, data)
}
