package main

import (
	"fmt"
	"sort"
	"sync"
	"time"
)

type durations []time.Duration

func (d durations) p(pct int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append(durations{}, d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := (len(s)*pct + 99) / 100
	if i > 0 {
		i--
	}
	return s[i]
}

type samples struct {
	mu                     sync.Mutex
	create, start, destroy durations
}

func (s *samples) add(create, start, destroy time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.create = append(s.create, create)
	s.start = append(s.start, start)
	s.destroy = append(s.destroy, destroy)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

// forEach runs f(0..n-1) on parallel workers and returns the first error.
func forEach(n, parallel int, f func(i int) error) error {
	work := make(chan int)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for w := 0; w < parallel; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if err := f(i); err != nil {
					errs <- err
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	return <-errs
}
