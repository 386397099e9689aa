// Package handlers owns the BBS HTTP API: the router over every route of
// the route table, transport rules (protobuf bodies, errors in HTTP 200
// bodies, 503 until migrations finish, 404 for unknown paths), request ids,
// per-route metrics, and the event streams. Handlers only decode, validate,
// call the store (reads) or the controllers (changes), and encode.
package handlers

import (
	"context"
	"net/http"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/bbs"
	"github.com/godiego/diego/bbs/controllers"
	"github.com/godiego/diego/bbs/events"
	"github.com/godiego/diego/db/bbsdb"
	"github.com/godiego/diego/proto/models"
)

// Config is what the API needs.
type Config struct {
	Logger       lager.Logger
	AccessLogger lager.Logger // nil: no access log (access_log_path unset)
	Store        bbsdb.Store  // reads
	Controller   *controllers.Controller
	Cells        controllers.Cells
	Hub          *events.Hub
	Metrics      *Metrics // nil disables request metrics
	// Ready is closed once migrations are done; until then every request is 503.
	Ready <-chan struct{}
	// Exit receives a value when a handler met an Unrecoverable error.
	Exit chan<- struct{}
}

// Handler is the BBS API.
type Handler struct {
	logger       lager.Logger
	accessLogger lager.Logger
	store        bbsdb.Store
	ctrl         *controllers.Controller
	cells        controllers.Cells
	hub          *events.Hub
	metrics      *Metrics
	exit         chan<- struct{}
	root         http.Handler
}

// New builds the API handler.
func New(cfg Config) *Handler {
	h := &Handler{
		logger: cfg.Logger, accessLogger: cfg.AccessLogger, store: cfg.Store, ctrl: cfg.Controller,
		cells: cfg.Cells, hub: cfg.Hub, metrics: cfg.Metrics, exit: cfg.Exit,
	}
	actions := map[string]http.Handler{}
	h.addCurrent(actions)
	h.addDeprecated(actions)
	rt := newRouter()
	for _, route := range bbs.Routes {
		action, ok := actions[route.Name]
		if !ok {
			panic("bbs handlers: no handler for route " + route.Name)
		}
		rt.handle(route.Method, route.Path, h.instrument(route, isStream(route.Name), action))
	}
	ready := cfg.Ready
	if ready == nil {
		c := make(chan struct{})
		close(c)
		ready = c
	}
	h.root = unavailable(ready, rt)
	return h
}

// ServeHTTP serves the API.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.root.ServeHTTP(w, r) }

func isStream(name string) bool {
	switch name {
	case bbs.LRPGroupEventStreamRoute, bbs.TaskEventStreamRoute, bbs.LRPInstanceEventStreamRoute,
		bbs.LRPGroupEventStreamRouteR0, bbs.TaskEventStreamRouteR0, bbs.LRPInstanceEventStreamRouteR0:
		return true
	}
	return false
}

func (h *Handler) exitIfUnrecoverable(logger lager.Logger, e *models.Error) {
	if e == nil {
		return
	}
	if e.Type == models.Error_Unrecoverable && h.exit != nil {
		logger.Error("unrecoverable-error", e)
		select {
		case h.exit <- struct{}{}:
		default:
		}
	}
}

type routeKey struct{}

func withRoute(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, routeKey{}, name)
}

func routeOf(ctx context.Context) string {
	s, _ := ctx.Value(routeKey{}).(string)
	return s
}

func (h *Handler) countError(ctx context.Context) {
	if h.metrics != nil {
		h.metrics.Errors.With(routeOf(ctx)).Inc()
	}
}
