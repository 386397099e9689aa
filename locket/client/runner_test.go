package client_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"code.cloudfoundry.org/lager/v3"
	"github.com/tedsuo/ifrit"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/db/dbtest"
	"github.com/godiego/diego/locket/client"
	"github.com/godiego/diego/locket/clock"
	"github.com/godiego/diego/locket/lockettest"
	"github.com/godiego/diego/proto/locketmodels"
)

const retry = client.SQLRetryInterval

func resource(owner string, code locketmodels.TypeCode) *locketmodels.Resource {
	return &locketmodels.Resource{Key: "the-key", Owner: owner, Value: "v-" + owner, TypeCode: code}
}

func owner(t *testing.T, c locketmodels.LocketClient) string {
	t.Helper()
	resp, err := c.Fetch(context.Background(), &locketmodels.FetchRequest{Key: "the-key"})
	if status.Code(err) == codes.NotFound {
		return ""
	}
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	return resp.GetResource().GetOwner()
}

func waitReady(t *testing.T, p ifrit.Process) {
	t.Helper()
	select {
	case <-p.Ready():
	case err := <-p.Wait():
		t.Fatalf("runner exited before ready: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("runner not ready after 10 s")
	}
}

func notReady(t *testing.T, p ifrit.Process) {
	t.Helper()
	select {
	case <-p.Ready():
		t.Fatal("runner became ready without holding the lock")
	default:
	}
}

// tick advances the runner's clock by one retry interval once its timer is
// armed, and waits for the attempt to finish (its timer re-armed).
func tick(t *testing.T, clk *clock.Fake) {
	t.Helper()
	if !clk.WaitForTimers(1, 10*time.Second) {
		t.Fatal("runner never armed its retry timer")
	}
	clk.Advance(retry)
	if !clk.WaitForTimers(1, 10*time.Second) {
		t.Fatal("runner did not re-arm its retry timer")
	}
}

func start(t *testing.T, r ifrit.Runner) ifrit.Process {
	t.Helper()
	p := ifrit.Background(r)
	t.Cleanup(func() { p.Signal(os.Interrupt); <-p.Wait() })
	return p
}

func setup(t *testing.T) (*lockettest.Server, locketmodels.LocketClient) {
	srv := lockettest.Start(t, dbtest.Config(t, db.SQLite), clock.Real(), "")
	return srv, srv.Client(t)
}

func TestLockRunnerHoldsAndReleases(t *testing.T) {
	srv, c := setup(t)
	logger := lager.NewLogger("test")

	aClock, bClock := clock.NewFake(time.Now()), clock.NewFake(time.Now())
	a := start(t, client.NewLockRunner(logger, srv.Client(t), resource("a", locketmodels.TypeCode_LOCK), 15, aClock, retry))
	waitReady(t, a)
	if got := owner(t, c); got != "a" {
		t.Fatalf("owner = %q, want a", got)
	}

	b := start(t, client.NewLockRunner(logger, srv.Client(t), resource("b", locketmodels.TypeCode_LOCK), 15, bClock, retry))
	tick(t, bClock)
	notReady(t, b)
	tick(t, aClock) // a refreshes and stays
	if got := owner(t, c); got != "a" {
		t.Fatalf("owner after refresh = %q, want a", got)
	}

	a.Signal(os.Interrupt)
	if err := <-a.Wait(); err != nil {
		t.Fatalf("signalled runner exited with %v", err)
	}
	if got := owner(t, c); got != "" {
		t.Fatalf("owner after release = %q, want none", got)
	}
	tick(t, bClock)
	waitReady(t, b)
	if got := owner(t, c); got != "b" {
		t.Fatalf("owner = %q, want b", got)
	}
}

func TestLockRunnerExitsWhenLockIsLost(t *testing.T) {
	srv, c := setup(t)
	clk := clock.NewFake(time.Now())
	p := start(t, client.NewLockRunner(lager.NewLogger("test"), srv.Client(t), resource("a", locketmodels.TypeCode_LOCK), 15, clk, retry))
	waitReady(t, p)

	steal(t, c, locketmodels.TypeCode_LOCK)
	clk.WaitForTimers(1, 10*time.Second)
	clk.Advance(retry)
	select {
	case err := <-p.Wait():
		if !errors.Is(err, client.ErrLockLost) {
			t.Fatalf("runner exited with %v, want ErrLockLost", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("lock runner kept running after losing its lock")
	}
}

func TestPresenceRunnerRetriesAfterLoss(t *testing.T) {
	srv, c := setup(t)
	clk := clock.NewFake(time.Now())
	p := start(t, client.NewPresenceRunner(lager.NewLogger("test"), srv.Client(t), resource("a", locketmodels.TypeCode_PRESENCE), 15, clk, retry))
	waitReady(t, p)

	steal(t, c, locketmodels.TypeCode_PRESENCE)
	tick(t, clk)
	select {
	case err := <-p.Wait():
		t.Fatalf("presence runner exited after losing its presence: %v", err)
	default:
	}
	if _, err := c.Release(context.Background(), &locketmodels.ReleaseRequest{Resource: resource("thief", 0)}); err != nil {
		t.Fatal(err)
	}
	tick(t, clk)
	if got := owner(t, c); got != "a" {
		t.Fatalf("owner = %q, want a back", got)
	}
}

func TestRunnerBecomesReadyWhenHolderReleases(t *testing.T) {
	srv, c := setup(t)
	// Someone else holds it first; the runner waits, not ready.
	if _, err := c.Lock(context.Background(), &locketmodels.LockRequest{Resource: resource("other", locketmodels.TypeCode_LOCK), TtlInSeconds: 15}); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Now())
	p := start(t, client.NewLockRunner(lager.NewLogger("test"), srv.Client(t), resource("a", locketmodels.TypeCode_LOCK), 15, clk, retry))
	tick(t, clk)
	notReady(t, p)
	if _, err := c.Release(context.Background(), &locketmodels.ReleaseRequest{Resource: resource("other", 0)}); err != nil {
		t.Fatal(err)
	}
	tick(t, clk)
	waitReady(t, p)
}

// steal releases the runner's resource behind its back and takes it for
// another owner.
func steal(t *testing.T, c locketmodels.LocketClient, code locketmodels.TypeCode) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.Release(ctx, &locketmodels.ReleaseRequest{Resource: resource("a", 0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Lock(ctx, &locketmodels.LockRequest{Resource: resource("thief", code), TtlInSeconds: 15}); err != nil {
		t.Fatal(err)
	}
}

func TestDialFailsFastWithoutServer(t *testing.T) {
	srv, _ := setup(t)
	cfg := srv.ClientConfig
	srv.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if c, err := client.New(ctx, cfg); err == nil {
		c.Close()
		t.Fatal("dialling a stopped server succeeded")
	}
}
