package locket

import (
	"context"
	"os"
	"time"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/db/locketdb"
	"github.com/godiego/diego/locket/clock"
)

// RetryInterval is how often the burglar looks for locks without a TTL
// timer (upstream's locket.RetryInterval).
const RetryInterval = 5 * time.Second

// Lister lists every held lock (locketdb.Store).
type Lister interface {
	FetchAll(ctx context.Context, typeName string) ([]*locketdb.Lock, error)
}

// Burglar adopts locks this process has no timer for — rows written
// before a restart, or by another locket on the same database — by
// registering the TTL of every stored lock, once before it is ready and
// then every interval.
type Burglar struct {
	logger   lager.Logger
	store    Lister
	expiry   *Expiry
	clock    clock.Clock
	interval time.Duration
}

// NewBurglar returns the burglar runner.
func NewBurglar(logger lager.Logger, store Lister, expiry *Expiry, clk clock.Clock, interval time.Duration) *Burglar {
	return &Burglar{logger: logger.Session("burglar"), store: store, expiry: expiry, clock: clk, interval: interval}
}

// Run implements ifrit.Runner.
func (b *Burglar) Run(signals <-chan os.Signal, ready chan<- struct{}) error {
	return runEvery(signals, ready, b.clock, b.interval, b.adopt)
}

// runEvery calls fn, reports ready, then calls fn again every interval
// (measured from the end of the previous call) until signalled.
func runEvery(signals <-chan os.Signal, ready chan<- struct{}, clk clock.Clock, interval time.Duration, fn func()) error {
	fn()
	close(ready)
	tick := clk.NewTimer(interval)
	defer tick.Stop()
	for {
		select {
		case <-signals:
			return nil
		case <-tick.C():
			fn()
			tick.Reset(interval)
		}
	}
}

func (b *Burglar) adopt() {
	ctx, cancel := context.WithTimeout(context.Background(), b.interval+30*time.Second)
	defer cancel()
	locks, err := b.store.FetchAll(ctx, "")
	if err != nil {
		b.logger.Error("failed-fetching-locks", err)
		return
	}
	for _, l := range locks {
		b.expiry.Register(l)
	}
}
