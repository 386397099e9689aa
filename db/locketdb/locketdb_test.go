package locketdb_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/db/dbtest"
	"github.com/godiego/diego/db/locketdb"
	"github.com/godiego/diego/proto/locketmodels"
)

func newStore(t *testing.T, d *db.DB) *locketdb.Store {
	t.Helper()
	n := 0
	var mu sync.Mutex
	s := locketdb.New(d, func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return fmt.Sprintf("guid-%d", n)
	})
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

func res(key, owner, value string, code locketmodels.TypeCode) *locketmodels.Resource {
	return &locketmodels.Resource{Key: key, Owner: owner, Value: value, TypeCode: code}
}

func TestLockLifecycle(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newStore(t, d)

		l, err := s.Lock(ctx, res("bbs", "me", "v1", locketmodels.TypeCode_LOCK), 15)
		if err != nil {
			t.Fatal(err)
		}
		if l.ModifiedIndex != 1 || l.ModifiedID != "guid-1" || l.TTLInSeconds != 15 || l.Resource.Type != "lock" {
			t.Fatalf("new lock = %+v", l)
		}

		l, err = s.Lock(ctx, res("bbs", "me", "v2", locketmodels.TypeCode_LOCK), 20)
		if err != nil {
			t.Fatal(err)
		}
		if l.ModifiedIndex != 2 || l.ModifiedID != "guid-1" || l.TTLInSeconds != 20 {
			t.Fatalf("refreshed lock = %+v, want index 2, same id", l)
		}

		if _, err := s.Lock(ctx, res("bbs", "you", "v", locketmodels.TypeCode_LOCK), 15); !errors.Is(err, locketdb.ErrCollision) {
			t.Fatalf("other owner's Lock: got %v, want ErrCollision", err)
		}

		got, err := s.Fetch(ctx, "bbs")
		if err != nil {
			t.Fatal(err)
		}
		if got.Resource.Owner != "me" || got.Resource.Value != "v2" || got.Resource.TypeCode != locketmodels.TypeCode_LOCK ||
			got.ModifiedIndex != 2 || got.ModifiedID != "guid-1" || got.TTLInSeconds != 20 {
			t.Fatalf("Fetch = %+v %+v", got, got.Resource)
		}

		if err := s.Release(ctx, res("bbs", "you", "", 0)); !errors.Is(err, locketdb.ErrCollision) {
			t.Fatalf("other owner's Release: got %v, want ErrCollision", err)
		}
		if err := s.Release(ctx, res("bbs", "me", "", 0)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Fetch(ctx, "bbs"); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("Fetch after release: got %v, want ErrNotFound", err)
		}
		if err := s.Release(ctx, res("bbs", "me", "", 0)); err != nil {
			t.Fatalf("releasing a missing lock: %v", err)
		}

		l, err = s.Lock(ctx, res("bbs", "you", "", locketmodels.TypeCode_LOCK), 15)
		if err != nil || l.ModifiedIndex != 1 || l.ModifiedID != "guid-2" {
			t.Fatalf("re-created lock = %+v (%v), want index 1 and a new id", l, err)
		}
	})
}

func TestTypeFilling(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newStore(t, d)
		if _, err := s.Lock(ctx, &locketmodels.Resource{Key: "a", Owner: "o", Type: "presence"}, 5); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Lock(ctx, &locketmodels.Resource{Key: "b", Owner: "o", TypeCode: locketmodels.TypeCode_PRESENCE}, 5); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"a", "b"} {
			l, err := s.Fetch(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			if l.Resource.Type != "presence" || l.Resource.TypeCode != locketmodels.TypeCode_PRESENCE {
				t.Errorf("%s: type %q code %v, want both filled", key, l.Resource.Type, l.Resource.TypeCode)
			}
		}
	})
}

func TestFetchAllAndCount(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newStore(t, d)
		for _, r := range []*locketmodels.Resource{
			res("cell-2", "c2", "{}", locketmodels.TypeCode_PRESENCE),
			res("cell-1", "c1", "{}", locketmodels.TypeCode_PRESENCE),
			res("bbs", "b", "", locketmodels.TypeCode_LOCK),
		} {
			if _, err := s.Lock(ctx, r, 15); err != nil {
				t.Fatal(err)
			}
		}
		// A row with an empty owner (left by an older locket) is not held.
		if _, err := d.Exec(ctx, "INSERT INTO locks (path, owner, value, type) VALUES ('ghost', '', '', 'presence')"); err != nil {
			t.Fatal(err)
		}

		presences, err := s.FetchAll(ctx, "presence")
		if err != nil {
			t.Fatal(err)
		}
		if len(presences) != 2 || presences[0].Key() != "cell-1" || presences[1].Key() != "cell-2" {
			t.Fatalf("presences = %v", keys(presences))
		}
		all, err := s.FetchAll(ctx, "")
		if err != nil || len(all) != 3 {
			t.Fatalf("all = %v (%v)", keys(all), err)
		}
		if n, err := s.Count(ctx, "presence"); err != nil || n != 2 {
			t.Fatalf("Count(presence) = %d (%v)", n, err)
		}
		if n, err := s.Count(ctx, ""); err != nil || n != 3 {
			t.Fatalf("Count() = %d (%v)", n, err)
		}
		if _, err := s.Fetch(ctx, "ghost"); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("Fetch(ghost) = %v, want ErrNotFound", err)
		}

		// Anyone may take over an ownerless row; its modified_id is set.
		l, err := s.Lock(ctx, res("ghost", "new", "", locketmodels.TypeCode_PRESENCE), 15)
		if err != nil || l.ModifiedIndex != 1 || l.ModifiedID == "" {
			t.Fatalf("adopting ownerless row: %+v (%v)", l, err)
		}
	})
}

func TestFetchAndRelease(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newStore(t, d)
		first, err := s.Lock(ctx, res("k", "o", "", locketmodels.TypeCode_LOCK), 15)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Lock(ctx, res("k", "o", "", locketmodels.TypeCode_LOCK), 15); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.FetchAndRelease(ctx, first); ok || !errors.Is(err, locketdb.ErrCollision) {
			t.Fatalf("stale expiry: (%v, %v), want (false, ErrCollision)", ok, err)
		}
		current, err := s.Fetch(ctx, "k")
		if err != nil {
			t.Fatalf("refreshed lock was expired: %v", err)
		}
		stolen := *current
		stolen.Resource = res("k", "thief", "", locketmodels.TypeCode_LOCK)
		if ok, err := s.FetchAndRelease(ctx, &stolen); ok || !errors.Is(err, locketdb.ErrCollision) {
			t.Fatalf("owner mismatch: (%v, %v)", ok, err)
		}
		otherID := *current
		otherID.ModifiedID = "other"
		if ok, err := s.FetchAndRelease(ctx, &otherID); ok || !errors.Is(err, locketdb.ErrCollision) {
			t.Fatalf("id mismatch: (%v, %v)", ok, err)
		}
		if ok, err := s.FetchAndRelease(ctx, current); !ok || err != nil {
			t.Fatalf("current expiry: (%v, %v), want (true, nil)", ok, err)
		}
		if ok, err := s.FetchAndRelease(ctx, current); ok || err != nil {
			t.Fatalf("expiring a missing lock: (%v, %v), want (false, nil)", ok, err)
		}
	})
}

func TestConcurrentLockHasOneWinner(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newStore(t, d)
		const contenders = 6
		var wg sync.WaitGroup
		results := make(chan error, contenders)
		for i := 0; i < contenders; i++ {
			wg.Add(1)
			go func(owner string) {
				defer wg.Done()
				_, err := s.Lock(ctx, res("contended", owner, "", locketmodels.TypeCode_LOCK), 15)
				results <- err
			}(fmt.Sprintf("owner-%d", i))
		}
		wg.Wait()
		close(results)
		wins := 0
		for err := range results {
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, locketdb.ErrCollision):
				t.Errorf("contender failed with %v, want success or ErrCollision", err)
			}
		}
		if wins != 1 {
			t.Fatalf("%d contenders won, want exactly 1", wins)
		}
	})
}

// TestConcurrentCreationOfDistinctKeys is many cells registering their
// presences at once: none may fail (on MySQL, gap locks used to deadlock).
func TestConcurrentCreationOfDistinctKeys(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newStore(t, d)
		const workers, each = 16, 10
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					key := fmt.Sprintf("cell-%03d", i*workers+w)
					_, err := s.Lock(ctx, res(key, key, "{}", locketmodels.TypeCode_PRESENCE), 15)
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("creating a presence: %v", err)
			}
		}
		if n, err := s.Count(ctx, "presence"); err != nil || n != workers*each {
			t.Fatalf("Count = %d (%v), want %d", n, err, workers*each)
		}
	})
}

func keys(locks []*locketdb.Lock) []string {
	var out []string
	for _, l := range locks {
		out = append(out, l.Key())
	}
	return out
}
