package bbsdb

import (
	"errors"
	"sync/atomic"
	"testing"
)

func TestParallelHelpersVisitEveryIndexOnce(t *testing.T) {
	const n = 5000
	var seen [n]atomic.Int32
	errs := parallelDecode(n, func(i int) error {
		seen[i].Add(1)
		if i%1000 == 0 {
			return errors.New("bad")
		}
		return nil
	})
	for i := range seen {
		if seen[i].Load() != 1 || (errs[i] != nil) != (i%1000 == 0) {
			t.Fatalf("index %d visited %d times, err %v", i, seen[i].Load(), errs[i])
		}
	}
	var count atomic.Int64
	err := parallel(n, 7, func(i int) error {
		count.Add(1)
		if i == 42 {
			return errors.New("first")
		}
		return nil
	})
	if count.Load() != n || err == nil {
		t.Fatalf("parallel ran %d, err %v", count.Load(), err)
	}
	if parallel(0, 3, func(int) error { t.Fatal("called"); return nil }) != nil {
		t.Fatal("error on empty input")
	}
}
