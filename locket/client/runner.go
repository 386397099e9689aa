package client

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"code.cloudfoundry.org/lager/v3"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/godiego/diego/locket/clock"
	"github.com/godiego/diego/proto/locketmodels"
)

// ErrLockLost is wrapped by the error a lock runner exits with when a
// refresh of a held lock fails.
var ErrLockLost = errors.New("lost lock")

// ReleaseTimeout bounds the Release a runner sends when signalled.
const ReleaseTimeout = 5 * time.Second

// Runner holds one Locket resource. It is an ifrit.Runner: ready once the
// resource is held, refreshing it every retry interval, releasing it when
// signalled. A lock runner exits with ErrLockLost when a refresh of a held
// lock fails; a presence runner keeps trying to get it back instead.
type Runner struct {
	logger        lager.Logger
	client        locketmodels.LocketClient
	resource      *locketmodels.Resource
	ttlInSeconds  int64
	clock         clock.Clock
	retryInterval time.Duration
	exitOnLost    bool
}

// NewLockRunner returns a runner that exits when it loses the lock (bbs,
// auctioneer and route-emitter use TTL 15 s, retry SQLRetryInterval).
func NewLockRunner(logger lager.Logger, c locketmodels.LocketClient, resource *locketmodels.Resource,
	ttlInSeconds int64, clk clock.Clock, retryInterval time.Duration) *Runner {
	return newRunner(logger, c, resource, ttlInSeconds, clk, retryInterval, true)
}

// NewPresenceRunner returns a runner that keeps retrying after losing its
// resource (the rep's cell presence: TTL 15 s, retry RetryInterval).
func NewPresenceRunner(logger lager.Logger, c locketmodels.LocketClient, resource *locketmodels.Resource,
	ttlInSeconds int64, clk clock.Clock, retryInterval time.Duration) *Runner {
	return newRunner(logger, c, resource, ttlInSeconds, clk, retryInterval, false)
}

func newRunner(logger lager.Logger, c locketmodels.LocketClient, resource *locketmodels.Resource,
	ttl int64, clk clock.Clock, retry time.Duration, exitOnLost bool) *Runner {
	if clk == nil {
		clk = clock.Real()
	}
	return &Runner{
		logger:        logger.Session("locket-lock", lager.Data{"key": resource.GetKey(), "owner": resource.GetOwner(), "ttl_in_seconds": ttl}),
		client:        c,
		resource:      resource,
		ttlInSeconds:  ttl,
		clock:         clk,
		retryInterval: retry,
		exitOnLost:    exitOnLost,
	}
}

// Run implements ifrit.Runner.
func (r *Runner) Run(signals <-chan os.Signal, ready chan<- struct{}) error {
	held, isReady := false, false
	markHeld := func() {
		if !held {
			r.logger.Info("acquired-lock")
		}
		held = true
		if !isReady {
			close(ready)
			isReady = true
		}
	}

	if err := r.lock(false); err != nil {
		r.logAcquireFailure(err, true)
	} else {
		markHeld()
	}

	retry := r.clock.NewTimer(r.retryInterval)
	defer retry.Stop()
	for {
		select {
		case <-signals:
			r.release()
			return nil
		case <-retry.C():
		}
		err := r.lock(true)
		switch {
		case err == nil:
			markHeld()
		case held:
			r.logger.Error("lost-lock", err)
			if r.exitOnLost {
				return lostError(err)
			}
			held = false
		default:
			r.logAcquireFailure(err, false)
		}
		retry.Reset(r.retryInterval)
	}
}

// lock sends one Lock, bounded by the TTL. With waitForReady the call
// waits for a connection instead of failing fast while reconnecting.
func (r *Runner) lock(waitForReady bool) error {
	ctx, cancel := context.WithTimeout(requestContext(), time.Duration(r.ttlInSeconds)*time.Second)
	defer cancel()
	_, err := r.client.Lock(ctx, &locketmodels.LockRequest{Resource: r.resource, TtlInSeconds: r.ttlInSeconds},
		grpc.WaitForReady(waitForReady))
	return err
}

func (r *Runner) release() {
	ctx, cancel := context.WithTimeout(requestContext(), ReleaseTimeout)
	defer cancel()
	if _, err := r.client.Release(ctx, &locketmodels.ReleaseRequest{Resource: r.resource}); err != nil {
		r.logger.Error("failed-to-release-lock", err)
		return
	}
	r.logger.Info("released-lock")
}

// logAcquireFailure logs a failed attempt; a collision is expected while
// another process holds the resource, so only the first one is logged.
func (r *Runner) logAcquireFailure(err error, first bool) {
	if status.Code(err) == codes.AlreadyExists && !first {
		return
	}
	data := lager.Data{}
	if first {
		ctx, cancel := context.WithTimeout(requestContext(), 5*time.Second)
		defer cancel()
		if resp, fErr := r.client.Fetch(ctx, &locketmodels.FetchRequest{Key: r.resource.GetKey()}); fErr == nil {
			data["lock-owner"] = resp.GetResource().GetOwner()
		}
	}
	r.logger.Error("failed-to-acquire-lock", err, data)
}

func lostError(err error) error {
	why := "request failed"
	if status.Code(err) == codes.DeadlineExceeded {
		why = "request timed out"
	}
	return fmt.Errorf("%w (%s): %w", ErrLockLost, why, err)
}

// requestContext carries a fresh request id in the `uuid` metadata, which
// the server logs.
func requestContext() context.Context {
	return metadata.NewOutgoingContext(context.Background(), metadata.Pairs("uuid", uuid.NewString()))
}
