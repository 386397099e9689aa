package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	bbsclient "github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/proto/models"
)

// routerGet fetches http://host/ through the dev router.
func routerGet(w *World, host string) (int, string, error) {
	req, _ := http.NewRequest(http.MethodGet, "http://"+w.Addr.Router+"/", nil)
	req.Host = host
	resp, err := (&http.Client{Timeout: 2 * time.Second}).Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), nil
}

func sampleLRP(guid, domain, hostname string, instances int32) *models.DesiredLRP {
	routes, _ := json.Marshal([]map[string]any{{"hostnames": []string{hostname}, "port": 8080}})
	return &models.DesiredLRP{
		ProcessGuid: guid, Domain: domain, Instances: instances, RootFs: "preloaded:cflinuxfs4",
		MemoryMb: 64, DiskMb: 64, LogGuid: guid, Ports: []uint32{8080},
		Action: &models.Action{RunAction: &models.RunAction{Path: "/bin/sh", User: "vcap",
			Args: []string{"-c", "exec busybox httpd -f -p 8080 -h /tmp"}}},
		Routes: &models.ProtoRoutes{Routes: map[string][]byte{"cf-router": routes}},
		// Upstream requires metric tags; Cloud Controller always sends source_id.
		MetricTags: map[string]*models.MetricTagValue{"source_id": {Static: guid}},
	}
}

// TestRunningInstanceBecomesRoutableAndStopsBeingRoutable drives the
// control plane with the BBS's internal API standing in for a rep: a
// RUNNING instance must reach the router through route-emitter and NATS,
// and disappear from it when the app is removed.
func TestRunningInstanceBecomesRoutableAndStopsBeingRoutable(t *testing.T) {
	w := StartWorld(t, WorldOptions{Only: []string{"locket", "bbs", "auctioneer", "route-emitter", "dev-router"}})
	ctx := context.Background()

	app := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(rw, "hello from the app")
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Serve(ln) }()
	t.Cleanup(func() { _ = app.Close() })
	appPort := uint32(ln.Addr().(*net.TCPAddr).Port)

	const host = "app.e2e.test"
	if err := w.BBS.UpsertDomain(ctx, "e2e", 0); err != nil {
		t.Fatal(err)
	}
	if err := w.BBS.DesireLRP(ctx, sampleLRP("routed-app", "e2e", host, 1)); err != nil {
		t.Fatal(err)
	}

	// With no cells the auctioneer cannot place the instance and says why.
	Eventually(t, 15*time.Second, "placement error from the auctioneer", func() error {
		lrps, err := w.BBS.ActualLRPs(ctx, bbsclient.ActualLRPFilter{ProcessGUID: "routed-app"})
		if err != nil {
			return err
		}
		if len(lrps) != 1 || lrps[0].PlacementError != "unable to communicate to compatible cells" {
			return fmt.Errorf("actual LRPs: %v", lrps)
		}
		return nil
	})

	// Act as the cell: claim, then start with the app's address.
	key := &models.ActualLRPKey{ProcessGuid: "routed-app", Index: 0, Domain: "e2e"}
	ik := &models.ActualLRPInstanceKey{InstanceGuid: "instance-0", CellId: "stand-in-cell"}
	if err := w.BBS.ClaimActualLRP(ctx, key, ik); err != nil {
		t.Fatal(err)
	}
	netInfo := &models.ActualLRPNetInfo{Address: "127.0.0.1", InstanceAddress: "127.0.0.1",
		Ports: []*models.PortMapping{{ContainerPort: 8080, HostPort: appPort}}}
	started := time.Now()
	if err := w.BBS.StartActualLRP(ctx, key, ik, netInfo, nil, nil, true, "z1"); err != nil {
		t.Fatal(err)
	}
	Eventually(t, 10*time.Second, "app answering through the router", func() error {
		code, body, err := routerGet(w, host)
		if err != nil || code != http.StatusOK || body != "hello from the app" {
			return fmt.Errorf("%d %q %v", code, body, err)
		}
		return nil
	})
	t.Logf("RUNNING to routable through route-emitter, NATS and the router: %s", time.Since(started).Round(time.Millisecond))

	if err := w.BBS.RemoveDesiredLRP(ctx, "routed-app"); err != nil {
		t.Fatal(err)
	}
	Eventually(t, 10*time.Second, "route withdrawn after the app was removed", func() error {
		code, _, err := routerGet(w, host)
		if err != nil || code != http.StatusNotFound {
			return fmt.Errorf("router answered %d (%v)", code, err)
		}
		return nil
	})
}
