package applog_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"code.cloudfoundry.org/go-loggregator/v9/rpc/loggregator_v2"
	"code.cloudfoundry.org/lager/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/godiego/diego/executor"
	"github.com/godiego/diego/executor/applog"
	"github.com/godiego/diego/executor/cache"
	"github.com/godiego/diego/executor/containermetrics"
	"github.com/godiego/diego/executor/depot"
	"github.com/godiego/diego/executor/executortest"
	"github.com/godiego/diego/executor/transformer"
	"github.com/godiego/diego/internal/certs"
	"github.com/godiego/diego/internal/tlsconf"
	"github.com/godiego/diego/proto/models"
)

// agent stands in for the loggregator agent: a gRPC loggregator.v2.Ingress
// server over mutual TLS that keeps every envelope it receives.
type agent struct {
	loggregator_v2.UnimplementedIngressServer
	mu        sync.Mutex
	envelopes []*loggregator_v2.Envelope
	peers     []string // client certificate common names
}

func (a *agent) keep(ctx context.Context, batch []*loggregator_v2.Envelope) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.envelopes = append(a.envelopes, batch...)
}

func (a *agent) BatchSender(s loggregator_v2.Ingress_BatchSenderServer) error {
	for {
		b, err := s.Recv()
		if err == io.EOF {
			return s.SendAndClose(&loggregator_v2.BatchSenderResponse{})
		}
		if err != nil {
			return err
		}
		a.keep(s.Context(), b.GetBatch())
	}
}

func (a *agent) Sender(s loggregator_v2.Ingress_SenderServer) error {
	for {
		e, err := s.Recv()
		if err == io.EOF {
			return s.SendAndClose(&loggregator_v2.IngressResponse{})
		}
		if err != nil {
			return err
		}
		a.keep(s.Context(), []*loggregator_v2.Envelope{e})
	}
}

func (a *agent) Send(ctx context.Context, b *loggregator_v2.EnvelopeBatch) (*loggregator_v2.SendResponse, error) {
	a.keep(ctx, b.GetBatch())
	return &loggregator_v2.SendResponse{}, nil
}

// find returns the first envelope match accepts.
func (a *agent) find(match func(*loggregator_v2.Envelope) bool) *loggregator_v2.Envelope {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, e := range a.envelopes {
		if match(e) {
			return e
		}
	}
	return nil
}

func (a *agent) logs() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var lines []string
	for _, e := range a.envelopes {
		if l := e.GetLog(); l != nil {
			lines = append(lines, fmt.Sprintf("%s/%s %s %s %q", e.SourceId, e.InstanceId, e.Tags["source_type"], l.Type, l.Payload))
		}
	}
	return strings.Join(lines, "\n")
}

// startAgent serves the agent on 127.0.0.1 with a certificate for
// "metron", requiring client certificates from the same CA.
func startAgent(t *testing.T) (*agent, certs.Paths, int) {
	t.Helper()
	paths, err := certs.Generate(t.TempDir(), []string{applog.AgentServerName, "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	a, port := serveAgent(t, paths, "127.0.0.1:0")
	return a, paths, port
}

// serveAgent serves an agent with the certificates in paths on addr.
func serveAgent(t *testing.T, paths certs.Paths, addr string) (*agent, int) {
	t.Helper()
	tlsCfg, err := tlsconf.Server(paths.ServerCert, paths.ServerKey, paths.CACert)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	a := &agent{}
	srv := grpc.NewServer(grpc.Creds(credentials.NewTLS(tlsCfg)))
	loggregator_v2.RegisterIngressServer(srv, a)
	go srv.Serve(ln)
	t.Cleanup(srv.Stop)
	return a, ln.Addr().(*net.TCPAddr).Port
}

func TestLoggregatorToleratesAnAgentThatStartsLater(t *testing.T) {
	paths, err := certs.Generate(t.TempDir(), []string{applog.AgentServerName, "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	client, err := applog.NewLoggregator(applog.LoggregatorConfig{Port: port, CACertPath: paths.CACert,
		CertPath: paths.ClientCert, KeyPath: paths.ClientKey, BatchFlushInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatalf("no agent yet: %v", err)
	}
	defer client.Close()
	client.Emit(applog.Line{Guid: "g", Message: "lost while the agent is down"})
	ag, _ := serveAgent(t, paths, addr)
	eventually(t, 20*time.Second, "a line once the agent is up", func() bool {
		client.Emit(applog.Line{Guid: "g", Index: 1, Message: "after"})
		return ag.find(func(e *loggregator_v2.Envelope) bool {
			return string(e.GetLog().GetPayload()) == "after" && e.SourceId == "g" && e.InstanceId == "1" && e.Tags["source_type"] == "LOG"
		}) != nil
	}, ag.logs)
	client.Close()
	client.Emit(applog.Line{Guid: "g", Message: "after close: dropped, no panic"})
}

func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool, detail func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %s; received:\n%s", what, timeout, detail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestLoggregatorReceivesAppLogsAndContainerMetrics(t *testing.T) {
	g := executortest.StartGarden(t, 10)
	ag, paths, port := startAgent(t)
	client, err := applog.NewLoggregator(applog.LoggregatorConfig{Port: port, CACertPath: paths.CACert,
		CertPath: paths.ClientCert, KeyPath: paths.ClientKey, JobOrigin: "rep", BatchFlushInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()

	c, err := cache.New(cache.Config{Dir: filepath.Join(t.TempDir(), "cache"), MaxBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	d := depot.New(depot.Config{
		CellID: "cell-7", Total: executor.ExecutorResources{MemoryMB: 1024, DiskMB: 4096, Containers: 5},
		Cache: c, Sink: client, Logger: lager.NewLogger("test"),
		Steps: transformer.Config{Fetcher: c, GracefulShutdownInterval: time.Second},
	}, g.Client)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Run(ctx)
	t.Cleanup(func() {
		for _, c := range d.ListContainers() {
			d.DeleteContainer(c.Guid)
		}
	})

	const guid = "instance-guid-1"
	if f := d.AllocateContainers([]executor.AllocationRequest{{Guid: guid,
		Resource: executor.Resource{MemoryMB: 64, DiskMB: 100, RootFSPath: g.RootFS}, Tags: executor.Tags{"lifecycle": "lrp"}}}); len(f) > 0 {
		t.Fatalf("allocation failed: %v", f)
	}
	tags := map[string]string{"source_id": "app-guid", "instance_id": "3", "organization_name": "org", "app_name": "dora"}
	err = d.RunContainer(executor.RunRequest{Guid: guid, RunInfo: executor.RunInfo{
		Action: &models.Action{RunAction: &models.RunAction{Path: "/bin/sh", User: "root", LogSource: "APP/PROC/WEB",
			Args: []string{"-c", "echo hello loggregator; echo oops >&2; while true; do echo tick; sleep 0.2; done"}}},
		LogConfig: executor.LogConfig{Guid: "log-guid", Index: 3, SourceName: "APP/PROC/WEB", Tags: tags},
	}})
	if err != nil {
		t.Fatal(err)
	}
	reporter := &containermetrics.Reporter{Source: d, Emitter: client, Interval: 200 * time.Millisecond}
	go reporter.Run(ctx)

	isLog := func(sourceType, payload string, typ loggregator_v2.Log_Type) func(*loggregator_v2.Envelope) bool {
		return func(e *loggregator_v2.Envelope) bool {
			l := e.GetLog()
			return l != nil && string(l.Payload) == payload && l.Type == typ && e.Tags["source_type"] == sourceType
		}
	}
	eventually(t, 60*time.Second, "stdout line", func() bool {
		return ag.find(isLog("APP/PROC/WEB", "hello loggregator", loggregator_v2.Log_OUT)) != nil
	}, ag.logs)
	out := ag.find(isLog("APP/PROC/WEB", "hello loggregator", loggregator_v2.Log_OUT))
	if out.SourceId != "app-guid" || out.InstanceId != "3" || out.Tags["organization_name"] != "org" ||
		out.Tags["app_name"] != "dora" || out.Tags["origin"] != "rep" || out.Timestamp == 0 {
		t.Fatalf("stdout envelope = %v", out)
	}
	eventually(t, 10*time.Second, "stderr line", func() bool {
		return ag.find(isLog("APP/PROC/WEB", "oops", loggregator_v2.Log_ERR)) != nil
	}, ag.logs)
	cell := ag.find(isLog("CELL", "Cell cell-7 successfully created container for instance "+guid, loggregator_v2.Log_OUT))
	if cell == nil || cell.SourceId != "app-guid" || cell.InstanceId != "3" {
		t.Fatalf("CELL line = %v; logs:\n%s", cell, ag.logs())
	}

	gauge := func(e *loggregator_v2.Envelope) bool {
		m := e.GetGauge().GetMetrics()
		return m["memory"] != nil && m["cpu"] != nil && m["disk_quota"] != nil
	}
	eventually(t, 30*time.Second, "container metrics gauge", func() bool { return ag.find(gauge) != nil }, ag.logs)
	m := ag.find(gauge)
	if m.SourceId != "app-guid" || m.InstanceId != "3" || m.Tags["app_name"] != "dora" {
		t.Fatalf("metrics envelope = %v", m)
	}
	metrics := m.GetGauge().GetMetrics()
	if metrics["memory"].Unit != "bytes" || metrics["memory"].Value <= 0 || metrics["memory_quota"].Value != 64<<20 || metrics["cpu"].Unit != "percentage" {
		t.Fatalf("metrics = %v", metrics)
	}
	age := func(e *loggregator_v2.Envelope) bool {
		return e.SourceId == "app-guid" && e.GetGauge().GetMetrics()["container_age"] != nil
	}
	if e := ag.find(age); e == nil || e.GetGauge().GetMetrics()["absolute_usage"] == nil {
		t.Fatalf("second gauge envelope = %v", e)
	}

	// New metric tags (the rep's UpdateLRPInstance) reach later lines and samples.
	renamed := map[string]string{"source_id": "app-guid", "instance_id": "3", "app_name": "renamed"}
	if err := d.UpdateContainer(guid, nil, renamed); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "a line with the new tags", func() bool {
		return ag.find(func(e *loggregator_v2.Envelope) bool {
			return isLog("APP/PROC/WEB", "tick", loggregator_v2.Log_OUT)(e) && e.Tags["app_name"] == "renamed"
		}) != nil
	}, ag.logs)
	eventually(t, 10*time.Second, "a sample with the new tags", func() bool {
		return ag.find(func(e *loggregator_v2.Envelope) bool { return gauge(e) && e.Tags["app_name"] == "renamed" }) != nil
	}, ag.logs)
}
