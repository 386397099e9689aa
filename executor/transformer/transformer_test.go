package transformer

import (
	"io"
	"reflect"
	"testing"
	"time"

	"github.com/godiego/diego/executor"
	"github.com/godiego/diego/executor/steps"
	"github.com/godiego/diego/proto/models"
)

type nopStreamer struct{}

func (nopStreamer) Stdout() io.Writer                { return io.Discard }
func (nopStreamer) Stderr() io.Writer                { return io.Discard }
func (nopStreamer) SourceName() string               { return "APP" }
func (nopStreamer) Flush()                           {}
func (nopStreamer) WithSource(string) steps.Streamer { return nopStreamer{} }

func run(path string) *models.Action { return &models.Action{RunAction: &models.RunAction{Path: path}} }

func TestComposition(t *testing.T) {
	cfg := Config{HealthyMonitoringInterval: 30 * time.Second, UnhealthyMonitoringInterval: 2 * time.Second, DeclarativeHealthcheck: true}
	c := executor.Container{Guid: "g"}
	c.Action = run("/app")

	step, ready, err := Steps(cfg, Input{Container: c, Streamer: nopStreamer{}})
	if err != nil || ready {
		t.Fatal(err)
	}
	if _, ok := step.(steps.Run); !ok {
		t.Fatalf("action only: %T", step)
	}

	c.Setup = &models.Action{DownloadAction: &models.DownloadAction{From: "http://x/y", To: "/tmp"}}
	c.Monitor = run("/check")
	step, _, _ = Steps(cfg, Input{Container: c, Streamer: nopStreamer{}})
	serial, ok := step.(steps.Serial)
	if !ok || len(serial) != 2 {
		t.Fatalf("setup+action+monitor: %T %v", step, step)
	}
	if _, ok := serial[0].(steps.Download); !ok {
		t.Fatalf("setup: %T", serial[0])
	}
	co, ok := serial[1].(steps.Codependent)
	if !ok || len(co.Steps) != 2 || co.ErrorOnExit || co.CancelOthersOnExit {
		t.Fatalf("long-lived: %#v", serial[1])
	}
	if _, ok := co.Steps[1].(steps.HealthCheck); !ok {
		t.Fatalf("monitor: %T", co.Steps[1])
	}

	// A check definition replaces the monitor when enabled, and readiness adds a step.
	c.Setup = nil
	c.CheckDefinition = &models.CheckDefinition{
		Checks:          []*models.Check{{TcpCheck: &models.TCPCheck{Port: 8080}}},
		ReadinessChecks: []*models.Check{{HttpCheck: &models.HTTPCheck{Port: 8080}}},
	}
	step, ready, _ = Steps(cfg, Input{Container: c, Streamer: nopStreamer{}})
	co = step.(steps.Codependent)
	if !ready || len(co.Steps) != 3 {
		t.Fatalf("checks: ready=%v %#v", ready, co)
	}
	if _, ok := co.Steps[2].(steps.Readiness); !ok {
		t.Fatalf("readiness: %T", co.Steps[2])
	}
	cfg.DeclarativeHealthcheck = false
	step, ready, _ = Steps(cfg, Input{Container: c, Streamer: nopStreamer{}})
	if co = step.(steps.Codependent); ready || len(co.Steps) != 2 {
		t.Fatal("check definition used while disabled")
	}
	if _, ok := co.Steps[1].(steps.HealthCheck); !ok {
		t.Fatal("monitor not used as fallback")
	}

	c.Action = nil
	if _, _, err := Steps(cfg, Input{Container: c}); err == nil {
		t.Fatal("empty action accepted")
	}
}

func TestHealthcheckArgs(t *testing.T) {
	b := builder{cfg: Config{HealthyMonitoringInterval: 30 * time.Second}}
	s, _ := b.spec(&models.Check{HttpCheck: &models.HTTPCheck{Port: 8080}})
	got := HealthcheckArgs(s, startupCheck, 2*time.Second, time.Minute)
	want := []string{"-port=8080", "-timeout=1000ms", "-uri=/", "-startup-interval=2s", "-startup-timeout=1m0s"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
	s, _ = b.spec(&models.Check{TcpCheck: &models.TCPCheck{Port: 9000, ConnectTimeoutMs: 50, IntervalMs: 500}})
	if got := HealthcheckArgs(s, livenessCheck, s.interval, 0); !reflect.DeepEqual(got, []string{"-port=9000", "-timeout=50ms", "-liveness-interval=500ms"}) {
		t.Fatalf("got %v", got)
	}
	if got := HealthcheckArgs(s, untilFailureCheck, s.interval, 0); got[2] != "-readiness-interval=500ms" {
		t.Fatalf("got %v", got)
	}
	if got := HealthcheckArgs(s, untilReadyCheck, s.interval, 0); got[2] != "-until-ready-interval=500ms" {
		t.Fatalf("got %v", got)
	}
}
