package locket_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/db/dbtest"
	"github.com/godiego/diego/locket/clock"
	"github.com/godiego/diego/locket/lockettest"
	"github.com/godiego/diego/proto/locketmodels"
)

// forEachBackend runs fn against a fresh server on each database backend.
func forEachBackend(t *testing.T, fn func(t *testing.T, cfg db.Config)) {
	for _, flavor := range dbtest.Backends {
		t.Run(string(flavor), func(t *testing.T) { fn(t, dbtest.Config(t, flavor)) })
	}
}

func lockReq(key, owner, value string, code locketmodels.TypeCode, ttl int64) *locketmodels.LockRequest {
	return &locketmodels.LockRequest{
		Resource:     &locketmodels.Resource{Key: key, Owner: owner, Value: value, TypeCode: code},
		TtlInSeconds: ttl,
	}
}

func wantStatus(t *testing.T, err error, code codes.Code, msg string) {
	t.Helper()
	st, _ := status.FromError(err)
	if err == nil || st.Code() != code || st.Message() != msg {
		t.Fatalf("got error %v, want %s %q", err, code, msg)
	}
}

func TestLockFetchRelease(t *testing.T) {
	forEachBackend(t, func(t *testing.T, cfg db.Config) {
		ctx := context.Background()
		srv := lockettest.Start(t, cfg, clock.NewFake(time.Now()), "")
		c := srv.Client(t)

		if _, err := c.Lock(ctx, lockReq("bbs", "me", "v1", locketmodels.TypeCode_LOCK, 15)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Lock(ctx, lockReq("bbs", "me", "v2", locketmodels.TypeCode_LOCK, 15)); err != nil {
			t.Fatalf("refresh: %v", err)
		}
		_, err := c.Lock(ctx, lockReq("bbs", "you", "v", locketmodels.TypeCode_LOCK, 15))
		wantStatus(t, err, codes.AlreadyExists, "lock-collision")

		resp, err := c.Fetch(ctx, &locketmodels.FetchRequest{Key: "bbs"})
		if err != nil {
			t.Fatal(err)
		}
		r := resp.GetResource()
		if r.Key != "bbs" || r.Owner != "me" || r.Value != "v2" || r.Type != "lock" || r.TypeCode != locketmodels.TypeCode_LOCK {
			t.Fatalf("Fetch = %v", r)
		}

		_, err = c.Release(ctx, &locketmodels.ReleaseRequest{Resource: &locketmodels.Resource{Key: "bbs", Owner: "you"}})
		wantStatus(t, err, codes.AlreadyExists, "lock-collision")
		if _, err := c.Release(ctx, &locketmodels.ReleaseRequest{Resource: &locketmodels.Resource{Key: "bbs", Owner: "me"}}); err != nil {
			t.Fatal(err)
		}
		_, err = c.Fetch(ctx, &locketmodels.FetchRequest{Key: "bbs"})
		wantStatus(t, err, codes.NotFound, "resource-not-found")
		if _, err := c.Release(ctx, &locketmodels.ReleaseRequest{Resource: &locketmodels.Resource{Key: "bbs", Owner: "me"}}); err != nil {
			t.Fatalf("releasing a missing lock: %v", err)
		}
	})
}

func TestFetchAllAndTypes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, cfg db.Config) {
		ctx := context.Background()
		srv := lockettest.Start(t, cfg, clock.NewFake(time.Now()), "")
		c := srv.Client(t)

		reqs := []*locketmodels.LockRequest{
			{Resource: &locketmodels.Resource{Key: "cell-1", Owner: "a", Value: "{}", Type: "presence"}, TtlInSeconds: 15},
			{Resource: &locketmodels.Resource{Key: "cell-2", Owner: "b", Value: "{}", TypeCode: locketmodels.TypeCode_PRESENCE}, TtlInSeconds: 15},
			{Resource: &locketmodels.Resource{Key: "auctioneer", Owner: "c", Type: "lock", TypeCode: locketmodels.TypeCode_LOCK}, TtlInSeconds: 15},
		}
		for _, req := range reqs {
			if _, err := c.Lock(ctx, req); err != nil {
				t.Fatal(err)
			}
		}
		for _, req := range []*locketmodels.FetchAllRequest{
			{TypeCode: locketmodels.TypeCode_PRESENCE}, {Type: "presence"},
		} {
			resp, err := c.FetchAll(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.Resources) != 2 {
				t.Fatalf("FetchAll(%v) = %v, want 2 presences", req, resp.Resources)
			}
			for _, r := range resp.Resources {
				if r.Type != "presence" || r.TypeCode != locketmodels.TypeCode_PRESENCE {
					t.Errorf("FetchAll returned %v without both type fields filled", r)
				}
			}
		}
		resp, err := c.FetchAll(ctx, &locketmodels.FetchAllRequest{TypeCode: locketmodels.TypeCode_LOCK})
		if err != nil || len(resp.Resources) != 1 || resp.Resources[0].Key != "auctioneer" {
			t.Fatalf("FetchAll(LOCK) = %v (%v)", resp.GetResources(), err)
		}
	})
}

func TestBadRequests(t *testing.T) {
	ctx := context.Background()
	srv := lockettest.Start(t, dbtest.Config(t, db.SQLite), clock.NewFake(time.Now()), "")
	c := srv.Client(t)

	_, err := c.Lock(ctx, lockReq("k", "o", "", locketmodels.TypeCode_LOCK, 0))
	wantStatus(t, err, codes.InvalidArgument, "invalid-ttl")
	_, err = c.Lock(ctx, lockReq("k", "o", "", locketmodels.TypeCode_LOCK, -3))
	wantStatus(t, err, codes.InvalidArgument, "invalid-ttl")
	_, err = c.Lock(ctx, lockReq("k", "", "", locketmodels.TypeCode_LOCK, 15))
	wantStatus(t, err, codes.InvalidArgument, "invalid-owner")
	_, err = c.Lock(ctx, lockReq("k", "o", "", locketmodels.TypeCode(9), 15))
	wantStatus(t, err, codes.NotFound, "invalid-type")
	_, err = c.Lock(ctx, &locketmodels.LockRequest{Resource: &locketmodels.Resource{Key: "k", Owner: "o", Type: "sandwich"}, TtlInSeconds: 15})
	wantStatus(t, err, codes.NotFound, "invalid-type")
	_, err = c.Lock(ctx, &locketmodels.LockRequest{Resource: &locketmodels.Resource{Key: "k", Owner: "o", Type: "lock", TypeCode: locketmodels.TypeCode_PRESENCE}, TtlInSeconds: 15})
	wantStatus(t, err, codes.NotFound, "invalid-type")
	_, err = c.Lock(ctx, &locketmodels.LockRequest{TtlInSeconds: 15})
	wantStatus(t, err, codes.NotFound, "invalid-type")
	_, err = c.FetchAll(ctx, &locketmodels.FetchAllRequest{})
	wantStatus(t, err, codes.NotFound, "invalid-type")
	_, err = c.FetchAll(ctx, &locketmodels.FetchAllRequest{Type: "sandwich"})
	wantStatus(t, err, codes.NotFound, "invalid-type")
	_, err = c.Fetch(ctx, &locketmodels.FetchRequest{Key: "nothing"})
	wantStatus(t, err, codes.NotFound, "resource-not-found")
}

// eventually polls cond until it holds or ten seconds pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func gone(ctx context.Context, c locketmodels.LocketClient, key string) func() bool {
	return func() bool {
		_, err := c.Fetch(ctx, &locketmodels.FetchRequest{Key: key})
		return status.Code(err) == codes.NotFound
	}
}

func TestTTLExpiry(t *testing.T) {
	forEachBackend(t, func(t *testing.T, cfg db.Config) {
		ctx := context.Background()
		clk := clock.NewFake(time.Now())
		srv := lockettest.Start(t, cfg, clk, "")
		c := srv.Client(t)

		if _, err := c.Lock(ctx, lockReq("short", "o", "", locketmodels.TypeCode_PRESENCE, 3)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Lock(ctx, lockReq("kept", "o", "", locketmodels.TypeCode_LOCK, 10)); err != nil {
			t.Fatal(err)
		}
		clk.Advance(3 * time.Second)
		eventually(t, "the 3 s presence to expire", gone(ctx, c, "short"))

		// A refresh at 6 s re-arms the 10 s TTL: the row outlives its
		// first deadline and goes 10 s after the refresh.
		clk.Advance(3 * time.Second)
		if _, err := c.Lock(ctx, lockReq("kept", "o", "", locketmodels.TypeCode_LOCK, 10)); err != nil {
			t.Fatal(err)
		}
		clk.Advance(5 * time.Second)
		eventually(t, "timers to settle", func() bool { return srv.Expiry.Pending() == 1 })
		if _, err := c.Fetch(ctx, &locketmodels.FetchRequest{Key: "kept"}); err != nil {
			t.Fatalf("refreshed lock expired at its old deadline: %v", err)
		}
		clk.Advance(5 * time.Second)
		eventually(t, "the refreshed lock to expire", gone(ctx, c, "kept"))
		// The counters move just after the delete commits.
		eventually(t, "one lock and one presence counted as expired", func() bool {
			locks, presences := srv.Expiry.Expired()
			return locks == 1 && presences == 1
		})
	})
}

// TestBurglarAdoptsAfterRestart stops a server holding a lock; a new one
// on the same database must expire the lock although it never saw it taken.
func TestBurglarAdoptsAfterRestart(t *testing.T) {
	forEachBackend(t, func(t *testing.T, cfg db.Config) {
		ctx := context.Background()
		first := lockettest.Start(t, cfg, clock.NewFake(time.Now()), "")
		if _, err := first.Client(t).Lock(ctx, lockReq("orphan", "o", "", locketmodels.TypeCode_LOCK, 15)); err != nil {
			t.Fatal(err)
		}
		first.Stop()

		clk := clock.NewFake(time.Now())
		second := lockettest.Start(t, cfg, clk, "")
		c := second.Client(t)
		if _, err := c.Fetch(ctx, &locketmodels.FetchRequest{Key: "orphan"}); err != nil {
			t.Fatalf("lock lost across restart: %v", err)
		}
		eventually(t, "the burglar to adopt the lock", func() bool { return second.Expiry.Pending() == 1 })
		clk.Advance(15 * time.Second)
		eventually(t, "the adopted lock to expire", gone(ctx, c, "orphan"))
	})
}
