package controllers

import (
	"hash/fnv"
	"sync"
)

// Serializer makes "commit, then emit" atomic with respect to other
// changes of the same record, so events leave in commit order. Request
// paths lock one key (a process guid or task guid); a convergence pass
// locks everything while it commits and emits.
type Serializer struct {
	all     sync.RWMutex
	stripes [256]sync.Mutex
}

// Lock locks key and returns its unlock function.
func (s *Serializer) Lock(key string) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	m := &s.stripes[h.Sum32()%uint32(len(s.stripes))]
	s.all.RLock()
	m.Lock()
	return func() {
		m.Unlock()
		s.all.RUnlock()
	}
}

// LockAll excludes every keyed change and returns the unlock function.
func (s *Serializer) LockAll() func() {
	s.all.Lock()
	return s.all.Unlock
}
