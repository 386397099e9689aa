// Package workpool runs independent pieces of work on a bounded number of
// goroutines.
package workpool

import "sync"

// ForEach calls fn(i) for every i in [0, n) on at most workers goroutines
// (all at once when workers <= 0) and returns when every call has returned.
func ForEach(n, workers int, fn func(i int)) {
	if n <= 0 {
		return
	}
	if workers <= 0 || workers > n {
		workers = n
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}
