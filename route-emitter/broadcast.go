package routeemitter

import (
	"context"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/route-emitter/emitter"
	"github.com/godiego/diego/route-emitter/routingtable"
)

// TCPEmitter sends TCP route mappings to the routing API.
type TCPEmitter interface {
	Emit(mappings, unmappings []routingtable.TCPMapping) error
}

// schedule is one router family's periodic full emission (router.* or
// service-discovery.*): the first start message starts it, later ones
// re-time it after a random jitter so that many emitters answering a
// restarted router do not all send at once.
type schedule struct {
	jitterFactor float64
	interval     time.Duration
	ticker       *time.Ticker
	tick         <-chan time.Time // nil until started
	jitter       <-chan time.Time // set while waiting out a jitter
}

// started handles a start message and reports whether to emit right away.
func (s *schedule) started(msg emitter.StartMessage) bool {
	s.interval = time.Duration(msg.MinimumRegisterIntervalInSeconds) * time.Second
	if s.ticker == nil {
		s.ticker = time.NewTicker(s.interval)
		s.tick = s.ticker.C
		return true
	}
	s.jitter = time.After(time.Duration(rand.Float64() * s.jitterFactor * float64(s.interval)))
	return false
}

// jittered ends a jitter wait: the ticker restarts on the new interval and
// an emission is due now.
func (s *schedule) jittered() {
	s.jitter = nil
	s.ticker.Reset(s.interval)
}

func (s *schedule) stop() {
	if s.ticker != nil {
		s.ticker.Stop()
	}
}

// tcpBatch is one request pair for the routing API.
type tcpBatch struct {
	mappings, unmappings []routingtable.TCPMapping
	full                 bool
}

// tcpSender hands batches to the routing API in order, off the runner's
// loop, so a slow routing API never delays NATS registrations. Changes are
// always queued; a periodic full refresh is skipped while the previous one
// is still waiting.
type tcpSender struct {
	emitter     TCPEmitter
	logger      lager.Logger
	queue       chan tcpBatch
	fullPending atomic.Bool
}

func newTCPSender(e TCPEmitter, logger lager.Logger) *tcpSender {
	return &tcpSender{emitter: e, logger: logger.Session("tcp"), queue: make(chan tcpBatch, 256)}
}

func (s *tcpSender) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case b := <-s.queue:
			if b.full {
				s.fullPending.Store(false)
			}
			if err := s.emitter.Emit(b.mappings, b.unmappings); err != nil {
				s.logger.Error("failed-to-emit-tcp-routes", err, lager.Data{"mappings": len(b.mappings), "unmappings": len(b.unmappings)})
			}
		}
	}
}

// changed queues what one change maps and unmaps.
func (s *tcpSender) changed(ctx context.Context, m routingtable.Messages) {
	if len(m.TCPMappings)+len(m.TCPUnmappings) == 0 {
		return
	}
	select {
	case s.queue <- tcpBatch{mappings: m.TCPMappings, unmappings: m.TCPUnmappings}:
	case <-ctx.Done():
	}
}

// refresh queues every mapping again so the routing API renews their TTL.
func (s *tcpSender) refresh(mappings []routingtable.TCPMapping) {
	if len(mappings) == 0 || !s.fullPending.CompareAndSwap(false, true) {
		return
	}
	select {
	case s.queue <- tcpBatch{mappings: mappings, full: true}:
	default:
		s.fullPending.Store(false)
		s.logger.Info("tcp-refresh-skipped-queue-full")
	}
}
