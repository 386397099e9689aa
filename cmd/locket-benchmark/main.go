// Command locket-benchmark measures a Locket server: it seeds presences
// (1,000 by default, like a large foundation's cells and more), then has N
// concurrent clients refresh them with Lock and list them with FetchAll,
// and prints requests/s, p50 and p99 for each. Without -locket-address it
// starts bin/locket itself on a fresh MySQL database (or -driver) and
// removes both afterwards.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/internal/certs"
	"github.com/godiego/diego/locket/client"
	"github.com/godiego/diego/proto/locketmodels"
)

type options struct {
	locketBin  string
	address    string
	caFile     string
	certFile   string
	keyFile    string
	driver     string
	adminDSN   string
	presences  int
	clients    int
	duration   time.Duration
	ttlSeconds int64
}

func main() {
	var o options
	flag.StringVar(&o.locketBin, "locket-bin", "bin/locket", "locket binary to start when -locket-address is not given")
	flag.StringVar(&o.address, "locket-address", "", "benchmark this running locket instead of starting one")
	flag.StringVar(&o.caFile, "ca-file", "", "CA certificate (with -locket-address)")
	flag.StringVar(&o.certFile, "cert-file", "", "client certificate (with -locket-address)")
	flag.StringVar(&o.keyFile, "key-file", "", "client key (with -locket-address)")
	flag.StringVar(&o.driver, "driver", "mysql", "database for the started locket: mysql, postgres or sqlite")
	flag.StringVar(&o.adminDSN, "admin-dsn", "", "server connection string used to create the benchmark database (default: local root/postgres)")
	flag.IntVar(&o.presences, "presences", 1000, "presences to seed")
	flag.IntVar(&o.clients, "clients", 20, "concurrent clients")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "length of each measured phase")
	flag.Int64Var(&o.ttlSeconds, "ttl", 60, "TTL of the seeded presences, seconds")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "locket-benchmark:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	ctx := context.Background()
	cfg := client.Config{LocketAddress: o.address, LocketCACertFile: o.caFile, LocketClientCertFile: o.certFile, LocketClientKeyFile: o.keyFile}
	if o.address == "" {
		started, stop, err := startLocket(ctx, o)
		if err != nil {
			return err
		}
		defer stop()
		cfg = started
	}

	conns := make([]*client.Client, o.clients)
	for i := range conns {
		c, err := client.New(ctx, cfg)
		if err != nil {
			return err
		}
		defer c.Close()
		conns[i] = c
	}

	keys := make([]*locketmodels.Resource, o.presences)
	for i := range keys {
		keys[i] = &locketmodels.Resource{
			Key:      fmt.Sprintf("bench-cell-%04d", i),
			Owner:    fmt.Sprintf("bench-rep-%04d", i),
			Value:    fmt.Sprintf(`{"cell_id":"bench-cell-%04d","rep_address":"http://10.0.%d.%d:1800","zone":"z1"}`, i, i/250, i%250),
			TypeCode: locketmodels.TypeCode_PRESENCE,
		}
	}
	seedStart := time.Now()
	seed := measure(conns, 0, func(c *client.Client, worker, n int) error {
		i := worker + n*len(conns)
		if i >= len(keys) {
			return errDone
		}
		_, err := c.Lock(ctx, &locketmodels.LockRequest{Resource: keys[i], TtlInSeconds: o.ttlSeconds})
		return err
	})
	fmt.Printf("seeded %d presences in %s (%d errors)\n", o.presences, time.Since(seedStart).Round(time.Millisecond), seed.errors)
	if seed.firstErr != nil {
		fmt.Printf("  first error: %v\n", seed.firstErr)
	}
	fmt.Println()

	fmt.Printf("%-22s %8s %10s %9s %9s %9s %7s\n", "phase", "clients", "requests", "req/s", "p50", "p99", "errors")
	lock := measure(conns, o.duration, func(c *client.Client, worker, n int) error {
		r := keys[rand.IntN(len(keys))]
		_, err := c.Lock(ctx, &locketmodels.LockRequest{Resource: r, TtlInSeconds: o.ttlSeconds})
		return err
	})
	lock.print("Lock (refresh)", o.clients)
	fetchAll := measure(conns, o.duration, func(c *client.Client, worker, n int) error {
		resp, err := c.FetchAll(ctx, &locketmodels.FetchAllRequest{TypeCode: locketmodels.TypeCode_PRESENCE})
		if err == nil && len(resp.Resources) < o.presences {
			return fmt.Errorf("FetchAll returned %d presences, want %d", len(resp.Resources), o.presences)
		}
		return err
	})
	fetchAll.print(fmt.Sprintf("FetchAll (%d)", o.presences), o.clients)
	return nil
}

var errDone = fmt.Errorf("done")

type result struct {
	latencies []time.Duration
	errors    int
	firstErr  error
	elapsed   time.Duration
}

// measure runs op on every connection concurrently until duration passes
// (or, with duration 0, until op returns errDone) and collects latencies.
func measure(conns []*client.Client, duration time.Duration, op func(c *client.Client, worker, n int) error) result {
	var mu sync.Mutex
	var res result
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(duration)
	for w, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []time.Duration
			var errs int
			var first error
			for n := 0; duration == 0 || time.Now().Before(deadline); n++ {
				t0 := time.Now()
				err := op(c, w, n)
				if err == errDone {
					break
				}
				local = append(local, time.Since(t0))
				if err != nil {
					errs++
					if first == nil {
						first = err
					}
				}
			}
			mu.Lock()
			res.latencies = append(res.latencies, local...)
			res.errors += errs
			if res.firstErr == nil {
				res.firstErr = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

func (r result) print(phase string, clients int) {
	sort.Slice(r.latencies, func(i, j int) bool { return r.latencies[i] < r.latencies[j] })
	pct := func(p float64) time.Duration {
		if len(r.latencies) == 0 {
			return 0
		}
		return r.latencies[int(p*float64(len(r.latencies)-1))]
	}
	rate := float64(len(r.latencies)) / r.elapsed.Seconds()
	fmt.Printf("%-22s %8d %10d %9.0f %9s %9s %7d\n", phase, clients, len(r.latencies), rate,
		pct(0.50).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), r.errors)
	if r.firstErr != nil {
		fmt.Printf("  first error: %v\n", r.firstErr)
	}
}

// startLocket creates a database and certificates, starts the locket
// binary on a free port and returns a client config for it and a function
// that stops it and drops the database.
func startLocket(ctx context.Context, o options) (client.Config, func(), error) {
	dir, err := os.MkdirTemp("", "locket-benchmark")
	if err != nil {
		return client.Config{}, nil, err
	}
	cleanups := []func(){func() { os.RemoveAll(dir) }}
	cleanup := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	fail := func(err error) (client.Config, func(), error) { cleanup(); return client.Config{}, nil, err }

	paths, err := certs.Generate(filepath.Join(dir, "certs"), nil)
	if err != nil {
		return fail(err)
	}
	dsn, drop, err := createDatabase(ctx, o, dir)
	if err != nil {
		return fail(err)
	}
	cleanups = append(cleanups, drop)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(err)
	}
	addr := l.Addr().String()
	l.Close()
	cfgPath := filepath.Join(dir, "locket.json")
	raw, _ := json.Marshal(map[string]any{
		"ca_file": paths.CACert, "cert_file": paths.ServerCert, "key_file": paths.ServerKey,
		"listen_address": addr, "database_driver": o.driver, "database_connection_string": dsn,
		"max_open_database_connections": 200, "log_level": "error",
	})
	if err := os.WriteFile(cfgPath, raw, 0o600); err != nil {
		return fail(err)
	}
	logFile, err := os.Create(filepath.Join(dir, "locket.log"))
	if err != nil {
		return fail(err)
	}
	cmd := exec.Command(o.locketBin, "-config", cfgPath)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return fail(fmt.Errorf("starting %s: %w", o.locketBin, err))
	}
	cleanups = append(cleanups, func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		logFile.Close()
	})
	for deadline := time.Now().Add(30 * time.Second); ; {
		if conn, err := net.Dial("tcp", addr); err == nil {
			conn.Close()
			break
		}
		if time.Now().After(deadline) {
			return fail(fmt.Errorf("locket did not listen on %s within 30 s; see %s", addr, logFile.Name()))
		}
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Printf("locket %s on %s (%s)\n", o.locketBin, addr, o.driver)
	return client.Config{LocketAddress: addr, LocketCACertFile: paths.CACert,
		LocketClientCertFile: paths.ClientCert, LocketClientKeyFile: paths.ClientKey}, cleanup, nil
}

func createDatabase(ctx context.Context, o options, dir string) (string, func(), error) {
	name := fmt.Sprintf("locket_bench_%d", time.Now().UnixNano())
	var admin db.Config
	var dsn, dropStmt string
	switch o.driver {
	case "sqlite":
		return filepath.Join(dir, "locket.db"), func() {}, nil
	case "mysql":
		base := o.adminDSN
		if base == "" {
			base = "root@tcp(127.0.0.1:3306)/"
		}
		admin = db.Config{Driver: "mysql", DSN: base}
		dsn, dropStmt = base+name, "DROP DATABASE IF EXISTS "+name
	case "postgres":
		base := o.adminDSN
		if base == "" {
			base = "postgres://postgres@127.0.0.1:5432/"
		}
		admin = db.Config{Driver: "postgres", DSN: base + "postgres?sslmode=disable"}
		dsn, dropStmt = base+name+"?sslmode=disable", "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"
	default:
		return "", nil, fmt.Errorf("unknown -driver %q", o.driver)
	}
	conn, err := db.Open(ctx, admin)
	if err != nil {
		return "", nil, err
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		conn.Close()
		return "", nil, err
	}
	return dsn, func() {
		if _, err := conn.Exec(context.Background(), dropStmt); err != nil {
			fmt.Fprintln(os.Stderr, "dropping benchmark database:", err)
		}
		conn.Close()
	}, nil
}
