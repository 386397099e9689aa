package events

import (
	"testing"

	"github.com/godiego/diego/proto/models"
)

// BenchmarkEmitTo100Subscribers measures fan-out of one event to 100
// subscribers that keep up.
func BenchmarkEmitTo100Subscribers(b *testing.B) {
	h := NewHub(nil)
	for i := 0; i < 100; i++ {
		s, _ := h.Subscribe(KindTask)
		go func() {
			for range s.Events() {
			}
		}()
	}
	ev := TaskEvent(nil, &models.Task{TaskGuid: "t"})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.Emit(ev)
	}
}
