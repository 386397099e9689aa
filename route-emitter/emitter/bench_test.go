package emitter

import (
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/godiego/diego/proto/models"
	"github.com/godiego/diego/route-emitter/routingtable"
)

// privateNATS starts a NATS server of the benchmark's own on a free port,
// so that 250,000 registrations never reach anyone's router on the shared
// server: the nats-server binary as a separate process when installed,
// else an embedded one.
func privateNATS(b *testing.B) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	url := "nats://127.0.0.1:" + strconv.Itoa(port)
	if path, err := exec.LookPath("nats-server"); err == nil {
		cmd := exec.Command(path, "-a", "127.0.0.1", "-p", strconv.Itoa(port))
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		deadline := time.Now().Add(10 * time.Second)
		for {
			if c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second); err == nil {
				c.Close()
				return url
			}
			if time.Now().After(deadline) {
				b.Fatal("nats-server did not start")
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	srv, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: port, NoLog: true, NoSigs: true})
	if err != nil {
		b.Fatal(err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(5 * time.Second) {
		b.Fatal("embedded NATS did not start")
	}
	b.Cleanup(srv.Shutdown)
	return url
}

// table250k holds 250,000 routes: 50,000 LRPs × 5 instances, one hostname
// each, with a metric tag as Cloud Controller always sets one.
func table250k(b *testing.B) *routingtable.Table {
	b.Helper()
	tbl := routingtable.New(routingtable.Options{})
	for i := 0; i < 50000; i++ {
		pg := fmt.Sprintf("pg-%d", i)
		tbl.SetDesired(routingtable.DesiredRoutes{
			ProcessGUID: pg, Domain: "cf-apps", LogGUID: "log-" + pg, Instances: 5,
			CFRoutes:   []routingtable.CFRoute{{Hostnames: []string{fmt.Sprintf("app-%d.example.com", i)}, Port: 8080}},
			MetricTags: map[string]*models.MetricTagValue{"source_id": {Static: pg}},
		})
		for j := int32(0); j < 5; j++ {
			tbl.SetActual(&models.ActualLRP{
				ActualLrpKey:         &models.ActualLRPKey{ProcessGuid: pg, Index: j, Domain: "cf-apps"},
				ActualLrpInstanceKey: &models.ActualLRPInstanceKey{InstanceGuid: fmt.Sprintf("%s-%d", pg, j), CellId: "cell"},
				ActualLrpNetInfo: &models.ActualLRPNetInfo{Address: fmt.Sprintf("10.0.%d.%d", i%250, j),
					Ports: []*models.PortMapping{{ContainerPort: 8080, HostPort: uint32(61000 + j)}}},
				State: "RUNNING",
			})
		}
	}
	if n := tbl.RouteCount(); n != 250000 {
		b.Fatalf("route count %d", n)
	}
	return tbl
}

// BenchmarkFullEmission250kToNATS measures one periodic full emission of
// 250,000 routes end to end: building the messages, JSON-encoding each,
// publishing to a real NATS server over TCP, and a router-like subscriber
// on its own connection receiving all of them. "build-s" is the time to
// build the messages, "publish-s" the time until the server has
// acknowledged every publish (flush), both included in ns/op.
func BenchmarkFullEmission250kToNATS(b *testing.B) {
	url := privateNATS(b)
	tbl := table250k(b)
	pub, err := nats.Connect(url)
	if err != nil {
		b.Fatal(err)
	}
	defer pub.Close()
	subConn, err := nats.Connect(url)
	if err != nil {
		b.Fatal(err)
	}
	defer subConn.Close()
	var received atomic.Int64
	sub, err := subConn.Subscribe(RouterRegister, func(*nats.Msg) { received.Add(1) })
	if err != nil {
		b.Fatal(err)
	}
	_ = sub.SetPendingLimits(-1, -1)
	if err := subConn.Flush(); err != nil {
		b.Fatal(err)
	}
	e := NewNATSEmitter(pub, false)

	var buildTotal, publishTotal time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		received.Store(0)
		begin := time.Now()
		all := tbl.All()
		buildTotal += time.Since(begin)
		if err := e.Emit(all); err != nil {
			b.Fatal(err)
		}
		if err := pub.Flush(); err != nil {
			b.Fatal(err)
		}
		publishTotal += time.Since(begin)
		deadline := time.Now().Add(time.Minute)
		for received.Load() < 250000 {
			if time.Now().After(deadline) {
				b.Fatalf("subscriber got %d of 250000 registrations", received.Load())
			}
			time.Sleep(time.Millisecond)
		}
	}
	b.StopTimer()
	b.ReportMetric(buildTotal.Seconds()/float64(b.N), "build-s")
	b.ReportMetric(publishTotal.Seconds()/float64(b.N), "publish-s")
	b.ReportMetric(250000*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
