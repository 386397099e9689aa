package executor

import "sync"

// Ledger tracks a cell's capacity and what is allocated from it. Every
// container that exists in the executor holds its resources from
// allocation until deletion, whatever its state, so what the ledger
// reports as remaining is exactly what AllocateContainers can still hand
// out. It is safe for concurrent use.
type Ledger struct {
	mu        sync.Mutex
	total     ExecutorResources
	remaining ExecutorResources
}

// NewLedger returns a ledger with nothing allocated.
func NewLedger(total ExecutorResources) *Ledger {
	return &Ledger{total: total, remaining: total}
}

// Total is the cell's capacity.
func (l *Ledger) Total() ExecutorResources { return l.total }

// Remaining is what can still be allocated.
func (l *Ledger) Remaining() ExecutorResources {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.remaining
}

// Fits reports whether r fits in what remains.
func (rem ExecutorResources) Fits(r Resource) bool {
	return rem.Containers >= 1 && rem.MemoryMB >= r.MemoryMB && rem.DiskMB >= r.DiskMB
}

// Allocate takes r from the ledger, or returns ErrInsufficientResourcesAvailable.
func (l *Ledger) Allocate(r Resource) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.remaining.Fits(r) {
		return ErrInsufficientResourcesAvailable
	}
	l.remaining.MemoryMB -= r.MemoryMB
	l.remaining.DiskMB -= r.DiskMB
	l.remaining.Containers--
	return nil
}

// Free returns r to the ledger.
func (l *Ledger) Free(r Resource) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.remaining.MemoryMB += r.MemoryMB
	l.remaining.DiskMB += r.DiskMB
	l.remaining.Containers++
}
