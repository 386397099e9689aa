package devrouter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"time"

	"code.cloudfoundry.org/lager/v3"
)

// maxAttempts bounds how many endpoints one request tries when connecting
// fails (gorouter also gives up after a few).
const maxAttempts = 3

// RoutesPath lists the route table as JSON when the request's Host is not
// a registered route (e.g. `curl 127.0.0.1:8081/routes`).
const RoutesPath = "/routes"

type endpointsKey struct{}

// NewProxy returns the router's HTTP handler: requests whose Host (and path
// prefix) matches a registered route are proxied to its endpoints in
// round-robin order, trying the next endpoint when one refuses the
// connection. Unknown hosts get 404, and a route whose endpoints all fail
// gets 502, each with an X-Cf-Routererror header as gorouter sends.
func NewProxy(table *Table, logger lager.Logger) http.Handler {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		DialContext:           dialer.DialContext,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme = "http"
			pr.Out.Host = pr.In.Host // backends see the routed hostname
			pr.SetXForwarded()
		},
		Transport: &failover{transport: transport, logger: logger},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			logger.Error("endpoint-failed", err, lager.Data{"host": r.Host, "path": r.URL.Path})
			w.Header().Set("X-Cf-Routererror", "endpoint_failure")
			http.Error(w, "502 Bad Gateway: Registered endpoint failed to handle the request.", http.StatusBadGateway)
		},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, addrs, ok := table.Lookup(r.Host, r.URL.Path)
		if !ok {
			if r.URL.Path == RoutesPath {
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(table.Snapshot())
				return
			}
			w.Header().Set("X-Cf-Routererror", "unknown_route")
			http.Error(w, fmt.Sprintf("404 Not Found: Requested route ('%s') does not exist.", hostOnly(r.Host)), http.StatusNotFound)
			return
		}
		logger.Debug("proxying", lager.Data{"route": key, "endpoints": addrs, "path": r.URL.Path})
		rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), endpointsKey{}, addrs)))
	})
}

func hostOnly(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}

// failover sends a request to the first endpoint that accepts the
// connection. Only connection failures move on to the next endpoint: the
// request has not been sent then, so retrying cannot repeat it.
type failover struct {
	transport *http.Transport
	logger    lager.Logger
}

func (f *failover) RoundTrip(req *http.Request) (*http.Response, error) {
	addrs, _ := req.Context().Value(endpointsKey{}).([]string)
	if len(addrs) == 0 {
		return nil, errors.New("no endpoints")
	}
	// The transport closes a request body on any error; shield the inbound
	// body (which the server closes itself) so a failed dial, which reads
	// none of it, leaves it intact for the next endpoint.
	if req.Body != nil && req.Body != http.NoBody {
		req.Body = io.NopCloser(req.Body)
	}
	var lastErr error
	for i, addr := range addrs {
		if i == maxAttempts {
			break
		}
		out := req
		if i > 0 {
			out = req.Clone(req.Context())
		}
		out.URL.Host = addr
		resp, err := f.transport.RoundTrip(out)
		if err == nil {
			return resp, nil
		}
		lastErr = err
		var opErr *net.OpError
		if !errors.As(err, &opErr) || opErr.Op != "dial" {
			return nil, err
		}
		f.logger.Info("endpoint-unreachable", lager.Data{"address": addr, "error": err.Error()})
	}
	return nil, lastErr
}
