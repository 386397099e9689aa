package locket

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/db/locketdb"
	"github.com/godiego/diego/locket/clock"
	"github.com/godiego/diego/proto/locketmodels"
)

// Releaser deletes a lock that is still exactly as seen (locketdb.Store).
type Releaser interface {
	FetchAndRelease(ctx context.Context, seen *locketdb.Lock) (bool, error)
}

// Expiry keeps one TTL timer per lock generation. Every successful Lock,
// and every lock the burglar finds in the database, registers its TTL; when
// a timer fires the row is deleted only if nobody refreshed or re-created
// it meanwhile (same owner, modified_id and modified_index).
type Expiry struct {
	logger lager.Logger
	store  Releaser
	clock  clock.Clock

	mu      sync.Mutex
	pending map[generation]*pendingTTL

	locksExpired, presencesExpired atomic.Uint64
}

// A generation is one creation of a row: refreshes keep it, a release and
// re-lock starts a new one.
type generation struct{ key, id string }

type pendingTTL struct {
	index  int64
	cancel chan struct{}
}

// NewExpiry returns an Expiry deleting through store.
func NewExpiry(logger lager.Logger, store Releaser, clk clock.Clock) *Expiry {
	return &Expiry{logger: logger.Session("expiry"), store: store, clock: clk, pending: map[generation]*pendingTTL{}}
}

// Register (re)arms the TTL of lock. A timer already running for the same
// generation at the same or a newer modified_index is kept; an older one is
// replaced.
func (e *Expiry) Register(lock *locketdb.Lock) {
	gen := generation{key: lock.Key(), id: lock.ModifiedID}
	e.mu.Lock()
	defer e.mu.Unlock()
	if cur, ok := e.pending[gen]; ok {
		if cur.index >= lock.ModifiedIndex {
			return
		}
		close(cur.cancel)
	}
	p := &pendingTTL{index: lock.ModifiedIndex, cancel: make(chan struct{})}
	e.pending[gen] = p
	timer := e.clock.NewTimer(ttlDuration(lock.TTLInSeconds))
	go e.await(lock, gen, p, timer)
}

func (e *Expiry) await(lock *locketdb.Lock, gen generation, p *pendingTTL, timer clock.Timer) {
	select {
	case <-p.cancel:
		timer.Stop()
		return
	case <-timer.C():
	}
	defer func() {
		e.mu.Lock()
		if e.pending[gen] == p {
			delete(e.pending, gen)
		}
		e.mu.Unlock()
	}()
	logger := e.logger.WithData(lager.Data{"key": lock.Key(), "owner": lock.Resource.GetOwner(),
		"type": lock.Resource.GetType(), "modified-index": lock.ModifiedIndex})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	expired, err := e.store.FetchAndRelease(ctx, lock)
	switch {
	case errors.Is(err, locketdb.ErrCollision):
		// Refreshed by another locket sharing the database, or re-created.
		logger.Debug("not-expired-changed-since")
		return
	case err != nil:
		// The burglar's next pass arms a new timer for it.
		logger.Error("failed-compare-and-release", err)
		return
	}
	if expired {
		logger.Info("lock-expired")
		if lock.Resource.GetType() == locketmodels.PresenceType {
			e.presencesExpired.Add(1)
		} else {
			e.locksExpired.Add(1)
		}
	}
}

// maxTTLSeconds keeps a TTL within what a time.Duration can hold.
const maxTTLSeconds = int64(math.MaxInt64 / int64(time.Second))

func ttlDuration(seconds int64) time.Duration {
	if seconds > maxTTLSeconds {
		seconds = maxTTLSeconds
	}
	return time.Duration(seconds) * time.Second
}

// Expired returns how many locks and presences have expired so far.
func (e *Expiry) Expired() (locks, presences uint64) {
	return e.locksExpired.Load(), e.presencesExpired.Load()
}

// Pending returns how many TTL timers are armed.
func (e *Expiry) Pending() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.pending)
}
