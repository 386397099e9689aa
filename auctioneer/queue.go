package auctioneer

import (
	"sync"
	"time"

	rep "github.com/godiego/diego/rep/client"
)

// queued is one pending auction with its bookkeeping.
type queuedLRP struct {
	lrp      rep.LRP
	traceID  string
	queuedAt time.Time
	attempts int
}

type queuedTask struct {
	task     rep.Task
	traceID  string
	queuedAt time.Time
	attempts int
}

// Queue collects start requests between auction rounds, deduplicating LRP
// instances by process guid and index and tasks by guid (the newest request
// wins). HasWork has a signal in it whenever the queue is not empty.
type Queue struct {
	mu      sync.Mutex
	lrps    map[string]queuedLRP
	tasks   map[string]queuedTask
	hasWork chan struct{}
}

// NewQueue returns an empty queue.
func NewQueue() *Queue {
	return &Queue{lrps: map[string]queuedLRP{}, tasks: map[string]queuedTask{}, hasWork: make(chan struct{}, 1)}
}

// HasWork receives a value after work was added.
func (q *Queue) HasWork() <-chan struct{} { return q.hasWork }

// AddLRPs queues LRP instance auctions.
func (q *Queue) AddLRPs(lrps []rep.LRP, traceID string, now time.Time) {
	q.mu.Lock()
	for _, l := range lrps {
		q.lrps[l.Identifier()] = queuedLRP{lrp: l, traceID: traceID, queuedAt: now}
	}
	q.mu.Unlock()
	q.signal()
}

// AddTasks queues task auctions.
func (q *Queue) AddTasks(tasks []rep.Task, traceID string, now time.Time) {
	q.mu.Lock()
	for _, t := range tasks {
		q.tasks[t.Identifier()] = queuedTask{task: t, traceID: traceID, queuedAt: now}
	}
	q.mu.Unlock()
	q.signal()
}

func (q *Queue) requeue(lrps []queuedLRP, tasks []queuedTask) {
	if len(lrps)+len(tasks) == 0 {
		return
	}
	q.mu.Lock()
	for _, l := range lrps {
		if _, newer := q.lrps[l.lrp.Identifier()]; !newer {
			q.lrps[l.lrp.Identifier()] = l
		}
	}
	for _, t := range tasks {
		if _, newer := q.tasks[t.task.Identifier()]; !newer {
			q.tasks[t.task.Identifier()] = t
		}
	}
	q.mu.Unlock()
	q.signal()
}

func (q *Queue) signal() {
	select {
	case q.hasWork <- struct{}{}:
	default:
	}
}

// drain takes everything queued.
func (q *Queue) drain() (map[string]queuedLRP, map[string]queuedTask) {
	q.mu.Lock()
	defer q.mu.Unlock()
	lrps, tasks := q.lrps, q.tasks
	q.lrps, q.tasks = map[string]queuedLRP{}, map[string]queuedTask{}
	return lrps, tasks
}

// Len reports how many auctions are waiting.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.lrps) + len(q.tasks)
}
