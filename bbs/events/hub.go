// Package events owns the BBS's in-memory event hub and the translation of
// committed store changes into upstream's event messages (desired LRP,
// actual LRP instance, deprecated actual LRP group, and task events).
//
// There is one hub for every kind of event, so a subscriber that wants
// desired-LRP and instance events sees them in exactly the order they were
// emitted. Emitters call Emit after the store committed, while holding the
// lock that serializes changes to the same record (see Serializer), so the
// stream order is the commit order.
package events

import (
	"errors"
	"sync"

	"google.golang.org/protobuf/proto"
)

// MaxPendingEvents is how many events a subscriber may have queued; a
// subscriber further behind is closed (upstream's limit).
const MaxPendingEvents = 1024

// Kind classifies events by the streams that carry them.
type Kind int

// Event kinds.
const (
	KindDesiredLRP     Kind = iota // desired_lrp_*: both LRP streams
	KindActualGroup                // deprecated actual_lrp_* (group stream)
	KindActualInstance             // actual_lrp_instance_* and actual_lrp_crashed (instance stream)
	KindTask                       // task_*
)

// Event is one event ready to be streamed.
type Event struct {
	Kind    Kind
	Name    string
	Message proto.Message
	// CellIDs are the cells the event concerns; a cell-filtered stream
	// sends it only when one matches. Empty means every subscriber gets it.
	CellIDs []string
}

// MatchesCell reports whether a stream filtered by cellID should send e.
func (e Event) MatchesCell(cellID string) bool {
	if cellID == "" || len(e.CellIDs) == 0 {
		return true
	}
	for _, id := range e.CellIDs {
		if id == cellID {
			return true
		}
	}
	return false
}

// Errors returned by the hub.
var (
	ErrHubClosed    = errors.New("events: hub closed")
	ErrSlowConsumer = errors.New("events: subscriber fell more than 1024 events behind")
	ErrClosed       = errors.New("events: subscription closed")
)

// Hub fans events out to subscribers.
type Hub struct {
	mu       sync.Mutex
	subs     map[*Subscription]struct{}
	closed   bool
	onChange func(kinds []Kind, delta int)
}

// NewHub returns an open hub. onChange, when non-nil, is told about every
// subscriber that comes or goes (for metrics); it must not call the hub.
func NewHub(onChange func(kinds []Kind, delta int)) *Hub {
	return &Hub{subs: map[*Subscription]struct{}{}, onChange: onChange}
}

// Subscribe returns a subscription to events of the given kinds.
func (h *Hub) Subscribe(kinds ...Kind) (*Subscription, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrHubClosed
	}
	s := &Subscription{hub: h, ch: make(chan Event, MaxPendingEvents), done: make(chan struct{})}
	for _, k := range kinds {
		s.kinds |= 1 << k
	}
	s.kindList = kinds
	h.subs[s] = struct{}{}
	if h.onChange != nil {
		h.onChange(kinds, 1)
	}
	return s, nil
}

// Emit delivers events, in order, to every subscriber of their kinds. A
// subscriber whose queue is full is closed with ErrSlowConsumer.
func (h *Hub) Emit(events ...Event) {
	if len(events) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		for _, e := range events {
			if s.kinds&(1<<e.Kind) == 0 {
				continue
			}
			select {
			case s.ch <- e:
			default:
				h.dropLocked(s, ErrSlowConsumer)
			}
			if s.err != nil {
				break
			}
		}
	}
}

// Close closes every subscription; later Subscribe calls fail.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	for s := range h.subs {
		h.dropLocked(s, ErrHubClosed)
	}
}

// Count is the number of live subscriptions.
func (h *Hub) Count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

func (h *Hub) dropLocked(s *Subscription, err error) {
	if _, ok := h.subs[s]; !ok {
		return
	}
	delete(h.subs, s)
	s.err = err
	close(s.done)
	if h.onChange != nil {
		h.onChange(s.kindList, -1)
	}
}

// Subscription is one subscriber's queue.
type Subscription struct {
	hub      *Hub
	kinds    uint
	kindList []Kind
	ch       chan Event
	done     chan struct{}
	err      error // set under hub.mu before done closes
}

// Events is the channel of queued events.
func (s *Subscription) Events() <-chan Event { return s.ch }

// Done is closed when the subscription ends (hub closed, slow consumer or
// Close); Err then says why. Events already queued stay readable.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Err says why the subscription ended.
func (s *Subscription) Err() error {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	return s.err
}

// Close ends the subscription.
func (s *Subscription) Close() {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	s.hub.dropLocked(s, ErrClosed)
}
