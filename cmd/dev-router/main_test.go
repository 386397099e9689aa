package main_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dev-router-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "dev-router")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func writeConfig(t *testing.T, cfg map[string]any) string {
	t.Helper()
	raw, _ := json.Marshal(cfg)
	path := filepath.Join(t.TempDir(), "dev-router.json")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func TestCheckConfig(t *testing.T) {
	good := writeConfig(t, map[string]any{"listen_address": "127.0.0.1:8081", "nats_addresses": "127.0.0.1:4222", "log_level": "info"})
	if out, err := exec.Command(binary, "-config", good, "-check-config").CombinedOutput(); err != nil {
		t.Fatalf("valid config rejected: %v %s", err, out)
	}
	bad := writeConfig(t, map[string]any{"listen_address": "nope", "prune_stale_after": "soon"})
	out, err := exec.Command(binary, "-config", bad, "-check-config").CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), `invalid duration "soon"`) {
		t.Fatalf("bad config: %v %s", err, out)
	}
}

// TestRoutesThroughNATS runs the binary with the config `make run` writes
// and routes a request registered the way the route-emitter registers it.
func TestRoutesThroughNATS(t *testing.T) {
	const natsAddr = "127.0.0.1:4222"
	if conn, err := net.DialTimeout("tcp", natsAddr, time.Second); err != nil {
		if os.Getenv("DIEGO_TEST_REQUIRE_SQL") == "1" {
			t.Fatalf("NATS is not reachable at %s: %v", natsAddr, err)
		}
		t.Skipf("SKIPPED: NATS is not reachable at %s (the package tests cover an embedded server)", natsAddr)
	} else {
		conn.Close()
	}
	listen := freeAddr(t)
	var out bytes.Buffer
	cmd := exec.Command(binary, "-config", writeConfig(t, map[string]any{
		"listen_address": listen, "nats_addresses": natsAddr, "log_level": "debug",
	}))
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("dev-router output:\n%s", out.String())
		}
	})

	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello from the app") }))
	t.Cleanup(app.Close)
	_, port, _ := net.SplitHostPort(app.Listener.Addr().String())
	p, _ := strconv.Atoi(port)
	host := "binary-" + strconv.FormatInt(time.Now().UnixNano(), 36) + ".dev-router.test"
	reg, _ := json.Marshal(map[string]any{"host": "127.0.0.1", "port": p, "uris": []string{host}, "app": "log-guid",
		"private_instance_id": "guid", "private_instance_index": "0", "tags": map[string]string{"component": "route-emitter"}})

	nc, err := nats.Connect("nats://" + natsAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	deadline := time.Now().Add(15 * time.Second)
	for {
		// Re-register until the router is up, as an emitter's periodic sync would.
		_ = nc.Publish("router.register", reg)
		_ = nc.Flush()
		req, _ := http.NewRequest("GET", "http://"+listen+"/", nil)
		req.Host = host
		if resp, err := http.DefaultClient.Do(req); err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 && string(body) == "hello from the app" {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("request never routed to the app")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
