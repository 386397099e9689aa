package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"code.cloudfoundry.org/lager/v3"
	"github.com/google/uuid"

	"github.com/godiego/diego/executor"
	"github.com/godiego/diego/executor/depot"
	"github.com/godiego/diego/internal/certs"
	"github.com/godiego/diego/internal/tlsconf"
	"github.com/godiego/diego/rep"
	"github.com/godiego/diego/rep/client"
	"github.com/godiego/diego/rep/handlers"
)

type fixture struct {
	exec    *depot.Depot
	flag    *rep.Evacuation
	net     *client.Client
	admin   *client.Client
	raw     *http.Client
	netURL  string
	started chan struct{}
}

// serveTLS serves h with mutual TLS on 127.0.0.1 and returns its base URL.
func serveTLS(t *testing.T, h http.Handler, p certs.Paths) string {
	t.Helper()
	cfg, err := tlsconf.Server(p.ServerCert, p.ServerKey, p.CACert)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &http.Server{Handler: h, TLSConfig: cfg}
	go s.ServeTLS(ln, "", "")
	t.Cleanup(func() { s.Close() })
	return "https://" + ln.Addr().String()
}

var (
	certsOnce  sync.Once
	certsPaths certs.Paths
	certsErr   error
)

// devCerts generates one set of certificates for the whole test binary.
func devCerts(t *testing.T) certs.Paths {
	certsOnce.Do(func() {
		dir, err := os.MkdirTemp("", "rep-handlers-certs-")
		if err != nil {
			certsErr = err
			return
		}
		certsPaths, certsErr = certs.Generate(dir, nil)
	})
	if certsErr != nil {
		t.Fatal(certsErr)
	}
	return certsPaths
}

func setup(t *testing.T) *fixture {
	t.Helper()
	p := devCerts(t)
	logger := lager.NewLogger("test")
	// Allocation and listing never reach Garden, so no Garden client is needed here.
	exec := depot.New(depot.Config{CellID: "cell-1", Logger: logger,
		Total: executor.ExecutorResources{MemoryMB: 1024, DiskMB: 2048, Containers: 3}}, nil)
	flag := &rep.Evacuation{}
	cellRep := &rep.CellRep{CellID: "cell-1", RepURL: "https://127.0.0.1:1801", Zone: "z1",
		Stacks: map[string]string{"busybox": "/rootfs/busybox"}, SupportedProviders: []string{"docker"},
		PlacementTags: []string{"a"}, Executor: exec, Evacuation: flag, NewInstanceGuid: uuid.NewString}
	f := &fixture{exec: exec, flag: flag, started: make(chan struct{}, 1)}
	srv := &handlers.Server{Rep: cellRep, Executor: exec, Logger: logger,
		Evacuate: func() { flag.Start(); f.started <- struct{}{} }}
	f.netURL = serveTLS(t, srv.NetworkHandler(), p)
	adminURL := serveTLS(t, srv.AdminHandler(), p)
	clientTLS, err := tlsconf.Client(p.ClientCert, p.ClientKey, p.CACert, false)
	if err != nil {
		t.Fatal(err)
	}
	factory := client.NewFactory(client.Config{TLS: clientTLS})
	f.net = factory.ClientForURL(f.netURL)
	f.admin = factory.ClientForURL(adminURL)
	f.raw = &http.Client{Transport: &http.Transport{TLSClientConfig: clientTLS}, Timeout: 10 * time.Second}
	return f
}

func lrp(pg string, index int32, mem int32) client.LRP {
	return client.LRP{ActualLRPKey: client.ActualLRPKey{ProcessGUID: pg, Index: index, Domain: "d"},
		PlacementConstraint: client.PlacementConstraint{RootFs: "preloaded:busybox"},
		Resource:            client.Resource{MemoryMB: mem, DiskMB: 10}}
}

func TestStateAndPerformKeepCapacityHonest(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	state, err := f.net.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if state.AvailableResources != state.TotalResources || state.TotalResources.MemoryMB != 1024 || state.CellID != "cell-1" ||
		!state.RootFSProviders.Match("preloaded:busybox") || !state.RootFSProviders.Match("docker:///x") || state.Zone != "z1" {
		t.Fatalf("state %+v", state)
	}

	work := client.Work{CellID: "cell-1", LRPs: []client.LRP{lrp("small", 0, 100), lrp("huge", 0, 2000), lrp("mid", 1, 500)},
		Tasks: []client.Task{{TaskGUID: "task-1", Domain: "d", PlacementConstraint: client.PlacementConstraint{RootFs: "preloaded:busybox"},
			Resource: client.Resource{MemoryMB: 100, DiskMB: 10}}}}
	failed, err := f.net.Perform(ctx, work)
	if err != nil {
		t.Fatal(err)
	}
	if len(failed.LRPs) != 1 || failed.LRPs[0].ProcessGUID != "huge" || len(failed.Tasks) != 0 {
		t.Fatalf("failed %+v", failed)
	}
	state, _ = f.net.State(ctx)
	if state.AvailableResources.MemoryMB != 1024-700 || state.AvailableResources.Containers != 0 || state.StartingContainerCount != 3 {
		t.Fatalf("available %+v starting %d", state.AvailableResources, state.StartingContainerCount)
	}
	if got := f.exec.RemainingResources(); int(state.AvailableResources.MemoryMB) != got.MemoryMB || state.AvailableResources.Containers != got.Containers {
		t.Fatalf("state %+v but executor can allocate %+v", state.AvailableResources, got)
	}
	if len(state.LRPs) != 2 || state.LRPs[0].State != client.LRPStateClaimed || len(state.Tasks) != 1 || state.Tasks[0].State != client.TaskStatePending {
		t.Fatalf("lrps %+v tasks %+v", state.LRPs, state.Tasks)
	}
	// No container slot left: the next LRP fails even though memory fits.
	failed, _ = f.net.Perform(ctx, client.Work{LRPs: []client.LRP{lrp("more", 0, 1)}})
	if len(failed.LRPs) != 1 {
		t.Fatalf("over-allocated: %+v", failed)
	}
}

func post(t *testing.T, f *fixture, path, body string) (int, string) {
	t.Helper()
	resp, err := f.raw.Post(f.netURL+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMalformedWorkIsRefusedAndChangesNothing(t *testing.T) {
	f := setup(t)
	before := f.exec.RemainingResources()
	for _, body := range []string{`{"LRPs":[`, `not json`,
		`{"LRPs":[{"process_guid":"p","index":0,"domain":"d","RootFs":"preloaded:busybox","MemoryMB":-5}]}`,
		`{"LRPs":[{"process_guid":"ok","index":0,"domain":"d","RootFs":"preloaded:busybox","MemoryMB":5},{"process_guid":"","domain":"d","RootFs":"x:y"}]}`,
		`{"Tasks":[{"TaskGuid":"t","RootFs":""}]}`} {
		if code, _ := post(t, f, "/work", body); code != http.StatusBadRequest {
			t.Errorf("%s: status %d", body, code)
		}
	}
	if after := f.exec.RemainingResources(); after != before || len(f.exec.ListContainers()) != 0 {
		t.Fatalf("malformed work changed the cell: %+v → %+v", before, after)
	}
	if code, body := post(t, f, "/work", `{"cell_id":"other-cell","LRPs":[]}`); code != http.StatusInternalServerError || body != "" {
		t.Fatalf("mismatch: %d %q", code, body)
	}
}

func TestEvacuateFailsAllWork(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	if err := f.admin.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	resp, err := f.admin.Evacuate(ctx)
	if err != nil || resp.PingPath != "/ping" {
		t.Fatalf("%+v %v", resp, err)
	}
	<-f.started
	work := client.Work{LRPs: []client.LRP{lrp("p", 0, 10)}}
	failed, err := f.net.Perform(ctx, work)
	if err != nil || len(failed.LRPs) != 1 {
		t.Fatalf("evacuating cell took work: %+v %v", failed, err)
	}
	state, _ := f.net.State(ctx)
	if !state.Evacuating || state.AvailableResources != state.TotalResources {
		t.Fatalf("state %+v", state)
	}
}

func TestUnhealthyStateIs503WithBody(t *testing.T) {
	f := setup(t)
	f.exec.SetHealthy(false)
	resp, err := f.raw.Get(f.netURL + "/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var state client.CellState
	if err := json.NewDecoder(resp.Body).Decode(&state); err != nil || resp.StatusCode != http.StatusServiceUnavailable || state.CellID != "cell-1" {
		t.Fatalf("status %d body %+v err %v", resp.StatusCode, state, err)
	}
}

func TestStopUpdateCancelAndMetrics(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.net.Perform(ctx, client.Work{LRPs: []client.LRP{lrp("p", 0, 10)},
		Tasks: []client.Task{{TaskGUID: "t1", Domain: "d", PlacementConstraint: client.PlacementConstraint{RootFs: "preloaded:busybox"}}}})
	var ig string
	for _, c := range f.exec.ListContainers() {
		if c.Tags[executor.LifecycleTag] == executor.LRPLifecycle {
			ig = c.Guid
		}
	}
	if err := f.net.UpdateLRPInstance(ctx, client.LRPUpdate{InstanceGUID: ig, ActualLRPKey: client.ActualLRPKey{ProcessGUID: "p"},
		InternalRoutes: []client.InternalRoute{{Hostname: "a.apps.internal"}}, MetricTags: map[string]string{"k": "v"}}); err != nil {
		t.Fatal(err)
	}
	if c, _ := f.exec.GetContainer(ig); len(c.InternalRoutes) != 1 || c.MetricTags["k"] != "v" {
		t.Fatalf("update not applied: %+v", c)
	}
	if code, _ := post(t, f, "/v1/lrps/p/instances/"+ig+"/stop", ""); code != http.StatusAccepted {
		t.Fatalf("stop: %d", code)
	}
	if c, _ := f.exec.GetContainer(ig); c.State != executor.StateCompleted || !c.RunResult.Stopped {
		t.Fatalf("not stopped: %+v", c)
	}
	if code, _ := post(t, f, "/v1/tasks/t1/cancel", ""); code != http.StatusAccepted {
		t.Fatalf("cancel: %d", code)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := f.exec.GetContainer("t1"); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("cancelled task container not deleted")
		}
		time.Sleep(10 * time.Millisecond)
	}
	metrics, err := f.net.ContainerMetrics(ctx)
	if err != nil || metrics.CellID != "cell-1" {
		t.Fatalf("%+v %v", metrics, err)
	}
	if code, _ := post(t, f, "/sim/reset", ""); code != http.StatusInternalServerError {
		t.Fatalf("reset: %d", code)
	}
	resp, _ := f.raw.Do(mustReq(http.MethodPut, f.netURL+"/v2/lrps/p/instances/"+ig, `{bad`))
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad update: %d", resp.StatusCode)
	}
}

func mustReq(method, url, body string) *http.Request {
	r, _ := http.NewRequest(method, url, bytes.NewBufferString(body))
	return r
}

func TestClientCertificateRequired(t *testing.T) {
	f := setup(t)
	p := devCerts(t)
	noCert, _ := tlsconf.Client("", "", p.CACert, false)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: noCert}, Timeout: 5 * time.Second}
	if resp, err := c.Get(f.netURL + "/state"); err == nil {
		resp.Body.Close()
		t.Fatal("state served without a client certificate")
	}
}
