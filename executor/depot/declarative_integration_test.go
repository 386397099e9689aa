package depot_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/executor"
	"github.com/godiego/diego/executor/depot"
	"github.com/godiego/diego/executor/executortest"
	"github.com/godiego/diego/executor/transformer"
	"github.com/godiego/diego/proto/models"
)

func setupDeclarative(t *testing.T, sidecar bool) *env {
	t.Helper()
	g := executortest.StartGarden(t, 20)
	if _, err := os.Stat(filepath.Join(executortest.RepoRoot(), "cmd", "healthcheck")); err != nil {
		t.Skip("cmd/healthcheck not present")
	}
	bin := executortest.Binary(t, "healthcheck")
	hcDir, err := os.MkdirTemp("", "healthcheck-") // reachable by user-namespaced container roots
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(hcDir) })
	raw, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(hcDir, "healthcheck"), raw, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(hcDir, 0o755)
	sink := &memSink{}
	image := ""
	if sidecar {
		image = g.RootFS
	}
	d := depot.New(depot.Config{
		CellID: "cell-1", Total: executor.ExecutorResources{MemoryMB: 1024, DiskMB: 4096, Containers: 10},
		Sink: sink, Logger: lager.NewLogger("test"), DeclarativeHealthcheckPath: hcDir,
		Steps: transformer.Config{GracefulShutdownInterval: time.Second, DeclarativeHealthcheck: true, SidecarImage: image,
			HealthyMonitoringInterval: 200 * time.Millisecond, UnhealthyMonitoringInterval: 100 * time.Millisecond},
	}, g.Client)
	t.Cleanup(func() {
		for _, c := range d.ListContainers() {
			d.DeleteContainer(c.Guid)
		}
	})
	return &env{t: t, d: d, g: g, sink: sink}
}

// Health checks run as sidecars (own image, upstream's way) or, with no
// sidecar image configured, as plain processes in the container.
func bothWays(t *testing.T, test func(t *testing.T, sidecar bool)) {
	t.Run("in-container", func(t *testing.T) { test(t, false) })
	t.Run("sidecar", func(t *testing.T) { test(t, true) })
}

// skipOnSidecarLookup skips when Garden cannot exec a sidecar binary that
// lives in one of the process's own bind mounts (it looks the path up in the
// sidecar image before mounting them).
func skipOnSidecarLookup(t *testing.T, sidecar bool, reason string) {
	if sidecar && strings.Contains(reason, "executable file not found") {
		t.Skip("garden: sidecar executable lookup ignores ProcessSpec.BindMounts: " + reason)
	}
}

func TestDeclarativeChecksAndReadiness(t *testing.T) { bothWays(t, declarativeChecksAndReadiness) }

func declarativeChecksAndReadiness(t *testing.T, sidecar bool) {
	e := setupDeclarative(t, sidecar)
	e.start("web", executor.RunInfo{
		Action: runAction("/bin/httpd", "-f", "-p", "8080", "-h", "/www"),
		CheckDefinition: &models.CheckDefinition{
			Checks:          []*models.Check{{TcpCheck: &models.TCPCheck{Port: 8080}}},
			ReadinessChecks: []*models.Check{{HttpCheck: &models.HTTPCheck{Port: 8080, Path: "/ready.html", IntervalMs: 100}}},
		},
		StartTimeoutMs: 20000,
		Ports:          []executor.PortMapping{{ContainerPort: 8080}},
	}, 64)
	c := e.waitForEither("web", executor.StateRunning, 30*time.Second)
	skipOnSidecarLookup(t, sidecar, c.RunResult.FailureReason)
	if c.State != executor.StateRunning {
		t.Fatalf("not running: %+v\n%s", c.RunResult, e.sink.text())
	}
	if c.Routable {
		t.Fatal("routable before the readiness check passed")
	}
	gc, _ := e.g.Client.Lookup("web")
	exec := func(cmd string) {
		p, err := gc.Run(gardenProcess(cmd), gardenIO())
		if err != nil {
			t.Fatal(err)
		}
		p.Wait()
	}
	exec("echo ok > /www/ready.html")
	waitRoutable(t, e, "web", true)
	exec("rm /www/ready.html")
	waitRoutable(t, e, "web", false)
	logs := e.sink.text()
	for _, want := range []string{"Container passed the readiness health check. Container marked ready and added to route pool.",
		"Container failed the readiness health check. Container marked not ready and removed from route pool."} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

func TestDeclarativeCheckNeverHealthy(t *testing.T) { bothWays(t, declarativeCheckNeverHealthy) }

func declarativeCheckNeverHealthy(t *testing.T, sidecar bool) {
	e := setupDeclarative(t, sidecar)
	e.start("sick", executor.RunInfo{
		Action:          runAction("/bin/sleep", "1000"),
		CheckDefinition: &models.CheckDefinition{Checks: []*models.Check{{TcpCheck: &models.TCPCheck{Port: 9999}}}},
		StartTimeoutMs:  1000,
	}, 64)
	c := e.waitFor("sick", executor.StateCompleted, 30*time.Second)
	skipOnSidecarLookup(t, sidecar, c.RunResult.FailureReason)
	if !c.RunResult.Failed || !strings.HasPrefix(c.RunResult.FailureReason, "Instance never healthy after ") ||
		!strings.Contains(c.RunResult.FailureReason, "failed to make TCP connection") {
		t.Fatalf("result %+v\n%s", c.RunResult, e.sink.text())
	}
}

func waitRoutable(t *testing.T, e *env, guid string, want bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, _ := e.d.GetContainer(guid)
		if c.Routable == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("routable never became %v\n%s", want, e.sink.text())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
