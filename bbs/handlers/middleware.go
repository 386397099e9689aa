package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"time"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/bbs"
	"github.com/godiego/diego/bbs/controllers"
	"github.com/godiego/diego/internal/metrics"
)

// Metrics are the per-route request metrics.
type Metrics struct {
	Requests *metrics.Counter
	Errors   *metrics.Counter
	InFlight *metrics.Gauge
	Latency  *metrics.Histogram
}

// NewMetrics registers the request metrics in reg.
func NewMetrics(reg *metrics.Registry) *Metrics {
	return &Metrics{
		Requests: reg.Counter("bbs_requests_total", "BBS API requests by route.", "route"),
		Errors:   reg.Counter("bbs_request_errors_total", "BBS API responses carrying an error, by route.", "route"),
		InFlight: reg.Gauge("bbs_requests_in_flight", "BBS API requests being served, by route.", "route"),
		Latency:  reg.Histogram("bbs_request_duration_seconds", "BBS API request latency by route (event streams excluded).", nil, "route"),
	}
}

// newTraceID returns a 128-bit hex id, the shape of upstream's zipkin ids.
func newTraceID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// instrument wraps a route: it carries the request id into the context
// and the logger, logs the request, and records the route's metrics.
func (h *Handler) instrument(route bbs.Route, stream bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		traceID := r.Header.Get(bbs.RequestIDHeader)
		if traceID == "" {
			traceID = newTraceID()
		}
		logger := h.logger.Session(sessionName(route.Name), lager.Data{"trace-id": traceID})
		ctx := controllers.WithTraceID(r.Context(), traceID)
		ctx = controllers.WithLogger(ctx, logger)
		ctx = withRoute(ctx, route.Name)
		start := time.Now()
		if h.metrics != nil {
			h.metrics.Requests.With(route.Name).Inc()
			h.metrics.InFlight.With(route.Name).Add(1)
			defer h.metrics.InFlight.With(route.Name).Add(-1)
		}
		if h.accessLogger != nil {
			h.accessLogger.Info("request", lager.Data{"method": r.Method, "path": r.URL.Path, "remote": r.RemoteAddr, "trace-id": traceID})
		}
		logger.Debug("serving", lager.Data{"method": r.Method, "path": r.URL.Path, "remote": r.RemoteAddr})
		next.ServeHTTP(w, r.WithContext(ctx))
		if h.metrics != nil && !stream {
			h.metrics.Latency.With(route.Name).Since(start)
		}
		logger.Debug("done", lager.Data{"duration": time.Since(start).String()})
	})
}

func sessionName(route string) string {
	out := make([]byte, 0, len(route)+4)
	for i := 0; i < len(route); i++ {
		c := route[i]
		if c >= 'A' && c <= 'Z' {
			if i > 0 {
				out = append(out, '-')
			}
			c += 'a' - 'A'
		}
		out = append(out, c)
	}
	return string(out)
}

// unavailable answers 503 with an empty body until ready is closed.
func unavailable(ready <-chan struct{}, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-ready:
			next.ServeHTTP(w, r)
		default:
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
}
