package handlers

import (
	"net/http"
	"sort"
	"strings"
)

// router dispatches on exact path and method: an unknown path is 404, a
// known path with another method 405 (what upstream's router answers).
type router struct {
	routes map[string]map[string]http.Handler
}

func newRouter() *router { return &router{routes: map[string]map[string]http.Handler{}} }

func (rt *router) handle(method, path string, h http.Handler) {
	if rt.routes[path] == nil {
		rt.routes[path] = map[string]http.Handler{}
	}
	rt.routes[path][method] = h
}

// ServeHTTP dispatches a request.
func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	methods, ok := rt.routes[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if h, ok := methods[r.Method]; ok {
		h.ServeHTTP(w, r)
		return
	}
	var allow []string
	for m := range methods {
		allow = append(allow, m)
	}
	sort.Strings(allow)
	w.Header().Set("Allow", strings.Join(allow, ", "))
	http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
}
