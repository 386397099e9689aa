package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/bbs"
	"github.com/godiego/diego/bbs/sse"
	"github.com/godiego/diego/proto/models"
)

// Event is one decoded event: its SSE name (bbs.Event*) and message.
type Event struct {
	Name    string
	Message proto.Message
}

// ErrSourceClosed is returned by Next after Close.
var ErrSourceClosed = errors.New("bbs client: event source closed")

// EventSource reads an event stream. When the connection drops it
// reconnects (events sent meanwhile are lost, as upstream's are).
type EventSource struct {
	c       *Client
	route   string
	body    []byte
	traceID string

	mu     sync.Mutex
	resp   *http.Response
	reader *sse.Reader
	closed bool
	ctx    context.Context
	cancel context.CancelFunc
}

// SubscribeToInstanceEvents streams desired LRP and actual LRP instance events.
func (c *Client) SubscribeToInstanceEvents(ctx context.Context) (*EventSource, error) {
	return c.subscribe(ctx, bbs.LRPInstanceEventStreamRoute, "")
}

// SubscribeToInstanceEventsByCellID streams the instance events of one cell
// (desired LRP events are always sent).
func (c *Client) SubscribeToInstanceEventsByCellID(ctx context.Context, cellID string) (*EventSource, error) {
	return c.subscribe(ctx, bbs.LRPInstanceEventStreamRoute, cellID)
}

// SubscribeToTaskEvents streams task events.
func (c *Client) SubscribeToTaskEvents(ctx context.Context) (*EventSource, error) {
	return c.subscribe(ctx, bbs.TaskEventStreamRoute, "")
}

// SubscribeToEvents streams desired LRP and actual LRP group events (deprecated).
func (c *Client) SubscribeToEvents(ctx context.Context) (*EventSource, error) {
	return c.subscribe(ctx, bbs.LRPGroupEventStreamRoute, "")
}

// SubscribeToEventsByCellID streams one cell's group events (deprecated).
func (c *Client) SubscribeToEventsByCellID(ctx context.Context, cellID string) (*EventSource, error) {
	return c.subscribe(ctx, bbs.LRPGroupEventStreamRoute, cellID)
}

func (c *Client) subscribe(ctx context.Context, route, cellID string) (*EventSource, error) {
	body, err := proto.Marshal(&models.EventsByCellId{CellId: cellID})
	if err != nil {
		return nil, err
	}
	sctx, cancel := context.WithCancel(ctx)
	s := &EventSource{c: c, route: route, body: body, traceID: requestID(ctx), ctx: sctx, cancel: cancel}
	if err := s.connect(); err != nil {
		cancel()
		return nil, err
	}
	return s, nil
}

// connect opens the stream, trying up to the client's retry count.
func (s *EventSource) connect() error {
	var err error
	for attempt := 0; attempt < s.c.retries; attempt++ {
		if attempt > 0 {
			select {
			case <-time.After(s.c.reconnect):
			case <-s.ctx.Done():
				return ErrSourceClosed
			}
		}
		var resp *http.Response
		resp, err = s.open()
		if err == nil {
			s.mu.Lock()
			if s.closed {
				s.mu.Unlock()
				resp.Body.Close()
				return ErrSourceClosed
			}
			s.resp, s.reader = resp, sse.NewReader(resp.Body)
			s.mu.Unlock()
			return nil
		}
	}
	return err
}

func (s *EventSource) open() (*http.Response, error) {
	req, err := s.c.newRequest(s.ctx, s.route, s.body, s.traceID)
	if err != nil {
		return nil, err
	}
	resp, err := s.c.stream.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, models.NewInvalidResponseError(resp.StatusCode)
	}
	return resp, nil
}

// Next blocks for the next event. It reconnects when the stream breaks and
// returns an error only when reconnecting fails or the source is closed.
func (s *EventSource) Next() (Event, error) {
	for {
		s.mu.Lock()
		reader, closed := s.reader, s.closed
		s.mu.Unlock()
		if closed {
			return Event{}, ErrSourceClosed
		}
		ev, err := reader.Next()
		if err == nil {
			msg, derr := bbs.DecodeEvent(ev.Name, ev.Data)
			if derr != nil {
				return Event{}, fmt.Errorf("bbs client: %w", derr)
			}
			return Event{Name: ev.Name, Message: msg}, nil
		}
		s.mu.Lock()
		closed = s.closed
		if s.resp != nil {
			s.resp.Body.Close()
		}
		s.mu.Unlock()
		if closed {
			return Event{}, ErrSourceClosed
		}
		select {
		case <-time.After(s.c.reconnect):
		case <-s.ctx.Done():
			return Event{}, ErrSourceClosed
		}
		if cerr := s.connect(); cerr != nil {
			return Event{}, cerr
		}
	}
}

// Close ends the stream; a blocked Next returns ErrSourceClosed.
func (s *EventSource) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrSourceClosed
	}
	s.closed = true
	s.cancel()
	if s.resp != nil {
		s.resp.Body.Close()
	}
	return nil
}
