package depot

import (
	"sync"

	"github.com/godiego/diego/executor"
)

// hub fans events out to subscribers. A subscriber that falls more than
// its buffer behind loses events rather than blocking the executor; the
// rep's bulk loop repairs whatever it missed.
type hub struct {
	mu   sync.Mutex
	subs map[chan executor.Event]struct{}
}

const subscriberBuffer = 1024

func (h *hub) subscribe() (<-chan executor.Event, func()) {
	ch := make(chan executor.Event, subscriberBuffer)
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[chan executor.Event]struct{}{}
	}
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			h.mu.Lock()
			delete(h.subs, ch)
			h.mu.Unlock()
			close(ch)
		})
	}
}

func (h *hub) emit(e executor.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- e:
		default:
		}
	}
}
