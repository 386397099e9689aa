package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/godiego/diego/internal/localrun"
	"github.com/godiego/diego/proto/models"
)

// TestStaleDomainKeepsAppsRunningAndRoutable lets a domain's TTL run out,
// as when Cloud Controller stops refreshing it: the domain disappears from
// the fresh list, but nothing is torn down: the instance keeps running and
// stays routable across route-emitter resyncs, and refreshing the domain
// brings it back.
func TestStaleDomainKeepsAppsRunningAndRoutable(t *testing.T) {
	w := StartWorld(t, WorldOptions{Only: []string{"locket", "bbs", "auctioneer", "route-emitter", "dev-router"},
		Tweak: func(c *localrun.Component) {
			if c.Binary == "route-emitter" {
				c.Config["sync_interval"] = "1s" // resync often while the domain is stale
			}
		}})
	ctx := context.Background()

	app := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { fmt.Fprint(rw, "still here") })}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Serve(ln) }()
	t.Cleanup(func() { _ = app.Close() })

	const host = "stale.e2e.test"
	if err := w.BBS.UpsertDomain(ctx, "short-lived", 3); err != nil {
		t.Fatal(err)
	}
	if err := w.BBS.DesireLRP(ctx, sampleLRP("stale-app", "short-lived", host, 1)); err != nil {
		t.Fatal(err)
	}
	key := &models.ActualLRPKey{ProcessGuid: "stale-app", Index: 0, Domain: "short-lived"}
	ik := &models.ActualLRPInstanceKey{InstanceGuid: "stale-0", CellId: "stand-in-cell"}
	if err := w.BBS.ClaimActualLRP(ctx, key, ik); err != nil {
		t.Fatal(err)
	}
	netInfo := &models.ActualLRPNetInfo{Address: "127.0.0.1", InstanceAddress: "127.0.0.1",
		Ports: []*models.PortMapping{{ContainerPort: 8080, HostPort: uint32(ln.Addr().(*net.TCPAddr).Port)}}}
	if err := w.BBS.StartActualLRP(ctx, key, ik, netInfo, nil, nil, true, "z1"); err != nil {
		t.Fatal(err)
	}
	routed := func() error {
		code, body, err := routerGet(w, host)
		if err != nil || code != http.StatusOK || body != "still here" {
			return fmt.Errorf("%d %q %v", code, body, err)
		}
		return nil
	}
	Eventually(t, 10*time.Second, "routable while the domain is fresh", routed)

	Eventually(t, 10*time.Second, "the domain going stale", func() error {
		domains, err := w.BBS.Domains(ctx)
		if err != nil {
			return err
		}
		if slices.Contains(domains, "short-lived") {
			return fmt.Errorf("still fresh: %v", domains)
		}
		return nil
	})
	// Several route-emitter resyncs with the domain stale.
	time.Sleep(4 * time.Second)
	if err := routed(); err != nil {
		t.Fatalf("a stale domain's route was withdrawn: %v", err)
	}
	lrp, err := w.BBS.DesiredLRPByProcessGuid(ctx, "stale-app")
	if err != nil || lrp.GetInstances() != 1 {
		t.Fatalf("desired LRP changed: %v %v", lrp, err)
	}

	if err := w.BBS.UpsertDomain(ctx, "short-lived", 0); err != nil {
		t.Fatal(err)
	}
	domains, err := w.BBS.Domains(ctx)
	if err != nil || !slices.Contains(domains, "short-lived") {
		t.Fatalf("refreshed domain missing: %v %v", domains, err)
	}
}
