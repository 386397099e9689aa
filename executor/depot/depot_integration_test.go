package depot_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/executor"
	"github.com/godiego/diego/executor/applog"
	"github.com/godiego/diego/executor/cache"
	"github.com/godiego/diego/executor/depot"
	"github.com/godiego/diego/executor/executortest"
	"github.com/godiego/diego/executor/transformer"
	"github.com/godiego/diego/proto/models"
)

type memSink struct {
	mu    sync.Mutex
	lines []string
}

func (m *memSink) Emit(l applog.Line) {
	m.mu.Lock()
	m.lines = append(m.lines, l.SourceName+" "+l.Message)
	m.mu.Unlock()
}

func (m *memSink) text() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return strings.Join(m.lines, "\n")
}

type env struct {
	t    *testing.T
	d    *depot.Depot
	g    *executortest.Garden
	sink *memSink
}

func setup(t *testing.T) *env {
	t.Helper()
	return setupWith(t, func(*depot.Config) {})
}

// setupWith is setup with changes to the depot's configuration.
func setupWith(t *testing.T, configure func(*depot.Config)) *env {
	t.Helper()
	g := executortest.StartGarden(t, 20)
	c, err := cache.New(cache.Config{Dir: filepath.Join(t.TempDir(), "cache"), MaxBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	sink := &memSink{}
	logger := lager.NewLogger("test")
	cfg := depot.Config{
		CellID: "cell-1", Total: executor.ExecutorResources{MemoryMB: 1024, DiskMB: 4096, Containers: 10},
		Cache: c, Sink: sink, Logger: logger,
		Steps: transformer.Config{Fetcher: c, GracefulShutdownInterval: time.Second,
			HealthyMonitoringInterval: 200 * time.Millisecond, UnhealthyMonitoringInterval: 100 * time.Millisecond},
	}
	configure(&cfg)
	d := depot.New(cfg, g.Client)
	t.Cleanup(func() {
		for _, c := range d.ListContainers() {
			d.DeleteContainer(c.Guid)
		}
	})
	return &env{t: t, d: d, g: g, sink: sink}
}

// waitForEither waits until the container is in state or completed.
func (e *env) waitForEither(guid string, state executor.State, timeout time.Duration) executor.Container {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		c, err := e.d.GetContainer(guid)
		if err != nil {
			e.t.Fatal(err)
		}
		if c.State == state || c.State == executor.StateCompleted {
			return c
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s is %s, not %s, after %s", guid, c.State, state, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func runAction(path string, args ...string) *models.Action {
	return &models.Action{RunAction: &models.RunAction{Path: path, Args: args, User: "root", LogSource: "APP/PROC/WEB"}}
}

func (e *env) start(guid string, info executor.RunInfo, memMB int) {
	e.t.Helper()
	if f := e.d.AllocateContainers([]executor.AllocationRequest{{Guid: guid, Resource: executor.Resource{MemoryMB: memMB, DiskMB: 100, RootFSPath: e.g.RootFS}, Tags: executor.Tags{"lifecycle": "lrp"}}}); len(f) > 0 {
		e.t.Fatalf("allocation failed: %v", f)
	}
	info.LogConfig = executor.LogConfig{Guid: "log-" + guid, SourceName: "APP"}
	if err := e.d.RunContainer(executor.RunRequest{Guid: guid, RunInfo: info}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) waitFor(guid string, state executor.State, timeout time.Duration) executor.Container {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		c, err := e.d.GetContainer(guid)
		if err != nil {
			e.t.Fatal(err)
		}
		if c.State == state {
			return c
		}
		if c.State == executor.StateCompleted && state != executor.StateCompleted {
			e.t.Fatalf("%s completed while waiting for %s: %+v\nlogs:\n%s", guid, state, c.RunResult, e.sink.text())
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s is %s, not %s, after %s\nlogs:\n%s", guid, c.State, state, timeout, e.sink.text())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRunActionExitStatusAndLogs(t *testing.T) {
	e := setup(t)
	events, stop := e.d.Subscribe()
	defer stop()
	e.start("exit-3", executor.RunInfo{Action: runAction("/bin/sh", "-c", "echo hello $INSTANCE_INDEX; exit 3"),
		Env: []*models.EnvironmentVariable{{Name: "INSTANCE_INDEX", Value: "7"}}}, 64)
	c := e.waitFor("exit-3", executor.StateCompleted, 30*time.Second)
	if !c.RunResult.Failed || c.RunResult.FailureReason != "APP/PROC/WEB: Exited with status 3" {
		t.Fatalf("run result = %+v", c.RunResult)
	}
	logs := e.sink.text()
	for _, want := range []string{"CELL Cell cell-1 creating container for instance exit-3",
		"CELL Cell cell-1 successfully created container for instance exit-3", "APP/PROC/WEB hello 7", "APP/PROC/WEB Exit status 3"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
	var types []string
	for len(types) < 3 {
		select {
		case ev := <-events:
			types = append(types, string(ev.Type))
		case <-time.After(5 * time.Second):
			t.Fatalf("events = %v", types)
		}
	}
	if strings.Join(types, ",") != "container_reserved,container_running,container_complete" {
		t.Fatalf("events = %v", types)
	}
	before := e.d.RemainingResources()
	if err := e.d.DeleteContainer("exit-3"); err != nil {
		t.Fatal(err)
	}
	if after := e.d.RemainingResources(); after.MemoryMB != before.MemoryMB+64 || after.Containers != before.Containers+1 {
		t.Fatalf("resources not freed: %+v → %+v", before, after)
	}
	if _, err := e.g.Client.Lookup("exit-3"); err == nil {
		t.Fatal("garden container survived delete")
	}
}

func tgz(files map[string]string) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, body := range files {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(body)), Typeflag: tar.TypeReg})
		tw.Write([]byte(body))
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

func TestDownloadThenRunAndCachedDependency(t *testing.T) {
	e := setup(t)
	blob := tgz(map[string]string{"greeting.txt": "hi from a download\n"})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(blob) }))
	defer srv.Close()
	info := executor.RunInfo{
		Setup:              &models.Action{DownloadAction: &models.DownloadAction{Artifact: "app", From: srv.URL + "/app.tgz", To: "/tmp/app", User: "root", CacheKey: "app"}},
		Action:             runAction("/bin/sh", "-c", "cat /tmp/app/greeting.txt /deps/greeting.txt"),
		CachedDependencies: []executor.CachedDependency{{Name: "deps", From: srv.URL + "/deps.tgz", To: "/deps", CacheKey: "deps"}},
	}
	e.start("download", info, 64)
	c := e.waitFor("download", executor.StateCompleted, 30*time.Second)
	if c.RunResult.Failed {
		t.Fatalf("failed: %+v\n%s", c.RunResult, e.sink.text())
	}
	logs := e.sink.text()
	for _, want := range []string{"Downloading app...", "Downloaded app (", "APP/PROC/WEB hi from a download"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
	if strings.Count(logs, "hi from a download") != 2 {
		t.Errorf("cached dependency not mounted:\n%s", logs)
	}
}

func TestMonitorPassesThenPortAnswers(t *testing.T) {
	e := setup(t)
	info := executor.RunInfo{
		Action:         runAction("/bin/httpd", "-f", "-p", "8080", "-h", "/www"),
		Monitor:        runAction("/bin/sh", "-c", "wget -q -O /dev/null http://127.0.0.1:8080/index.html"),
		StartTimeoutMs: 20000,
		Ports:          []executor.PortMapping{{ContainerPort: 8080}},
		EgressRules:    []*models.SecurityGroupRule{{Protocol: "all", Destinations: []string{"0.0.0.0-255.255.255.255"}}},
	}
	e.start("web", info, 64)
	c := e.waitFor("web", executor.StateRunning, 30*time.Second)
	if len(c.Ports) != 1 || c.Ports[0].HostPort == 0 || c.ExternalIP == "" || c.InternalIP == "" || !c.Routable {
		t.Fatalf("net info: %+v %s %s routable=%v", c.Ports, c.ExternalIP, c.InternalIP, c.Routable)
	}
	resp, err := http.Get(fmt.Sprintf("http://%s:%d/index.html", c.ExternalIP, c.Ports[0].HostPort))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hello from busybox\n" {
		t.Fatalf("body %q", body)
	}
	if !strings.Contains(e.sink.text(), "Container became healthy") {
		t.Fatalf("logs:\n%s", e.sink.text())
	}
	if err := e.d.StopContainer("web"); err != nil {
		t.Fatal(err)
	}
	c = e.waitFor("web", executor.StateCompleted, 20*time.Second)
	if !c.RunResult.Stopped || c.RunResult.Failed {
		t.Fatalf("stop result %+v", c.RunResult)
	}
}

func TestMonitorNeverHealthy(t *testing.T) {
	e := setup(t)
	e.start("sick", executor.RunInfo{
		Action:         runAction("/bin/sleep", "1000"),
		Monitor:        runAction("/bin/sh", "-c", "echo not listening >&2; exit 1"),
		StartTimeoutMs: 1000,
	}, 64)
	c := e.waitFor("sick", executor.StateCompleted, 30*time.Second)
	if !c.RunResult.Failed || !strings.HasPrefix(c.RunResult.FailureReason, "Instance never healthy after ") ||
		!strings.HasSuffix(c.RunResult.FailureReason, ": not listening") {
		t.Fatalf("result %+v\n%s", c.RunResult, e.sink.text())
	}
}

func TestStopKillsAfterGracefulInterval(t *testing.T) {
	e := setup(t)
	e.start("stubborn", executor.RunInfo{Action: runAction("/bin/sh", "-c", "trap '' TERM; echo started; while true; do sleep 1; done")}, 64)
	e.waitFor("stubborn", executor.StateRunning, 30*time.Second)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(e.sink.text(), "started") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	e.d.StopContainer("stubborn")
	c := e.waitFor("stubborn", executor.StateCompleted, 30*time.Second)
	if !c.RunResult.Stopped {
		t.Fatalf("result %+v", c.RunResult)
	}
	if !strings.Contains(e.sink.text(), "graceful shutdown interval)") {
		t.Fatalf("no kill line:\n%s", e.sink.text())
	}
}

func TestOutOfMemory(t *testing.T) {
	e := setup(t)
	e.start("hog", executor.RunInfo{Action: runAction("/bin/sh", "-c", "dd if=/dev/zero of=/dev/null bs=200M count=1")}, 32)
	c := e.waitFor("hog", executor.StateCompleted, 30*time.Second)
	if !c.RunResult.Failed || !strings.Contains(c.RunResult.FailureReason, "Exited with status") {
		t.Fatalf("result %+v", c.RunResult)
	}
	if !strings.HasSuffix(c.RunResult.FailureReason, " (out of memory)") {
		t.Logf("garden reported no OOM event: %q", c.RunResult.FailureReason)
	}
}

func TestReservationsAndReaper(t *testing.T) {
	e := setup(t)
	if f := e.d.AllocateContainers([]executor.AllocationRequest{
		{Guid: "a", Resource: executor.Resource{MemoryMB: 1000}},
		{Guid: "b", Resource: executor.Resource{MemoryMB: 100}},
		{Guid: "a", Resource: executor.Resource{MemoryMB: 1}},
	}); len(f) != 2 || f[0].Guid != "b" || f[1].ErrorMsg != executor.ErrContainerGuidNotAvailable.Error() {
		t.Fatalf("failures %+v", f)
	}
	e.d.Prune(time.Now().Add(2 * time.Minute))
	if c, _ := e.d.GetContainer("a"); c.State != executor.StateCompleted || c.RunResult.FailureReason != "expired container" {
		t.Fatalf("not expired: %+v", c)
	}
	// A garden container with our owner that the executor does not know is reaped.
	if _, err := e.g.Client.Create(gardenSpec("orphan")); err != nil {
		t.Fatal(err)
	}
	e.d.Reap()
	if _, err := e.g.Client.Lookup("orphan"); err == nil {
		t.Fatal("orphan not reaped")
	}
}
