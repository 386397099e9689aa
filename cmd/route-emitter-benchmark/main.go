// Command route-emitter-benchmark measures how long a route takes to reach
// routers: it starts the real locket, bbs, auctioneer and route-emitter
// binaries on a scratch state folder (and NATS, embedded when none runs),
// then repeatedly desires an app, claims its instance as a cell would,
// starts it through the BBS (StartActualLRP, the moment it is RUNNING) and
// times the arrival of its router.register on NATS. It prints p50/p90/p99.
//
//	go build -o /tmp/re-bench/ ./cmd/bbs ./cmd/locket ./cmd/auctioneer ./cmd/route-emitter ./cmd/route-emitter-benchmark
//	/tmp/re-bench/route-emitter-benchmark -bin /tmp/re-bench -runs 20
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/nats-io/nats.go"

	bbsclient "github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/internal/localrun"
	"github.com/godiego/diego/internal/tlsconf"
	"github.com/godiego/diego/proto/models"
)

// portOffset keeps the benchmark's Diego clear of make run's and the e2e suite's.
const portOffset = 12000 // below the ephemeral port range, clear of the e2e suite's 10000

func main() {
	bin := flag.String("bin", "bin", "directory holding the locket, bbs, auctioneer and route-emitter binaries")
	runs := flag.Int("runs", 20, "instances to start and time")
	flag.Parse()
	if err := run(*bin, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "route-emitter-benchmark:", err)
		os.Exit(1)
	}
}

func run(bin string, runs int) error {
	root, err := os.MkdirTemp("", "route-emitter-benchmark-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(root)
	st, err := localrun.Prepare(root)
	if err != nil {
		return err
	}
	addrs := localrun.DefaultAddresses().Shifted(portOffset)
	stopNATS, err := localrun.EnsureNATS(addrs.NATS, os.Stderr)
	if err != nil {
		return err
	}
	defer stopNATS()
	sup := &localrun.Supervisor{BinDir: bin, Root: st.Root, Out: os.Stderr, Quiet: true}
	defer sup.StopAll(10 * time.Second)
	wanted := map[string]bool{"locket": true, "bbs": true, "auctioneer": true, "route-emitter": true}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, c := range localrun.Plan(st, localrun.Options{Addresses: addrs, LogLevel: "info"}) {
		if wanted[c.Name] {
			if err := sup.Start(ctx, c); err != nil {
				return err
			}
		}
	}
	tlsCfg, err := tlsconf.Client(st.Certs.ClientCert, st.Certs.ClientKey, st.Certs.CACert, false)
	if err != nil {
		return err
	}
	bbs, err := bbsclient.New(bbsclient.Config{URL: "https://" + addrs.BBS, TLS: tlsCfg})
	if err != nil {
		return err
	}
	conn, err := nats.Connect("nats://" + addrs.NATS)
	if err != nil {
		return err
	}
	defer conn.Close()
	registers := make(chan *nats.Msg, 4096)
	if _, err := conn.ChanSubscribe("router.register", registers); err != nil {
		return err
	}
	if err := conn.Flush(); err != nil {
		return err
	}
	bg := context.Background()
	if err := bbs.UpsertDomain(bg, "bench", 0); err != nil {
		return err
	}

	var samples, afterReply []time.Duration
	prefix := fmt.Sprintf("b%d", time.Now().UnixNano()%1e6)
	for i := 0; i < runs; i++ {
		d, reply, err := timeOne(bg, bbs, registers, fmt.Sprintf("%s-%d", prefix, i))
		if err != nil {
			return fmt.Errorf("run %d: %w", i, err)
		}
		samples = append(samples, d)
		afterReply = append(afterReply, d-reply)
		fmt.Fprintf(os.Stderr, "  run %2d: %s (BBS answered the start after %s)\n", i, r(d), r(reply))
	}
	fmt.Printf("RUNNING (StartActualLRP through the BBS) -> router.register on NATS, %d runs:\n", len(samples))
	summary("from the start request", samples)
	summary("from the BBS's answer", afterReply)
	return nil
}

func summary(what string, samples []time.Duration) {
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	fmt.Printf("  %-24s min %s  p50 %s  p90 %s  p99 %s  max %s\n", what, r(samples[0]), r(pct(samples, 50)),
		r(pct(samples, 90)), r(pct(samples, 99)), r(samples[len(samples)-1]))
}

func r(d time.Duration) time.Duration { return d.Round(10 * time.Microsecond) }

// pct is the nearest-rank percentile of sorted samples.
func pct(sorted []time.Duration, p int) time.Duration {
	i := (p*len(sorted) + 99) / 100
	return sorted[max(0, min(len(sorted)-1, i-1))]
}

// timeOne desires an app, claims its instance, and times StartActualLRP
// until the route-emitter's registration for it appears on NATS; it also
// returns how long the BBS took to answer the start.
func timeOne(ctx context.Context, bbs *bbsclient.Client, registers <-chan *nats.Msg, guid string) (total, reply time.Duration, err error) {
	host := guid + ".bench.test"
	routes, _ := json.Marshal([]map[string]any{{"hostnames": []string{host}, "port": 8080}})
	desired := &models.DesiredLRP{
		ProcessGuid: guid, Domain: "bench", Instances: 1, RootFs: "preloaded:cflinuxfs4",
		MemoryMb: 64, DiskMb: 64, LogGuid: guid, Ports: []uint32{8080},
		Action:     &models.Action{RunAction: &models.RunAction{Path: "/bin/true", User: "vcap"}},
		Routes:     &models.ProtoRoutes{Routes: map[string][]byte{"cf-router": routes}},
		MetricTags: map[string]*models.MetricTagValue{"source_id": {Static: guid}},
	}
	if err := bbs.DesireLRP(ctx, desired); err != nil {
		return 0, 0, err
	}
	key := &models.ActualLRPKey{ProcessGuid: guid, Index: 0, Domain: "bench"}
	ik := &models.ActualLRPInstanceKey{InstanceGuid: guid + "-ig", CellId: "bench-cell"}
	deadline := time.Now().Add(10 * time.Second)
	for {
		err = bbs.ClaimActualLRP(ctx, key, ik)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			return 0, 0, fmt.Errorf("claiming: %w", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Let the route-emitter see the desire and the claim before timing.
	time.Sleep(200 * time.Millisecond)
	netInfo := &models.ActualLRPNetInfo{Address: "127.0.0.1", InstanceAddress: "10.255.0.1",
		Ports: []*models.PortMapping{{ContainerPort: 8080, HostPort: 61000}}}
	begin := time.Now()
	if err := bbs.StartActualLRP(ctx, key, ik, netInfo, nil, nil, true, "z1"); err != nil {
		return 0, 0, err
	}
	reply = time.Since(begin)
	timeout := time.After(10 * time.Second)
	for {
		select {
		case m := <-registers:
			var msg struct {
				URIs []string `json:"uris"`
			}
			if json.Unmarshal(m.Data, &msg) == nil && len(msg.URIs) == 1 && msg.URIs[0] == host {
				return time.Since(begin), reply, nil
			}
		case <-timeout:
			return 0, 0, fmt.Errorf("no router.register for %s within 10s", host)
		}
	}
}
