package metrics_test

import (
	"strings"
	"testing"

	"github.com/godiego/diego/internal/metrics"
)

func TestTextExposition(t *testing.T) {
	r := metrics.NewRegistry()
	req := r.Counter("requests_total", "Requests served.", "route")
	req.With("Ping").Inc()
	req.With("Ping").Inc()
	req.With("Cells").Add(3)
	r.Gauge("subscribers", "Open event streams.").With().Set(4)
	r.GaugeFunc("goroutines", "Live goroutines.", func() float64 { return 7 })
	h := r.Histogram("latency_seconds", "Latency.", []float64{0.1, 1}, "route")
	h.With("Ping").Observe(0.05)
	h.With("Ping").Observe(0.5)
	h.With("Ping").Observe(5)

	text := r.Text()
	for _, want := range []string{
		"# TYPE requests_total counter",
		`requests_total{route="Cells"} 3`,
		`requests_total{route="Ping"} 2`,
		"subscribers 4",
		"goroutines 7",
		`latency_seconds_bucket{route="Ping",le="0.1"} 1`,
		`latency_seconds_bucket{route="Ping",le="1"} 2`,
		`latency_seconds_bucket{route="Ping",le="+Inf"} 3`,
		`latency_seconds_count{route="Ping"} 3`,
		`latency_seconds_sum{route="Ping"} 5.55`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
}

func TestWrongLabelCountPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("want a panic for a missing label value")
		}
	}()
	metrics.NewRegistry().Counter("c", "c", "a", "b").With("only-one").Inc()
}
