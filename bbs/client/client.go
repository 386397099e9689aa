// Package client is the Go client of the BBS API: one method per current
// route (plus the deprecated ActualLRPGroup reads cfdot uses), event
// stream subscriptions that reconnect, mutual TLS, request ids, and
// upstream's retry and error mapping (three attempts 500 ms apart; a
// non-protobuf 404 is InvalidResponse "Invalid Response with status code:
// 404", which is also how a missing .r1 route is detected and the r0 route
// used instead).
package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/bbs"
	"github.com/godiego/diego/proto/models"
)

// Defaults, as upstream's client has them.
const (
	DefaultRetries         = 3
	DefaultRetryInterval   = 500 * time.Millisecond
	DefaultTimeout         = 10 * time.Second
	DefaultReconnectPeriod = time.Second
)

// Config says how to reach the BBS.
type Config struct {
	// URL is the BBS base URL, e.g. "https://bbs.service.cf.internal:8889".
	URL string
	// TLS is the mutual TLS client config; nil means plain HTTP.
	TLS *tls.Config
	// Timeout bounds each request (not event streams); zero means DefaultTimeout.
	Timeout time.Duration
	// Retries is the number of attempts per request; zero means DefaultRetries.
	Retries int
	// RetryInterval is the pause after a failed attempt; zero means DefaultRetryInterval.
	RetryInterval time.Duration
	// ReconnectInterval is the pause before an event stream reconnects;
	// zero means DefaultReconnectPeriod.
	ReconnectInterval time.Duration
}

// Client calls the BBS.
type Client struct {
	base          string
	http          *http.Client
	stream        *http.Client
	retries       int
	retryInterval time.Duration
	reconnect     time.Duration
}

// New builds a client.
func New(cfg Config) (*Client, error) {
	if cfg.URL == "" {
		return nil, errors.New("bbs client: no URL")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Retries <= 0 {
		cfg.Retries = DefaultRetries
	}
	if cfg.RetryInterval <= 0 {
		cfg.RetryInterval = DefaultRetryInterval
	}
	if cfg.ReconnectInterval <= 0 {
		cfg.ReconnectInterval = DefaultReconnectPeriod
	}
	transport := func() *http.Transport {
		t := &http.Transport{
			DialContext:         (&net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout: cfg.Timeout,
			MaxIdleConnsPerHost: 100,
			IdleConnTimeout:     90 * time.Second,
		}
		if cfg.TLS != nil {
			t.TLSClientConfig = cfg.TLS.Clone()
		}
		return t
	}
	return &Client{
		base:          strings.TrimRight(cfg.URL, "/"),
		http:          &http.Client{Transport: transport(), Timeout: cfg.Timeout},
		stream:        &http.Client{Transport: transport()},
		retries:       cfg.Retries,
		retryInterval: cfg.RetryInterval,
		reconnect:     cfg.ReconnectInterval,
	}, nil
}

type ctxKey struct{}

// WithRequestID returns a context whose requests carry id in X-Vcap-Request-Id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

func requestID(ctx context.Context) string {
	if id, ok := ctx.Value(ctxKey{}).(string); ok && id != "" {
		return id
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// newRequest builds the HTTP request for a route.
func (c *Client) newRequest(ctx context.Context, routeName string, body []byte, traceID string) (*http.Request, error) {
	route := bbs.RouteByName(routeName)
	req, err := http.NewRequestWithContext(ctx, route.Method, c.base+route.Path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", bbs.ProtobufContentType)
	req.Header.Set(bbs.RequestIDHeader, traceID)
	return req, nil
}

// call sends req to the route and decodes the response into resp, with
// upstream's retries. It returns transport and protocol errors; the
// caller returns the error the response body carries.
func (c *Client) call(ctx context.Context, routeName string, req, resp proto.Message) error {
	var body []byte
	if req != nil {
		var err error
		if body, err = proto.Marshal(req); err != nil {
			return models.NewError(models.Error_InvalidRequest, err.Error())
		}
	}
	traceID := requestID(ctx)
	var err error
	for attempt := 0; attempt < c.retries; attempt++ {
		err = c.once(ctx, routeName, body, traceID, resp)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		select {
		case <-time.After(c.retryInterval):
		case <-ctx.Done():
			return err
		}
	}
	return err
}

func (c *Client) once(ctx context.Context, routeName string, body []byte, traceID string, resp proto.Message) error {
	req, err := c.newRequest(ctx, routeName, body, traceID)
	if err != nil {
		return err
	}
	r, err := c.http.Do(req)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return models.NewTimeoutError(err)
		}
		return err
	}
	defer r.Body.Close()
	if re := r.Header.Get(bbs.RouterErrorHeader); re != "" {
		return models.NewRouterError(re)
	}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType != bbs.ProtobufContentType {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.StatusCode > 299 {
			return models.NewInvalidResponseError(r.StatusCode)
		}
		return nil
	}
	raw, err := readBody(r)
	if err != nil {
		return models.NewError(models.Error_InvalidResponse, fmt.Sprint("failed to read body: ", err.Error()))
	}
	if err := proto.Unmarshal(raw, resp); err != nil {
		return models.NewError(models.Error_InvalidProtobufMessage, fmt.Sprint("failed to unmarshal proto: ", err.Error()))
	}
	return nil
}

// protoMessage is any request message.
type protoMessage = proto.Message

// result returns the transport error, or else the error the response
// carries (nil when none).
func result(err error, e *models.Error) error {
	if err != nil {
		return err
	}
	if e != nil {
		return e
	}
	return nil
}

// isEndpointNotFound reports the 404 that marks a missing route version.
func isEndpointNotFound(err error) bool {
	var me *models.Error
	return errors.As(err, &me) && me.Type == models.ErrEndpointNotFound.Type && me.Message == models.ErrEndpointNotFound.Message
}

// readBody reads a response body into one buffer sized by Content-Length
// (bulk reads run to tens of megabytes).
func readBody(r *http.Response) ([]byte, error) {
	if r.ContentLength <= 0 || r.ContentLength > 1<<30 {
		return io.ReadAll(r.Body)
	}
	buf := make([]byte, r.ContentLength)
	n, err := io.ReadFull(r.Body, buf)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return buf[:n], fmt.Errorf("body ended after %d of %d bytes", n, r.ContentLength)
	}
	return buf[:n], err
}
