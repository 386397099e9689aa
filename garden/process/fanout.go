package process

import (
	"io"
	"sync"
)

// fanout copies one output stream of a process to every attached writer. A
// writer that fails is dropped so a vanished client never blocks the process.
type fanout struct {
	mu    sync.Mutex
	sinks []io.Writer
}

func (f *fanout) attach(w io.Writer) {
	if w == nil {
		return
	}
	f.mu.Lock()
	f.sinks = append(f.sinks, w)
	f.mu.Unlock()
}

// Write implements io.Writer; it never fails.
func (f *fanout) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	kept := f.sinks[:0]
	for _, s := range f.sinks {
		if _, err := s.Write(p); err == nil {
			kept = append(kept, s)
		}
	}
	f.sinks = kept
	return len(p), nil
}
