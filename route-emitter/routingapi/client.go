package routingapi

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// TokenSource provides bearer tokens; fresh asks for a new one because the
// last was refused.
type TokenSource interface {
	Token(ctx context.Context, fresh bool) (string, error)
}

// Client talks to the routing API.
type Client struct {
	baseURL string
	http    *http.Client
	tokens  TokenSource // nil: auth disabled, no Authorization header
}

// NewClient returns a client of the routing API at baseURL (scheme, host
// and port). tlsCfg is used for https (mTLS when it carries a certificate);
// tokens may be nil when the routing API runs without auth.
func NewClient(baseURL string, tlsCfg *tls.Config, timeout time.Duration, tokens TokenSource) *Client {
	return &Client{
		baseURL: strings.TrimRight(baseURL, "/"),
		http: &http.Client{
			Transport: &http.Transport{TLSClientConfig: tlsCfg, Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 4},
			Timeout:   timeout,
		},
		tokens: tokens,
	}
}

// UpsertTCPRouteMappings creates or refreshes mappings.
func (c *Client) UpsertTCPRouteMappings(ctx context.Context, mappings []TCPRouteMapping) error {
	return c.post(ctx, CreateTCPRoutesPath, mappings)
}

// DeleteTCPRouteMappings removes mappings.
func (c *Client) DeleteTCPRouteMappings(ctx context.Context, mappings []TCPRouteMapping) error {
	return c.post(ctx, DeleteTCPRoutesPath, mappings)
}

// post sends body to path. When the routing API refuses the token it gets
// a fresh one and tries once more.
func (c *Client) post(ctx context.Context, path string, body any) error {
	data, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encoding %s request: %w", path, err)
	}
	err = c.send(ctx, path, data, false)
	var apiErr *Error
	if errors.As(err, &apiErr) && apiErr.Unauthorized() && c.tokens != nil {
		err = c.send(ctx, path, data, true)
	}
	return err
}

func (c *Client) send(ctx context.Context, path string, data []byte, freshToken bool) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+path, bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("building %s request: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.tokens != nil {
		token, err := c.tokens.Token(ctx, freshToken)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("routing API %s: %w", path, err)
	}
	defer resp.Body.Close()
	var apiErr *Error
	if resp.StatusCode < 300 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		return nil
	}
	apiErr = &Error{Status: resp.StatusCode}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	_ = json.Unmarshal(raw, apiErr)
	return apiErr
}
