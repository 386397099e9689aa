package workpool

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestForEachCallsEveryIndexOnceWithinTheBound(t *testing.T) {
	var calls [100]atomic.Int32
	var running, peak atomic.Int32
	ForEach(100, 4, func(i int) {
		now := running.Add(1)
		for {
			p := peak.Load()
			if now <= p || peak.CompareAndSwap(p, now) {
				break
			}
		}
		time.Sleep(time.Millisecond)
		calls[i].Add(1)
		running.Add(-1)
	})
	for i := range calls {
		if calls[i].Load() != 1 {
			t.Fatalf("index %d called %d times", i, calls[i].Load())
		}
	}
	if peak.Load() > 4 {
		t.Fatalf("%d calls ran at once, bound is 4", peak.Load())
	}
}

func TestForEachWithNothingToDo(t *testing.T) {
	ForEach(0, 3, func(int) { t.Fatal("called") })
}
