package bbs_test

import (
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"conformance/harness"
)

func listening(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// TestActivePassive: a second BBS serves health but not the API while the
// first holds the lock, and takes over when the first stops.
func TestActivePassive(t *testing.T) {
	e := startEnv(t, "sqlite", nil)
	second, cfg := e.startBBS(t, "bbs-second", nil)
	health, api := cfg["health_address"].(string), cfg["listen_address"].(string)
	second.WaitForListen(t, health, 30*time.Second)
	resp, err := http.Get("http://" + health + "/anything")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("health of the passive bbs: %v %v", resp, err)
	}
	resp.Body.Close()
	time.Sleep(2 * time.Second) // a few lock attempts
	if listening(api) {
		t.Fatal("the passive bbs serves its API without the lock")
	}
	if err := e.proc.Stop(t); err != nil {
		t.Fatalf("stopping the active bbs: %v", err)
	}
	second.WaitForListen(t, api, 30*time.Second)
	client := e.newClient(t, api)
	harness.Eventually(t, 30*time.Second, "the new leader to answer", func() bool { return client.Ping(e.logger, "") })
}

func TestMetricsOnTheDebugServer(t *testing.T) {
	debug := harness.FreePort(t)
	e := startEnv(t, "sqlite", map[string]any{"debug_address": debug})
	e.bbs.Ping(e.logger, "")
	src, err := e.bbs.SubscribeToTaskEvents(e.logger)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	harness.Eventually(t, 10*time.Second, "metrics", func() bool {
		resp, err := http.Get("http://" + debug + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		text := string(body)
		return strings.Contains(text, `bbs_requests_total{route="Ping"}`) &&
			strings.Contains(text, `bbs_event_stream_subscribers{stream="tasks"} 1`) &&
			strings.Contains(text, "bbs_request_duration_seconds_bucket")
	})
}

func TestCheckConfigReportsEveryProblem(t *testing.T) {
	bin := harness.Binary(t, "bbs")
	path := harness.WriteJSON(t, "bbs.json", map[string]any{"database_driver": "oracle", "max_task_retries": -1})
	out, err := exec.Command(bin, "-config", path, "-check-config").CombinedOutput()
	if err == nil {
		t.Fatalf("invalid config accepted:\n%s", out)
	}
	for _, want := range []string{"uuid", "ca_file", "database_driver", "database_connection_string", "encryption_keys", "auctioneer_address", "locket_address", "max_task_retries"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output does not mention %s:\n%s", want, out)
		}
	}
	path = harness.WriteJSON(t, "bbs.json", map[string]any{"no_such_key": 1})
	out, _ = exec.Command(bin, "-config", path, "-check-config").CombinedOutput()
	if !strings.Contains(string(out), "no_such_key") {
		t.Errorf("unknown key not named:\n%s", out)
	}
}

// TestLosingTheLockStopsTheProcess: with Locket gone the lock cannot be
// refreshed, and the BBS exits rather than serve without it.
func TestLosingTheLockStopsTheProcess(t *testing.T) {
	e := startEnv(t, "sqlite", nil)
	if err := e.locketProc.Stop(t); err != nil {
		t.Fatalf("stopping locket: %v", err)
	}
	select {
	case <-e.proc.Exited():
	case <-time.After(60 * time.Second):
		t.Fatal("bbs still running a minute after losing its lock")
	}
	if listening(e.config["listen_address"].(string)) {
		t.Fatal("API still listening")
	}
}
