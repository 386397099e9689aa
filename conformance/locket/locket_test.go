// Package locket_test checks our bin/locket against upstream's own Locket
// client (code.cloudfoundry.org/locket): every RPC, the error codes and
// messages, TTL expiry, adoption of locks after a restart, and upstream's
// lock runner, on SQLite, MySQL and PostgreSQL.
package locket_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"code.cloudfoundry.org/lager/v3"
	upstream "code.cloudfoundry.org/locket"
	"code.cloudfoundry.org/locket/models"

	"conformance/harness"
)

// server is a running bin/locket and a connected upstream client.
type server struct {
	proc   *harness.Process
	client models.LocketClient
	config map[string]any
}

// startLocket runs bin/locket on db with fresh certificates.
func startLocket(t *testing.T, db harness.Database, certs harness.Certs) *server {
	t.Helper()
	addr := harness.FreePort(t)
	cfg := map[string]any{
		"ca_file":                       certs.CACert,
		"cert_file":                     certs.ServerCert,
		"key_file":                      certs.ServerKey,
		"listen_address":                addr,
		"database_driver":               db.Driver,
		"database_connection_string":    db.ConnectionString,
		"max_open_database_connections": 10,
		"report_interval":               "1m",
		"log_level":                     "debug",
		"loggregator":                   map[string]any{"loggregator_api_port": 3458},
	}
	proc := harness.Start(t, "locket", cfg)
	proc.WaitForListen(t, addr, 30*time.Second)
	client, err := upstream.NewClient(lager.NewLogger("conformance"), upstream.ClientLocketConfig{
		LocketAddress:        addr,
		LocketCACertFile:     certs.CACert,
		LocketClientCertFile: certs.ClientCert,
		LocketClientKeyFile:  certs.ClientKey,
	})
	if err != nil {
		t.Fatalf("upstream locket client cannot connect: %v", err)
	}
	return &server{proc: proc, client: client, config: cfg}
}

// TestLocket runs the whole suite once per database backend, sharing one
// locket process per backend; subtests use distinct keys.
func TestLocket(t *testing.T) {
	for _, driver := range harness.Backends {
		t.Run(driver, func(t *testing.T) {
			db := harness.NewDatabase(t, driver)
			certs := harness.NewCerts(t)
			s := startLocket(t, db, certs)
			t.Run("LockRefreshContendRelease", func(t *testing.T) { lockRefreshContendRelease(t, s.client) })
			t.Run("FetchAllByType", func(t *testing.T) { fetchAllByType(t, s.client) })
			t.Run("TTLExpiry", func(t *testing.T) { ttlExpiry(t, s.client) })
			t.Run("BadRequests", func(t *testing.T) { badRequests(t, s.client) })
			t.Run("UpstreamLockRunner", func(t *testing.T) { upstreamLockRunner(t, s.client) })
			t.Run("RestartKeepsAndExpiresLocks", func(t *testing.T) { restart(t, s, db, certs) })
		})
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

func lockReq(key, owner, value string, code models.TypeCode, ttl int64) *models.LockRequest {
	return &models.LockRequest{Resource: &models.Resource{Key: key, Owner: owner, Value: value, TypeCode: code}, TtlInSeconds: ttl}
}

func fetchOwner(t *testing.T, c models.LocketClient, key string) (string, error) {
	resp, err := c.Fetch(ctx(t), &models.FetchRequest{Key: key})
	if err != nil {
		return "", err
	}
	return resp.Resource.Owner, nil
}

func lockRefreshContendRelease(t *testing.T, c models.LocketClient) {
	if _, err := c.Lock(ctx(t), lockReq("bbs", "cell-a", "one", models.LOCK, 15)); err != nil {
		t.Fatalf("lock: %v", err)
	}
	if _, err := c.Lock(ctx(t), lockReq("bbs", "cell-a", "two", models.LOCK, 15)); err != nil {
		t.Fatalf("refresh by the owner: %v", err)
	}
	_, err := c.Lock(ctx(t), lockReq("bbs", "cell-b", "x", models.LOCK, 15))
	wantErr(t, err, models.ErrLockCollision)

	resp, err := c.Fetch(ctx(t), &models.FetchRequest{Key: "bbs"})
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	want := &models.Resource{Key: "bbs", Owner: "cell-a", Value: "two", Type: "lock", TypeCode: models.LOCK}
	if !resp.Resource.Equal(want) {
		t.Fatalf("fetched %v, want %v", resp.Resource, want)
	}

	_, err = c.Release(ctx(t), &models.ReleaseRequest{Resource: &models.Resource{Key: "bbs", Owner: "cell-b"}})
	wantErr(t, err, models.ErrLockCollision)
	if _, err := c.Release(ctx(t), &models.ReleaseRequest{Resource: &models.Resource{Key: "bbs", Owner: "cell-a"}}); err != nil {
		t.Fatalf("release: %v", err)
	}
	_, err = c.Fetch(ctx(t), &models.FetchRequest{Key: "bbs"})
	wantErr(t, err, models.ErrResourceNotFound)
	if _, err := c.Release(ctx(t), &models.ReleaseRequest{Resource: &models.Resource{Key: "bbs", Owner: "cell-a"}}); err != nil {
		t.Fatalf("releasing a released lock: %v", err)
	}
	if _, err := c.Lock(ctx(t), lockReq("bbs", "cell-b", "", models.LOCK, 15)); err != nil {
		t.Fatalf("lock by the next owner after release: %v", err)
	}
}

func fetchAllByType(t *testing.T, c models.LocketClient) {
	reqs := []*models.LockRequest{
		{Resource: &models.Resource{Key: "fa-cell-1", Owner: "r1", Value: `{"cell_id":"fa-cell-1"}`, TypeCode: models.PRESENCE}, TtlInSeconds: 15},
		{Resource: &models.Resource{Key: "fa-cell-2", Owner: "r2", Value: `{"cell_id":"fa-cell-2"}`, Type: models.PresenceType}, TtlInSeconds: 15},
		{Resource: &models.Resource{Key: "fa-auctioneer", Owner: "a", Type: models.LockType, TypeCode: models.LOCK}, TtlInSeconds: 15},
	}
	for _, r := range reqs {
		if _, err := c.Lock(ctx(t), r); err != nil {
			t.Fatalf("lock %s: %v", r.Resource.Key, err)
		}
	}
	for _, req := range []*models.FetchAllRequest{{TypeCode: models.PRESENCE}, {Type: models.PresenceType}} {
		resp, err := c.FetchAll(ctx(t), req)
		if err != nil {
			t.Fatalf("FetchAll(%v): %v", req, err)
		}
		got := map[string]*models.Resource{}
		for _, r := range resp.Resources {
			if r.TypeCode != models.PRESENCE || r.Type != models.PresenceType {
				t.Errorf("FetchAll(%v) returned a non-presence or unfilled type: %v", req, r)
			}
			got[r.Key] = r
		}
		for _, key := range []string{"fa-cell-1", "fa-cell-2"} {
			if got[key] == nil {
				t.Errorf("FetchAll(%v) misses %s: %v", req, key, resp.Resources)
			}
		}
		if got["fa-auctioneer"] != nil {
			t.Errorf("FetchAll(%v) returned a lock", req)
		}
	}
	resp, err := c.FetchAll(ctx(t), &models.FetchAllRequest{TypeCode: models.LOCK})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range resp.Resources {
		found = found || r.Key == "fa-auctioneer"
		if r.TypeCode != models.LOCK {
			t.Errorf("FetchAll(LOCK) returned %v", r)
		}
	}
	if !found {
		t.Errorf("FetchAll(LOCK) misses fa-auctioneer: %v", resp.Resources)
	}
}

func ttlExpiry(t *testing.T, c models.LocketClient) {
	if _, err := c.Lock(ctx(t), lockReq("ttl-short", "o", "", models.PRESENCE, 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Lock(ctx(t), lockReq("ttl-long", "o", "", models.PRESENCE, 60)); err != nil {
		t.Fatal(err)
	}
	harness.Eventually(t, 10*time.Second, "the 1 s presence to expire", func() bool {
		_, err := fetchOwner(t, c, "ttl-short")
		return sameErr(err, models.ErrResourceNotFound)
	})
	if _, err := fetchOwner(t, c, "ttl-long"); err != nil {
		t.Fatalf("the 60 s presence expired too: %v", err)
	}
	// Someone else may take an expired resource.
	if _, err := c.Lock(ctx(t), lockReq("ttl-short", "other", "", models.PRESENCE, 15)); err != nil {
		t.Fatalf("lock after expiry: %v", err)
	}
}

func badRequests(t *testing.T, c models.LocketClient) {
	_, err := c.Lock(ctx(t), lockReq("bad", "o", "", models.LOCK, 0))
	wantErr(t, err, models.ErrInvalidTTL)
	_, err = c.Lock(ctx(t), lockReq("bad", "o", "", models.LOCK, -1))
	wantErr(t, err, models.ErrInvalidTTL)
	_, err = c.Lock(ctx(t), lockReq("bad", "", "", models.LOCK, 15))
	wantErr(t, err, models.ErrInvalidOwner)
	_, err = c.Lock(ctx(t), lockReq("bad", "o", "", models.TypeCode(42), 15))
	wantErr(t, err, models.ErrInvalidType)
	_, err = c.Lock(ctx(t), &models.LockRequest{Resource: &models.Resource{Key: "bad", Owner: "o", Type: "sandwich"}, TtlInSeconds: 15})
	wantErr(t, err, models.ErrInvalidType)
	_, err = c.Lock(ctx(t), &models.LockRequest{Resource: &models.Resource{Key: "bad", Owner: "o", Type: models.LockType, TypeCode: models.PRESENCE}, TtlInSeconds: 15})
	wantErr(t, err, models.ErrInvalidType)
	_, err = c.FetchAll(ctx(t), &models.FetchAllRequest{})
	wantErr(t, err, models.ErrInvalidType)
	_, err = c.FetchAll(ctx(t), &models.FetchAllRequest{TypeCode: models.TypeCode(42)})
	wantErr(t, err, models.ErrInvalidType)
	_, err = c.Fetch(ctx(t), &models.FetchRequest{Key: "never-locked"})
	wantErr(t, err, models.ErrResourceNotFound)
}

// upstreamLockRunner runs upstream's own lock runner against our server:
// ready once held, a competitor waits, and the holder releases on signal.
func upstreamLockRunner(t *testing.T, c models.LocketClient) {
	logger := lager.NewLogger("runner")
	holder := runLock(t, logger, c, "runner-lock", "holder")
	select {
	case <-holder.Ready():
	case err := <-holder.Wait():
		t.Fatalf("upstream lock runner exited: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("upstream lock runner never became ready")
	}
	follower := runLock(t, logger, c, "runner-lock", "follower")
	time.Sleep(1500 * time.Millisecond) // at least one retry with the lock held elsewhere
	select {
	case <-follower.Ready():
		t.Fatal("a second owner's lock runner became ready while the lock was held")
	default:
	}
	holder.Signal(os.Interrupt)
	<-holder.Wait()
	select {
	case <-follower.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("the follower did not take the lock after the holder released it")
	}
	if owner, err := fetchOwner(t, c, "runner-lock"); err != nil || owner != "follower" {
		t.Fatalf("owner = %q (%v), want follower", owner, err)
	}
}

// restart stops locket and starts another on the same database: locks
// survive, and the new process expires those nobody refreshes.
func restart(t *testing.T, s *server, db harness.Database, certs harness.Certs) {
	if _, err := s.client.Lock(ctx(t), lockReq("restart-lock", "o", "v", models.LOCK, 2)); err != nil {
		t.Fatal(err)
	}
	if err := s.proc.Stop(t); err != nil {
		t.Fatalf("locket did not exit cleanly on SIGTERM: %v", err)
	}
	again := startLocket(t, db, certs)
	if owner, err := fetchOwner(t, again.client, "restart-lock"); err != nil || owner != "o" {
		t.Fatalf("after restart: owner %q (%v), want o", owner, err)
	}
	harness.Eventually(t, 20*time.Second, "the adopted lock to expire", func() bool {
		_, err := fetchOwner(t, again.client, "restart-lock")
		return sameErr(err, models.ErrResourceNotFound)
	})
}

func wantErr(t *testing.T, got, want error) {
	t.Helper()
	if !sameErr(got, want) {
		t.Fatalf("got error %v, want %v", got, want)
	}
}

// sameErr compares gRPC errors by code and message, as clients see them.
func sameErr(got, want error) bool {
	return got != nil && fmt.Sprint(got) == fmt.Sprint(want)
}
