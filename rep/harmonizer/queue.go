package harmonizer

import (
	"context"
	"sync"
)

// queue runs at most one operation per key at a time and keeps at most one
// waiting behind it: a newer operation for a key replaces the waiting one,
// as upstream's sliding operation queue does. At most limit operations run
// at once across keys.
type queue struct {
	mu      sync.Mutex
	running map[string]bool
	waiting map[string]func(context.Context)
	slots   chan struct{}
	wg      sync.WaitGroup
}

func newQueue(limit int) *queue {
	return &queue{running: map[string]bool{}, waiting: map[string]func(context.Context){}, slots: make(chan struct{}, limit)}
}

// push schedules op for key.
func (q *queue) push(ctx context.Context, key string, op func(context.Context)) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.running[key] {
		q.waiting[key] = op
		return
	}
	q.running[key] = true
	q.wg.Add(1)
	go q.work(ctx, key, op)
}

func (q *queue) work(ctx context.Context, key string, op func(context.Context)) {
	defer q.wg.Done()
	for op != nil {
		select {
		case q.slots <- struct{}{}:
			op(ctx)
			<-q.slots
		case <-ctx.Done():
		}
		q.mu.Lock()
		op = q.waiting[key]
		delete(q.waiting, key)
		if op == nil {
			delete(q.running, key)
		}
		q.mu.Unlock()
	}
}

// wait blocks until every scheduled operation has run.
func (q *queue) wait() { q.wg.Wait() }
