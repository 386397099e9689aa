package depot_test

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godiego/diego/executor"
	"github.com/godiego/diego/proto/models"
)

func TestUploadAction(t *testing.T) {
	e := setup(t)
	var mu sync.Mutex
	var body []byte
	var hdr http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		body, hdr = b, r.Header.Clone()
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	e.start("up", executor.RunInfo{Action: &models.Action{SerialAction: &models.SerialAction{Actions: []*models.Action{
		runAction("/bin/sh", "-c", "echo droplet-bits > /tmp/droplet"),
		{UploadAction: &models.UploadAction{Artifact: "droplet", From: "/tmp/droplet", To: srv.URL + "/upload", User: "root"}},
	}}}}, 64)
	c := e.waitFor("up", executor.StateCompleted, 30*time.Second)
	if c.RunResult.Failed {
		t.Fatalf("%+v\n%s", c.RunResult, e.sink.text())
	}
	mu.Lock()
	defer mu.Unlock()
	md := md5.Sum(body)
	sha := sha256.Sum256(body)
	if string(body) != "droplet-bits\n" || hdr.Get("Content-Type") != "application/octet-stream" ||
		hdr.Get("Content-MD5") != base64.StdEncoding.EncodeToString(md[:]) ||
		hdr.Get("Content-Digest") != "sha-256=:"+base64.StdEncoding.EncodeToString(sha[:])+":" {
		t.Fatalf("body %q headers %v", body, hdr)
	}
	if logs := e.sink.text(); !strings.Contains(logs, "Uploading droplet...") || !strings.Contains(logs, "Uploaded droplet (13B)") {
		t.Fatalf("logs:\n%s", logs)
	}
}

func TestTimeoutTryAndEmitProgressWithRealProcesses(t *testing.T) {
	e := setup(t)
	e.start("slow", executor.RunInfo{Action: &models.Action{EmitProgressAction: &models.EmitProgressAction{
		StartMessage: "staging...", FailureMessagePrefix: "Staging failed",
		Action: &models.Action{SerialAction: &models.SerialAction{Actions: []*models.Action{
			{TryAction: &models.TryAction{Action: runAction("/bin/sh", "-c", "exit 9")}},
			{TimeoutAction: &models.TimeoutAction{TimeoutMs: 300, Action: runAction("/bin/sleep", "100")}},
		}}},
	}}}, 64)
	c := e.waitFor("slow", executor.StateCompleted, 30*time.Second)
	if !c.RunResult.Failed || c.RunResult.FailureReason != "exceeded 300ms timeout" {
		t.Fatalf("%+v\n%s", c.RunResult, e.sink.text())
	}
	if logs := e.sink.text(); !strings.Contains(logs, "staging...") || !strings.Contains(logs, "Staging failed: exceeded 300ms timeout") {
		t.Fatalf("logs:\n%s", logs)
	}
}

func TestBulkMetricsOfRunningContainer(t *testing.T) {
	e := setup(t)
	e.start("busy", executor.RunInfo{Action: runAction("/bin/sh", "-c", "x=$(yes | head -c 1000000); sleep 100")}, 64)
	e.waitFor("busy", executor.StateRunning, 30*time.Second)
	deadline := time.Now().Add(20 * time.Second)
	for {
		m, err := e.d.GetBulkMetrics()
		if err != nil {
			t.Fatal(err)
		}
		got, ok := m["busy"]
		if ok && got.MemoryUsageInBytes > 0 && got.MemoryLimitInBytes == 64<<20 && got.MetricsConfigGuid == "log-busy" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics %+v", m)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
