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
	"strings"
	"time"

	rep "github.com/godiego/diego/rep/client"
)

// DefaultTimeout bounds each request (upstream's auctioneer client request timeout).
const DefaultTimeout = 10 * time.Second

// RequestIDHeader carries the trace id of the request that caused the auction.
const RequestIDHeader = rep.RequestIDHeader

// WithRequestID returns a context whose requests carry id in X-Vcap-Request-Id. It is the
// same context value the rep client reads, so one id follows a request through both.
func WithRequestID(ctx context.Context, id string) context.Context {
	return rep.WithRequestID(ctx, id)
}

// Config says how to reach the auctioneer.
type Config struct {
	// URL is the auctioneer's base URL, e.g. "https://auctioneer.service.cf.internal:9016".
	URL string
	// TLS is the mutual TLS client config. Nil means plain HTTP.
	TLS *tls.Config
	// RequireTLS forbids the legacy fallback to plain HTTP after a failed TLS request.
	// It only matters when TLS is set.
	RequireTLS bool
	// Timeout bounds each request; zero means DefaultTimeout.
	Timeout time.Duration
}

// StatusError is a reply other than 202 Accepted.
type StatusError struct {
	Path       string
	StatusCode int
	Body       string
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("auctioneer POST %s: http error: status code %d (%s)", e.Path, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// Client asks the auctioneer for LRP and task auctions.
type Client struct {
	base     string
	secure   *http.Client
	fallback *http.Client // plain HTTP retry, only when TLS is not required
}

// New builds a client from cfg.
func New(cfg Config) (*Client, error) {
	if cfg.URL == "" {
		return nil, errors.New("auctioneer client: no URL")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	newHTTP := func(tc *tls.Config) *http.Client {
		return &http.Client{
			Timeout: cfg.Timeout,
			Transport: &http.Transport{
				DialContext:         (&net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}).DialContext,
				TLSClientConfig:     tc,
				TLSHandshakeTimeout: cfg.Timeout,
				MaxIdleConnsPerHost: 8,
				IdleConnTimeout:     90 * time.Second,
			},
		}
	}
	c := &Client{base: strings.TrimRight(cfg.URL, "/")}
	if cfg.TLS != nil {
		c.secure = newHTTP(cfg.TLS.Clone())
		if !cfg.RequireTLS {
			c.fallback = newHTTP(nil)
		}
	} else {
		c.secure = newHTTP(nil)
	}
	return c, nil
}

// RequestLRPAuctions asks for the given LRP instances to be placed. The auctioneer answers
// 202 at once; placement happens asynchronously.
func (c *Client) RequestLRPAuctions(ctx context.Context, starts []LRPStartRequest) error {
	return c.post(ctx, CreateLRPAuctionsPath, starts)
}

// RequestTaskAuctions asks for the given tasks to be placed.
func (c *Client) RequestTaskAuctions(ctx context.Context, tasks []TaskStartRequest) error {
	return c.post(ctx, CreateTaskAuctionsPath, tasks)
}

func (c *Client) post(ctx context.Context, path string, body any) error {
	payload, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("auctioneer POST %s: encode: %w", path, err)
	}
	err = c.send(ctx, c.secure, c.base, path, payload)
	var se *StatusError
	if err != nil && c.fallback != nil && !errors.As(err, &se) && ctx.Err() == nil {
		// Legacy: an auctioneer without TLS. Retry the same URL over plain HTTP.
		plain := strings.Replace(c.base, "https://", "http://", 1)
		if ferr := c.send(ctx, c.fallback, plain, path, payload); ferr == nil {
			return nil
		}
	}
	return err
}

func (c *Client) send(ctx context.Context, hc *http.Client, base, path string, payload []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("auctioneer POST %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(RequestIDHeader, rep.RequestID(ctx))
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("auctioneer POST %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return &StatusError{Path: path, StatusCode: resp.StatusCode, Body: strings.TrimSpace(string(b))}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return nil
}
