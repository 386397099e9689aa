package locket

import (
	"context"
	"os"
	"time"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/internal/metrics"
	"github.com/godiego/diego/locket/clock"
	"github.com/godiego/diego/proto/locketmodels"
)

// Metrics are what the locket server reports on the debug server's
// /metrics, named after upstream's loggregator metrics.
type Metrics struct {
	requests        *metrics.Counter
	latency         *metrics.Histogram
	inFlight        *metrics.Gauge
	activeLocks     *metrics.Gauge
	activePresences *metrics.Gauge
}

// NewMetrics registers the locket metrics in reg (nil: a private registry)
// and reports expiry's counts.
func NewMetrics(reg *metrics.Registry, expiry *Expiry) *Metrics {
	if reg == nil {
		reg = metrics.NewRegistry()
	}
	if expiry != nil {
		reg.GaugeFunc("locket_locks_expired", "Locks deleted because their TTL ran out (LocksExpired).",
			func() float64 { l, _ := expiry.Expired(); return float64(l) })
		reg.GaugeFunc("locket_presences_expired", "Presences deleted because their TTL ran out (PresenceExpired).",
			func() float64 { _, p := expiry.Expired(); return float64(p) })
	}
	return &Metrics{
		requests:        reg.Counter("locket_requests_total", "Locket requests by method and outcome.", "method", "outcome"),
		latency:         reg.Histogram("locket_request_duration_seconds", "Locket request latency (RequestLatencyMax).", nil, "method"),
		inFlight:        reg.Gauge("locket_requests_in_flight", "Locket requests being served.", "method"),
		activeLocks:     reg.Gauge("locket_active_locks", "Held locks (ActiveLocks)."),
		activePresences: reg.Gauge("locket_active_presences", "Held presences (ActivePresences)."),
	}
}

func (m *Metrics) begin(method string) func(outcome string) {
	start := time.Now()
	m.inFlight.With(method).Add(1)
	return func(outcome string) {
		m.inFlight.With(method).Add(-1)
		m.requests.With(method, outcome).Inc()
		m.latency.With(method).Since(start)
	}
}

// Counter counts held locks of a type (locketdb.Store).
type Counter interface {
	Count(ctx context.Context, typeName string) (int, error)
}

// Reporter refreshes the active lock and presence gauges every interval.
type Reporter struct {
	logger   lager.Logger
	store    Counter
	metrics  *Metrics
	clock    clock.Clock
	interval time.Duration
}

// NewReporter returns the runner that counts locks every interval
// (upstream's report_interval).
func NewReporter(logger lager.Logger, store Counter, m *Metrics, clk clock.Clock, interval time.Duration) *Reporter {
	return &Reporter{logger: logger.Session("lock-metrics"), store: store, metrics: m, clock: clk, interval: interval}
}

// Run implements ifrit.Runner.
func (r *Reporter) Run(signals <-chan os.Signal, ready chan<- struct{}) error {
	return runEvery(signals, ready, r.clock, r.interval, r.report)
}

func (r *Reporter) report() {
	ctx, cancel := context.WithTimeout(context.Background(), r.interval)
	defer cancel()
	for typeName, gauge := range map[string]*metrics.Gauge{
		locketmodels.LockType: r.metrics.activeLocks, locketmodels.PresenceType: r.metrics.activePresences,
	} {
		n, err := r.store.Count(ctx, typeName)
		if err != nil {
			r.logger.Error("failed-counting", err, lager.Data{"type": typeName})
			continue
		}
		gauge.Set(float64(n))
	}
}
