package events

import (
	"testing"

	"github.com/godiego/diego/proto/models"
)

func taskEvent(guid string) Event {
	return TaskEvent(nil, &models.Task{TaskGuid: guid})
}

func TestSubscribersGetTheirKindsInEmitOrder(t *testing.T) {
	h := NewHub(nil)
	tasks, _ := h.Subscribe(KindTask)
	lrps, _ := h.Subscribe(KindDesiredLRP, KindActualInstance)
	h.Emit(taskEvent("a"), DesiredLRPEvent(nil, &models.DesiredLRP{ProcessGuid: "p"}, ""), taskEvent("b"))
	for _, want := range []string{"a", "b"} {
		e := <-tasks.Events()
		if got := e.Message.(*models.TaskCreatedEvent).Task.TaskGuid; got != want {
			t.Fatalf("task stream: got %s, want %s", got, want)
		}
	}
	if e := <-lrps.Events(); e.Name != "desired_lrp_created" {
		t.Fatalf("lrp stream got %s", e.Name)
	}
	select {
	case e := <-lrps.Events():
		t.Fatalf("lrp stream got an extra %s", e.Name)
	default:
	}
}

func TestSlowSubscriberIsClosedAfter1024PendingEvents(t *testing.T) {
	counts := map[int]int{}
	h := NewHub(func(_ []Kind, delta int) { counts[delta]++ })
	s, _ := h.Subscribe(KindTask)
	for i := 0; i < MaxPendingEvents; i++ {
		h.Emit(taskEvent("x"))
	}
	select {
	case <-s.Done():
		t.Fatal("closed before exceeding the limit")
	default:
	}
	h.Emit(taskEvent("overflow"))
	<-s.Done()
	if s.Err() != ErrSlowConsumer {
		t.Fatalf("err = %v", s.Err())
	}
	if len(s.Events()) != MaxPendingEvents {
		t.Fatalf("queued events = %d, want them all kept for draining", len(s.Events()))
	}
	if h.Count() != 0 || counts[1] != 1 || counts[-1] != 1 {
		t.Fatalf("count %d, callbacks %v", h.Count(), counts)
	}
}

func TestCloseEndsSubscriptionsAndRefusesNewOnes(t *testing.T) {
	h := NewHub(nil)
	s, _ := h.Subscribe(KindTask)
	h.Close()
	<-s.Done()
	if s.Err() != ErrHubClosed {
		t.Fatalf("err = %v", s.Err())
	}
	if _, err := h.Subscribe(KindTask); err != ErrHubClosed {
		t.Fatalf("subscribe after close: %v", err)
	}
	s.Close() // idempotent
}

func TestCellFilter(t *testing.T) {
	e := Event{CellIDs: []string{"", "cell-1"}}
	if !e.MatchesCell("") || !e.MatchesCell("cell-1") || e.MatchesCell("cell-2") {
		t.Fatal("cell filter wrong")
	}
	if !(Event{}).MatchesCell("cell-2") {
		t.Fatal("events without cells go to everyone")
	}
}
