// Package metrics is a small, dependency-free metrics registry that renders
// the Prometheus text exposition format on a daemon's debug `/metrics`
// endpoint: counters, gauges and latency histograms, each optionally with
// label values.
package metrics

import (
	"fmt"
	"math"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// DefaultBuckets are latency buckets in seconds, from 0.5 ms to 30 s.
var DefaultBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// Registry holds metric families and renders them.
type Registry struct {
	mu       sync.Mutex
	families map[string]*family
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{families: map[string]*family{}} }

type kind string

const (
	counterKind   kind = "counter"
	gaugeKind     kind = "gauge"
	histogramKind kind = "histogram"
)

type family struct {
	name, help string
	kind       kind
	labels     []string
	buckets    []float64
	mu         sync.Mutex
	series     map[string]*series
}

type series struct {
	labelValues []string
	value       float64 // counter or gauge
	gaugeFn     func() float64
	counts      []uint64 // histogram, per bucket (non-cumulative)
	sum         float64
	count       uint64
}

func (r *Registry) family(name, help string, k kind, labels []string, buckets []float64) *family {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f, ok := r.families[name]; ok {
		return f
	}
	f := &family{name: name, help: help, kind: k, labels: labels, buckets: buckets, series: map[string]*series{}}
	r.families[name] = f
	return f
}

func (f *family) get(values []string) *series {
	if len(values) != len(f.labels) {
		panic(fmt.Sprintf("metric %s wants %d label values, got %d", f.name, len(f.labels), len(values)))
	}
	key := strings.Join(values, "\xff")
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.series[key]
	if !ok {
		s = &series{labelValues: append([]string(nil), values...)}
		if f.kind == histogramKind {
			s.counts = make([]uint64, len(f.buckets)+1)
		}
		f.series[key] = s
	}
	return s
}

// Counter is a monotonically increasing value.
type Counter struct {
	f      *family
	values []string
}

// Counter returns a counter family; call With to pick label values.
func (r *Registry) Counter(name, help string, labels ...string) *Counter {
	return &Counter{f: r.family(name, help, counterKind, labels, nil)}
}

// With returns the counter for the given label values.
func (c *Counter) With(values ...string) *Counter { return &Counter{f: c.f, values: values} }

// Add increases the counter by v.
func (c *Counter) Add(v float64) {
	s := c.f.get(c.values)
	c.f.mu.Lock()
	s.value += v
	c.f.mu.Unlock()
}

// Inc increases the counter by one.
func (c *Counter) Inc() { c.Add(1) }

// Gauge is a value that goes up and down.
type Gauge struct {
	f      *family
	values []string
}

// Gauge returns a gauge family; call With to pick label values.
func (r *Registry) Gauge(name, help string, labels ...string) *Gauge {
	return &Gauge{f: r.family(name, help, gaugeKind, labels, nil)}
}

// GaugeFunc registers an unlabelled gauge whose value is read at render time.
func (r *Registry) GaugeFunc(name, help string, fn func() float64) {
	f := r.family(name, help, gaugeKind, nil, nil)
	s := f.get(nil)
	f.mu.Lock()
	s.gaugeFn = fn
	f.mu.Unlock()
}

// With returns the gauge for the given label values.
func (g *Gauge) With(values ...string) *Gauge { return &Gauge{f: g.f, values: values} }

// Set sets the gauge.
func (g *Gauge) Set(v float64) {
	s := g.f.get(g.values)
	g.f.mu.Lock()
	s.value = v
	g.f.mu.Unlock()
}

// Add adds v (which may be negative) to the gauge.
func (g *Gauge) Add(v float64) {
	s := g.f.get(g.values)
	g.f.mu.Lock()
	s.value += v
	g.f.mu.Unlock()
}

// Histogram counts observations into buckets.
type Histogram struct {
	f      *family
	values []string
}

// Histogram returns a histogram family with the given upper bounds (seconds
// for latencies; DefaultBuckets when nil).
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) *Histogram {
	if buckets == nil {
		buckets = DefaultBuckets
	}
	return &Histogram{f: r.family(name, help, histogramKind, labels, buckets)}
}

// With returns the histogram for the given label values.
func (h *Histogram) With(values ...string) *Histogram { return &Histogram{f: h.f, values: values} }

// Observe records one value.
func (h *Histogram) Observe(v float64) {
	s := h.f.get(h.values)
	i := sort.SearchFloat64s(h.f.buckets, v)
	h.f.mu.Lock()
	s.counts[i]++
	s.sum += v
	s.count++
	h.f.mu.Unlock()
}

// Since records the seconds elapsed since start.
func (h *Histogram) Since(start time.Time) { h.Observe(time.Since(start).Seconds()) }

// ServeHTTP renders every family in the Prometheus text format.
func (r *Registry) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_, _ = w.Write([]byte(r.Text()))
}

// Text renders every family in the Prometheus text format.
func (r *Registry) Text() string {
	r.mu.Lock()
	names := make([]string, 0, len(r.families))
	for n := range r.families {
		names = append(names, n)
	}
	r.mu.Unlock()
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		r.mu.Lock()
		f := r.families[n]
		r.mu.Unlock()
		f.write(&b)
	}
	return b.String()
}

func (f *family) write(b *strings.Builder) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n", f.name, f.help, f.name, f.kind)
	f.mu.Lock()
	defer f.mu.Unlock()
	keys := make([]string, 0, len(f.series))
	for k := range f.series {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s := f.series[k]
		switch f.kind {
		case histogramKind:
			var cum uint64
			for i, ub := range f.buckets {
				cum += s.counts[i]
				fmt.Fprintf(b, "%s_bucket%s %d\n", f.name, labelText(f.labels, s.labelValues, "le", formatFloat(ub)), cum)
			}
			cum += s.counts[len(f.buckets)]
			fmt.Fprintf(b, "%s_bucket%s %d\n", f.name, labelText(f.labels, s.labelValues, "le", "+Inf"), cum)
			fmt.Fprintf(b, "%s_sum%s %s\n", f.name, labelText(f.labels, s.labelValues, "", ""), formatFloat(s.sum))
			fmt.Fprintf(b, "%s_count%s %d\n", f.name, labelText(f.labels, s.labelValues, "", ""), s.count)
		default:
			v := s.value
			if s.gaugeFn != nil {
				v = s.gaugeFn()
			}
			fmt.Fprintf(b, "%s%s %s\n", f.name, labelText(f.labels, s.labelValues, "", ""), formatFloat(v))
		}
	}
}

func labelText(names, values []string, extraName, extraValue string) string {
	var parts []string
	for i, n := range names {
		parts = append(parts, fmt.Sprintf("%s=%q", n, values[i]))
	}
	if extraName != "" {
		parts = append(parts, fmt.Sprintf("%s=%q", extraName, extraValue))
	}
	if len(parts) == 0 {
		return ""
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func formatFloat(v float64) string {
	if math.IsInf(v, 1) {
		return "+Inf"
	}
	return fmt.Sprintf("%g", v)
}
