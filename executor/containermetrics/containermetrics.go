// Package containermetrics owns the periodic container metrics report of a
// cell: every interval it reads every container's usage (one Garden
// BulkMetrics call through the executor), turns successive samples into
// CPU percentages, and hands one sample per container to an emitter (the
// loggregator client). The arithmetic is a pure function of two samples.
package containermetrics

import (
	"context"
	"sync"
	"time"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/executor"
	"github.com/godiego/diego/executor/applog"
)

// DefaultInterval is upstream's container_metrics_report_interval.
const DefaultInterval = 15 * time.Second

// Source is what the reporter reads: the executor.
type Source interface {
	ListContainers() []executor.Container
	GetBulkMetrics() (map[string]executor.Metrics, error)
}

// Emitter sends one container's sample.
type Emitter interface {
	EmitContainerMetrics(applog.ContainerMetrics)
}

// Reporter samples container metrics every Interval, emits them when it has
// an Emitter, and keeps each container's CPU fraction over the last interval
// for the rep's /container_metrics.
type Reporter struct {
	Source   Source
	Emitter  Emitter // nil: sample only
	Interval time.Duration
	Logger   lager.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time

	previous map[string]cpuSample

	mu          sync.Mutex
	cpuFraction map[string]float64
}

// CPUFraction is the share of one core the container used over the last
// reporting interval (0 until two samples exist), and whether it is known.
func (r *Reporter) CPUFraction(guid string) (float64, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f, ok := r.cpuFraction[guid]
	return f, ok
}

// cpuSample is what the next CPU percentage is computed against.
type cpuSample struct {
	cpu         uint64 // ns of CPU time used so far
	at          uint64 // sample time in ns (the container age, or the wall clock)
	entitlement uint64 // ns of CPU the container was entitled to so far
}

// Run reports until ctx is done.
func (r *Reporter) Run(ctx context.Context) {
	interval := r.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.Report()
		}
	}
}

// Report takes one sample of every container and emits it.
func (r *Reporter) Report() {
	metrics, err := r.Source.GetBulkMetrics()
	if err != nil {
		if r.Logger != nil {
			r.Logger.Error("failed-to-get-container-metrics", err)
		}
		return
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	next := map[string]cpuSample{}
	fractions := map[string]float64{}
	for _, c := range r.Source.ListContainers() {
		m, ok := metrics[c.Guid]
		if !ok {
			continue
		}
		tags := c.MetricTags
		if tags == nil {
			tags = c.LogConfig.Tags
		}
		sample, out := compute(m, tags, r.previous[c.Guid], now())
		next[c.Guid] = sample
		fractions[c.Guid] = out.CPUPercentage / 100
		if r.Emitter != nil && out.Tags["source_id"] != "" {
			r.Emitter.EmitContainerMetrics(out)
		}
	}
	r.previous = next
	r.mu.Lock()
	r.cpuFraction = fractions
	r.mu.Unlock()
}

// compute turns a usage reading into the sample to send, given the
// previous reading of the same container (zero for the first): CPU is the
// CPU time used since then over the time elapsed, in percent of one core,
// and the entitlement percentage is the CPU time used over the entitlement
// granted since then. The first reading reports 0 for both. Tags are
// completed with source_id (the metrics guid) and instance_id (the index)
// when absent.
func compute(m executor.Metrics, tags map[string]string, prev cpuSample, now time.Time) (cpuSample, applog.ContainerMetrics) {
	cur := cpuSample{cpu: m.TimeSpentInCPUNs, at: uint64(now.UnixNano()), entitlement: m.AbsoluteCPUEntitlementInNanoseconds}
	if m.ContainerAgeInNs != 0 {
		cur.at = m.ContainerAgeInNs
	}
	var cpu, entitlement float64
	if prev.at != 0 {
		if cur.at > prev.at {
			cpu = float64(int64(cur.cpu-prev.cpu)) * 100 / float64(cur.at-prev.at)
		}
		if cur.entitlement > prev.entitlement {
			entitlement = float64(int64(cur.cpu-prev.cpu)) * 100 / float64(cur.entitlement-prev.entitlement)
		}
	}
	out := applog.ContainerMetrics{
		CPUPercentage: cpu, CPUEntitlementPercentage: entitlement,
		MemoryBytes: m.MemoryUsageInBytes, DiskBytes: m.DiskUsageInBytes,
		MemoryBytesQuota: m.MemoryLimitInBytes, DiskBytesQuota: m.DiskLimitInBytes,
		AbsoluteCPUUsage: m.TimeSpentInCPUNs, AbsoluteCPUEntitlement: m.AbsoluteCPUEntitlementInNanoseconds,
		ContainerAge: m.ContainerAgeInNs, RxBytes: m.RxInBytes, TxBytes: m.TxInBytes,
		Tags: applog.LogTags(tags, m.MetricsConfigGuid, m.MetricsConfigIndex),
	}
	return cur, out
}
