package handlers

import (
	"bufio"
	"io"
	"net"
	"net/http"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/bbs/controllers"
	"github.com/godiego/diego/bbs/events"
	"github.com/godiego/diego/bbs/sse"
	"github.com/godiego/diego/proto/models"
)

func (h *Handler) taskStream(v models.Version) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// The task streams take no request message; the body is ignored.
		h.stream(w, r, "", v, events.KindTask)
	}
}

func (h *Handler) instanceStream(v models.Version) http.HandlerFunc {
	return h.cellFilteredStream(v, events.KindDesiredLRP, events.KindActualInstance)
}

func (h *Handler) groupStream(v models.Version) http.HandlerFunc {
	return h.cellFilteredStream(v, events.KindDesiredLRP, events.KindActualGroup)
}

func (h *Handler) cellFilteredStream(v models.Version, kinds ...events.Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		logger := controllers.Logger(r.Context(), h.logger)
		req := &models.EventsByCellId{}
		if e := parseRequest(logger, r, req); e != nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		h.stream(w, r, req.CellId, v, kinds...)
	}
}

// stream subscribes to the hub and writes events to a hijacked
// connection, one hand-framed chunk per event, until the client goes away
// or the subscription ends (hub closed, or the client fell too far behind).
func (h *Handler) stream(w http.ResponseWriter, r *http.Request, cellID string, v models.Version, kinds ...events.Kind) {
	logger := controllers.Logger(r.Context(), h.logger)
	sub, err := h.hub.Subscribe(kinds...)
	if err != nil {
		logger.Error("failed-to-subscribe", err)
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	defer sub.Close()
	logger.Info("subscribed", lager.Data{"cell_id": cellID})

	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache, no-store, must-revalidate")
	w.Header().Set("Connection", "keep-alive")
	w.WriteHeader(http.StatusOK)
	hj, ok := w.(http.Hijacker)
	if !ok {
		logger.Error("cannot-hijack", nil)
		return
	}
	conn, rw, err := hj.Hijack()
	if err != nil {
		logger.Error("failed-to-hijack", err)
		return
	}
	defer conn.Close()
	if err := rw.Flush(); err != nil {
		return
	}
	gone := watchClose(conn, rw.Reader)

	id := 0
	send := func(e events.Event) bool {
		if !e.MatchesCell(cellID) {
			return true
		}
		ev, err := sse.NewEvent(id, e.Name, versionEvent(e.Message, v))
		if err != nil {
			logger.Error("failed-to-marshal-event", err)
			return false
		}
		if err := sse.WriteChunk(conn, ev.Encode()); err != nil {
			return false
		}
		id++
		return true
	}
	for {
		select {
		case e := <-sub.Events():
			if !send(e) {
				return
			}
		case <-sub.Done():
			for {
				select {
				case e := <-sub.Events():
					if !send(e) {
						return
					}
				default:
					logger.Info("subscription-ended", lager.Data{"reason": sub.Err().Error()})
					_ = sse.WriteLastChunk(conn)
					return
				}
			}
		case <-gone:
			logger.Debug("client-went-away")
			return
		}
	}
}

// watchClose reads (and discards) whatever the client sends; the channel
// closes when the client closes its side.
func watchClose(conn net.Conn, buffered *bufio.Reader) <-chan struct{} {
	gone := make(chan struct{})
	go func() {
		defer close(gone)
		if buffered != nil && buffered.Buffered() > 0 {
			_, _ = buffered.Discard(buffered.Buffered())
		}
		_, _ = io.Copy(io.Discard, conn)
	}()
	return gone
}
