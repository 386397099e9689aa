package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	bbsclient "github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/internal/demo"
	"github.com/godiego/diego/internal/tlsconf"
	"github.com/godiego/diego/proto/models"
	rep "github.com/godiego/diego/rep/client"
)

func instances(t *testing.T, w *World, guid string) []*models.ActualLRP {
	t.Helper()
	lrps, err := w.BBS.ActualLRPs(context.Background(), bbsclient.ActualLRPFilter{ProcessGUID: guid})
	if err != nil {
		t.Fatal(err)
	}
	return lrps
}

// waitRunning waits until guid has exactly n instances, all RUNNING, and
// returns them.
func waitRunning(t *testing.T, w *World, guid string, n int, timeout time.Duration) []*models.ActualLRP {
	t.Helper()
	var lrps []*models.ActualLRP
	Eventually(t, timeout, fmt.Sprintf("%d RUNNING instances of %s", n, guid), func() error {
		lrps = instances(t, w, guid)
		running := 0
		for _, l := range lrps {
			if l.State == "RUNNING" && l.Presence == models.ActualLRP_ORDINARY {
				running++
			}
		}
		if running != n || len(lrps) != n {
			return fmt.Errorf("%d rows, %d running: %v", len(lrps), running, summary(lrps))
		}
		return nil
	})
	return lrps
}

func summary(lrps []*models.ActualLRP) string {
	var parts []string
	for _, l := range lrps {
		parts = append(parts, fmt.Sprintf("%d:%s@%s(%s)%s", l.GetActualLrpKey().GetIndex(), l.State,
			l.GetActualLrpInstanceKey().GetCellId(), l.Presence, l.CrashReason+l.PlacementError))
	}
	return strings.Join(parts, " ")
}

func cellsOf(lrps []*models.ActualLRP) map[string]int {
	out := map[string]int{}
	for _, l := range lrps {
		out[l.GetActualLrpInstanceKey().GetCellId()]++
	}
	return out
}

// TestAppLifecycleOnRealCells runs the demo app on two real cells: it
// becomes routable, scales up across both cells and back down, and its
// route goes away when it is removed.
func TestAppLifecycleOnRealCells(t *testing.T) {
	w := StartWorld(t, WorldOptions{Cells: true})
	ctx := context.Background()
	if err := w.BBS.UpsertDomain(ctx, demo.Domain, 0); err != nil {
		t.Fatal(err)
	}
	desired := time.Now()
	if err := w.BBS.DesireLRP(ctx, demo.DesiredApp(w.Addr, 1)); err != nil {
		t.Fatal(err)
	}
	waitRunning(t, w, demo.ProcessGUID, 1, 90*time.Second)
	running := time.Since(desired)
	Eventually(t, 30*time.Second, "the app answering through the router", func() error {
		code, body, err := routerGet(w, demo.Hostname)
		if err != nil || code != http.StatusOK || !strings.HasPrefix(body, "hello from demo-app instance 0") {
			return fmt.Errorf("%d %q %v", code, body, err)
		}
		return nil
	})
	t.Logf("one instance: desire to RUNNING %s, desire to routable %s", running.Round(10*time.Millisecond), time.Since(desired).Round(10*time.Millisecond))

	three := int32(3)
	if err := w.BBS.UpdateDesiredLRP(ctx, demo.ProcessGUID, &models.DesiredLRPUpdate{OptionalInstances: &models.DesiredLRPUpdate_Instances{Instances: three}}); err != nil {
		t.Fatal(err)
	}
	lrps := waitRunning(t, w, demo.ProcessGUID, 3, 90*time.Second)
	if cells := cellsOf(lrps); len(cells) != 2 {
		t.Fatalf("3 instances should spread over both cells: %v", cells)
	}
	if err := w.BBS.UpdateDesiredLRP(ctx, demo.ProcessGUID, &models.DesiredLRPUpdate{OptionalInstances: &models.DesiredLRPUpdate_Instances{Instances: 1}}); err != nil {
		t.Fatal(err)
	}
	waitRunning(t, w, demo.ProcessGUID, 1, 60*time.Second)

	if err := w.BBS.RemoveDesiredLRP(ctx, demo.ProcessGUID); err != nil {
		t.Fatal(err)
	}
	Eventually(t, 60*time.Second, "instances and route gone", func() error {
		if n := len(instances(t, w, demo.ProcessGUID)); n != 0 {
			return fmt.Errorf("%d instances left", n)
		}
		if code, _, _ := routerGet(w, demo.Hostname); code != http.StatusNotFound {
			return fmt.Errorf("router answered %d", code)
		}
		return nil
	})
}

// TestCrashingAppBacksOff: an app that keeps exiting is restarted at once
// twice, then left CRASHED for the 30 s backoff, with the exit in its reason.
func TestCrashingAppBacksOff(t *testing.T) {
	w := StartWorld(t, WorldOptions{Cells: true})
	ctx := context.Background()
	_ = w.BBS.UpsertDomain(ctx, "crash", 0)
	lrp := &models.DesiredLRP{
		ProcessGuid: "crasher", Domain: "crash", Instances: 1, RootFs: "preloaded:cflinuxfs4", MemoryMb: 32, DiskMb: 32, LogGuid: "crasher",
		Action:     &models.Action{RunAction: &models.RunAction{Path: "/bin/sh", Args: []string{"-c", "sleep 1; exit 3"}, User: "vcap"}},
		MetricTags: map[string]*models.MetricTagValue{"source_id": {Static: "crasher"}},
	}
	if err := w.BBS.DesireLRP(ctx, lrp); err != nil {
		t.Fatal(err)
	}
	var crashed *models.ActualLRP
	Eventually(t, 90*time.Second, "three crashes", func() error {
		lrps := instances(t, w, "crasher")
		if len(lrps) == 1 && lrps[0].State == "CRASHED" && lrps[0].CrashCount >= 3 {
			crashed = lrps[0]
			return nil
		}
		return fmt.Errorf("%s", summary(lrps))
	})
	if crashed.CrashCount != 3 || !strings.Contains(crashed.CrashReason, "Exited with status 3") {
		t.Fatalf("crash count %d, reason %q", crashed.CrashCount, crashed.CrashReason)
	}
	// The 30 s backoff holds it CRASHED.
	time.Sleep(5 * time.Second)
	if lrps := instances(t, w, "crasher"); lrps[0].State != "CRASHED" || lrps[0].CrashCount != 3 {
		t.Fatalf("restarted during the backoff: %s", summary(lrps))
	}
}

// TestFailingHealthCheckKeepsAppFromRunning: an app whose port never opens
// never becomes RUNNING, and its crash says why.
func TestFailingHealthCheckKeepsAppFromRunning(t *testing.T) {
	w := StartWorld(t, WorldOptions{Cells: true})
	ctx := context.Background()
	_ = w.BBS.UpsertDomain(ctx, "unhealthy", 0)
	lrp := &models.DesiredLRP{
		ProcessGuid: "unhealthy", Domain: "unhealthy", Instances: 1, RootFs: "preloaded:cflinuxfs4", MemoryMb: 32, DiskMb: 32,
		LogGuid: "unhealthy", Ports: []uint32{8080}, StartTimeoutMs: 3000,
		Action:          &models.Action{RunAction: &models.RunAction{Path: "/bin/sleep", Args: []string{"1000"}, User: "vcap"}},
		CheckDefinition: &models.CheckDefinition{Checks: []*models.Check{{TcpCheck: &models.TCPCheck{Port: 8080}}}},
		MetricTags:      map[string]*models.MetricTagValue{"source_id": {Static: "unhealthy"}},
	}
	if err := w.BBS.DesireLRP(ctx, lrp); err != nil {
		t.Fatal(err)
	}
	var reason string
	Eventually(t, 60*time.Second, "a crash for the failing health check", func() error {
		for _, l := range instances(t, w, "unhealthy") {
			if l.State == "RUNNING" {
				t.Fatalf("an unhealthy instance became RUNNING: %s", summary([]*models.ActualLRP{l}))
			}
			if l.CrashCount > 0 {
				reason = l.CrashReason
				return nil
			}
		}
		return fmt.Errorf("no crash yet")
	})
	t.Logf("crash reason: %s", reason)
	if reason == "" {
		t.Fatal("empty crash reason")
	}
}

// TestTaskRunsAndCallsBack: a task's result reaches its completion callback
// and the task is deleted afterwards.
func TestTaskRunsAndCallsBack(t *testing.T) {
	w := StartWorld(t, WorldOptions{Cells: true})
	ctx := context.Background()
	callbacks := make(chan map[string]any, 4)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var got map[string]any
		_ = json.Unmarshal(body, &got)
		callbacks <- got
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	def := demo.DemoTask(w.Addr)
	def.CompletionCallbackUrl = "http://" + ln.Addr().String() + "/done"
	if err := w.BBS.DesireTask(ctx, "task-with-callback", "tasks", def); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-callbacks:
		if got["task_guid"] != "task-with-callback" || got["failed"] != false || !strings.HasPrefix(fmt.Sprint(got["result"]), "hello from demo-app") {
			t.Fatalf("callback %v", got)
		}
	case <-time.After(90 * time.Second):
		t.Fatal("no completion callback within 90s")
	}
	Eventually(t, 10*time.Second, "the task deleted after its callback", func() error {
		if _, err := w.BBS.TaskByGuid(ctx, "task-with-callback"); err == nil {
			return fmt.Errorf("task still there")
		}
		return nil
	})
}

// TestLostCellsInstancesAreReplaced kills a cell (its rep and garden) and
// measures how long its instance takes to run again on the other cell.
func TestLostCellsInstancesAreReplaced(t *testing.T) {
	w := StartWorld(t, WorldOptions{Cells: true})
	ctx := context.Background()
	_ = w.BBS.UpsertDomain(ctx, demo.Domain, 0)
	if err := w.BBS.DesireLRP(ctx, demo.DesiredApp(w.Addr, 2)); err != nil {
		t.Fatal(err)
	}
	lrps := waitRunning(t, w, demo.ProcessGUID, 2, 90*time.Second)
	if cells := cellsOf(lrps); cells["cell-1"] != 1 || cells["cell-2"] != 1 {
		t.Fatalf("want one instance per cell: %v", cells)
	}
	lost := time.Now()
	for _, name := range []string{"cell-1-rep", "cell-1-garden"} {
		if err := w.Sup.Signal(name, syscall.SIGKILL, true, 10*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	Eventually(t, 90*time.Second, "both instances running on cell-2", func() error {
		lrps := instances(t, w, demo.ProcessGUID)
		running := 0
		for _, l := range lrps {
			if l.State == "RUNNING" && l.GetActualLrpInstanceKey().GetCellId() == "cell-2" && l.Presence == models.ActualLRP_ORDINARY {
				running++
			}
		}
		if running != 2 {
			return fmt.Errorf("%s", summary(lrps))
		}
		return nil
	})
	t.Logf("cell loss: instance running again on the other cell %s after the cell died (presence TTL 15s)", time.Since(lost).Round(100*time.Millisecond))
}

// TestEvacuationHandsInstancesOver evacuates a cell as BOSH drain does and
// checks its instances run on the other cell and the rep exits.
func TestEvacuationHandsInstancesOver(t *testing.T) {
	w := StartWorld(t, WorldOptions{Cells: true})
	ctx := context.Background()
	_ = w.BBS.UpsertDomain(ctx, demo.Domain, 0)
	if err := w.BBS.DesireLRP(ctx, demo.DesiredApp(w.Addr, 2)); err != nil {
		t.Fatal(err)
	}
	waitRunning(t, w, demo.ProcessGUID, 2, 90*time.Second)

	tlsCfg, err := tlsconf.Client(w.State.Certs.ClientCert, w.State.Certs.ClientKey, w.State.Certs.CACert, false)
	if err != nil {
		t.Fatal(err)
	}
	admin := rep.NewFactory(rep.Config{TLS: tlsCfg}).ClientForURL("https://" + w.Addr.RepAdminAddr(testCells[0]))
	begin := time.Now()
	if _, err := admin.Evacuate(ctx); err != nil {
		t.Fatal(err)
	}
	Eventually(t, 120*time.Second, "both instances running on cell-2 with nothing left evacuating", func() error {
		lrps := instances(t, w, demo.ProcessGUID)
		if cells := cellsOf(lrps); cells["cell-2"] != 2 || len(lrps) != 2 {
			return fmt.Errorf("%s", summary(lrps))
		}
		for _, l := range lrps {
			if l.State != "RUNNING" {
				return fmt.Errorf("%s", summary(lrps))
			}
		}
		return nil
	})
	t.Logf("evacuation: instances handed over in %s", time.Since(begin).Round(100*time.Millisecond))
	Eventually(t, 90*time.Second, "the evacuated rep exiting", func() error {
		if err := admin.Ping(ctx); err == nil {
			return fmt.Errorf("rep still answers /ping")
		}
		return nil
	})
}
