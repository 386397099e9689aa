package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults follow the release's auctioneer and BBS settings for talking to reps.
const (
	DefaultTimeout           = 10 * time.Second // rep_client communication timeout
	DefaultStateTimeout      = 10 * time.Second // cell_state_timeout
	DefaultSessionCacheSize  = 4096             // rep client TLS session cache
	maxErrorBodyBytes        = 512
	maxIdleConnsPerRepClient = 4
)

// ErrCellUnhealthy is returned with a fully decoded CellState when the rep answers GET /state
// with 503: its executor is unhealthy. The auction skips such a cell.
var ErrCellUnhealthy = errors.New("rep: cell is unhealthy (503)")

// StatusError is an unexpected HTTP status from a rep.
type StatusError struct {
	Method, Path string
	StatusCode   int
	Body         string // the start of the reply body, for diagnostics
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("rep %s %s: unexpected status code %d (%s)", e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// Config says how to reach reps.
type Config struct {
	// TLS is the client-side mutual TLS config (client certificate and CA). Nil means plain
	// HTTP, which only works against a rep_address / http rep_url.
	TLS *tls.Config
	// RequireTLS refuses reps that announce no https URL (upstream's require_tls).
	RequireTLS bool
	// Timeout bounds every call but GET /state. Zero means DefaultTimeout.
	Timeout time.Duration
	// StateTimeout bounds GET /state. Zero means DefaultStateTimeout.
	StateTimeout time.Duration
	// SessionCacheSize is the TLS session cache size used when TLS has no ClientSessionCache.
	// Zero means DefaultSessionCacheSize.
	SessionCacheSize int
}

// Factory makes Clients that share one connection pool and TLS session cache, as the
// auctioneer needs when it talks to a thousand cells.
type Factory struct {
	cfg         Config
	httpClient  *http.Client
	stateClient *http.Client
}

// NewFactory builds the shared transport from cfg.
func NewFactory(cfg Config) *Factory {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.StateTimeout <= 0 {
		cfg.StateTimeout = DefaultStateTimeout
	}
	transport := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout: cfg.Timeout,
		MaxIdleConns:        0,
		MaxIdleConnsPerHost: maxIdleConnsPerRepClient,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   false,
	}
	if cfg.TLS != nil {
		tc := cfg.TLS.Clone()
		if tc.ClientSessionCache == nil {
			size := cfg.SessionCacheSize
			if size <= 0 {
				size = DefaultSessionCacheSize
			}
			tc.ClientSessionCache = tls.NewLRUClientSessionCache(size)
		}
		transport.TLSClientConfig = tc
	}
	return &Factory{
		cfg:         cfg,
		httpClient:  &http.Client{Transport: transport, Timeout: cfg.Timeout},
		stateClient: &http.Client{Transport: transport, Timeout: cfg.StateTimeout},
	}
}

// Client returns a client for a cell, choosing between its legacy rep_address and its
// rep_url the way upstream does (see PickURL).
func (f *Factory) Client(repAddress, repURL string) (*Client, error) {
	base, err := PickURL(repAddress, repURL, f.cfg.TLS != nil, f.cfg.RequireTLS)
	if err != nil {
		return nil, err
	}
	return f.ClientForURL(base), nil
}

// ClientForURL returns a client for the rep at base (e.g. "https://cell-1.service:1801" or
// the admin "https://127.0.0.1:1800").
func (f *Factory) ClientForURL(base string) *Client {
	return &Client{base: strings.TrimRight(base, "/"), http: f.httpClient, state: f.stateClient}
}

// StateTimeout is the bound on GET /state.
func (f *Factory) StateTimeout() time.Duration { return f.stateClient.Timeout }

// PickURL chooses the URL to reach a cell by: with no TLS credentials it prefers repURL but
// cannot use an https one; with credentials but TLS not required it prefers repURL; with TLS
// required repURL must be https.
func PickURL(repAddress, repURL string, haveTLS, requireTLS bool) (string, error) {
	secure := false
	if repURL != "" {
		u, err := url.Parse(repURL)
		if err != nil {
			return "", fmt.Errorf("rep: parse rep_url: %w", err)
		}
		secure = u.Scheme == "https"
	}
	switch {
	case requireTLS:
		if !secure {
			return "", errors.New("rep: https scheme is required but none of the addresses support it")
		}
		return repURL, nil
	case !haveTLS && secure:
		return "", errors.New("rep: https scheme not supported since certificates aren't provided")
	case repURL != "":
		return repURL, nil
	default:
		return repAddress, nil
	}
}

type ctxKey struct{}

// WithRequestID returns a context whose calls carry id in the X-Vcap-Request-Id header.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// RequestID is the id set by WithRequestID, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// Client talks to one rep (either of its servers, depending on the base URL).
type Client struct {
	base  string
	http  *http.Client
	state *http.Client
}

// URL is the base URL the client talks to.
func (c *Client) URL() string { return c.base }

// State fetches GET /state. On 503 it returns the decoded state and ErrCellUnhealthy.
func (c *Client) State(ctx context.Context) (CellState, error) {
	var state CellState
	resp, err := c.do(ctx, c.state, http.MethodGet, StatePath, nil)
	if err != nil {
		return state, err
	}
	defer drain(resp)
	switch resp.StatusCode {
	case http.StatusOK, http.StatusServiceUnavailable:
		if err := json.NewDecoder(resp.Body).Decode(&state); err != nil {
			return CellState{}, fmt.Errorf("rep GET %s: decode: %w", StatePath, err)
		}
		if resp.StatusCode == http.StatusServiceUnavailable {
			return state, ErrCellUnhealthy
		}
		return state, nil
	default:
		return state, statusError(resp)
	}
}

// Perform posts work (POST /work) and returns the part the cell could not take.
func (c *Client) Perform(ctx context.Context, work Work) (Work, error) {
	var failed Work
	err := c.call(ctx, http.MethodPost, PerformPath, work, http.StatusOK, &failed)
	return failed, err
}

// UpdateLRPInstance sends PUT /v2/lrps/:pg/instances/:ig. A rep that answers 404 predates the
// route: if the update has internal routes they are resent, without metric tags, to the v1
// route; otherwise (or on a second 404) nothing more is done and nil is returned.
func (c *Client) UpdateLRPInstance(ctx context.Context, update LRPUpdate) error {
	resp, err := c.doJSON(ctx, http.MethodPut, updateLRPPath(update.ProcessGUID, update.InstanceGUID), update)
	if err != nil {
		return err
	}
	defer drain(resp)
	switch resp.StatusCode {
	case http.StatusAccepted:
		return nil
	case http.StatusNotFound:
		if update.InternalRoutes == nil {
			return nil
		}
	default:
		return statusError(resp)
	}
	update.MetricTags = nil
	resp, err = c.doJSON(ctx, http.MethodPut, updateLRPPathR0(update.ProcessGUID, update.InstanceGUID), update)
	if err != nil {
		return err
	}
	defer drain(resp)
	if resp.StatusCode == http.StatusAccepted || resp.StatusCode == http.StatusNotFound {
		return nil
	}
	return statusError(resp)
}

// StopLRPInstance asks the rep to stop one instance (POST /v1/lrps/:pg/instances/:ig/stop).
func (c *Client) StopLRPInstance(ctx context.Context, processGUID, instanceGUID string) error {
	return c.call(ctx, http.MethodPost, stopLRPPath(processGUID, instanceGUID), nil, http.StatusAccepted, nil)
}

// CancelTask asks the rep to cancel a task (POST /v1/tasks/:guid/cancel).
func (c *Client) CancelTask(ctx context.Context, taskGUID string) error {
	return c.call(ctx, http.MethodPost, cancelTaskPath(taskGUID), nil, http.StatusAccepted, nil)
}

// ContainerMetrics fetches GET /container_metrics.
func (c *Client) ContainerMetrics(ctx context.Context) (ContainerMetricsCollection, error) {
	var m ContainerMetricsCollection
	err := c.call(ctx, http.MethodGet, ContainerMetricsPath, nil, http.StatusOK, &m)
	return m, err
}

// Ping checks the admin server (GET /ping answers 200 while the rep runs).
func (c *Client) Ping(ctx context.Context) error {
	return c.call(ctx, http.MethodGet, PingPath, nil, http.StatusOK, nil)
}

// Evacuate starts evacuation through the admin server (POST /evacuate, 202).
func (c *Client) Evacuate(ctx context.Context) (EvacuateResponse, error) {
	var r EvacuateResponse
	err := c.call(ctx, http.MethodPost, EvacuatePath, nil, http.StatusAccepted, &r)
	return r, err
}

// Reset calls the simulation-only POST /sim/reset.
func (c *Client) Reset(ctx context.Context) error {
	return c.call(ctx, http.MethodPost, SimResetPath, nil, http.StatusOK, nil)
}

// call sends body (JSON, if not nil), expects status want and decodes the reply into out.
func (c *Client) call(ctx context.Context, method, path string, body any, want int, out any) error {
	resp, err := c.doJSON(ctx, method, path, body)
	if err != nil {
		return err
	}
	defer drain(resp)
	if resp.StatusCode != want {
		return statusError(resp)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return fmt.Errorf("rep %s %s: decode: %w", method, path, err)
		}
	}
	return nil
}

func (c *Client) doJSON(ctx context.Context, method, path string, body any) (*http.Response, error) {
	var r io.Reader
	if body != nil {
		payload, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("rep %s %s: encode: %w", method, path, err)
		}
		r = bytes.NewReader(payload)
	}
	return c.do(ctx, c.http, method, path, r)
}

func (c *Client) do(ctx context.Context, hc *http.Client, method, path string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, fmt.Errorf("rep %s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if id := RequestID(ctx); id != "" {
		req.Header.Set(RequestIDHeader, id)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("rep %s %s: %w", method, path, err)
	}
	return resp, nil
}

func statusError(resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
	return &StatusError{
		Method:     resp.Request.Method,
		Path:       resp.Request.URL.Path,
		StatusCode: resp.StatusCode,
		Body:       strings.TrimSpace(string(body)),
	}
}

// drain lets the connection be reused.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}
