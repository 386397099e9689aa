// Command bbs-benchmark is our counterpart of upstream's benchmarkbbs: it
// seeds desired LRPs with RUNNING actual LRPs spread over simulated cells
// in a fresh MySQL database, starts the real bin/locket and bin/bbs on it,
// and measures the BBS through its API with our client: each cell's rep
// bulk fetch, the fetch-all reads of the route-emitter and Cloud
// Controller sync, one convergence pass, and desire and claim+start
// throughput with concurrent clients. It prints a markdown table with
// upstream's reference figures beside ours.
//
//	go build -o bin/ ./cmd/bbs ./cmd/locket ./cmd/bbs-benchmark
//	bin/bbs-benchmark -desired 2000 -instances 10 -cells 1000
//
// Seeding goes around the API (250,000 rows would take too long through
// it): the first rows are written by the store with the BBS's encryption
// key and copied in batched INSERTs. The BBS starts after seeding, so its
// start (migrations, index load) is reported too.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/db/bbsdb"
	"github.com/godiego/diego/db/bbsdb/encryption"
)

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "bin", "directory holding the bbs and locket binaries")
	flag.StringVar(&o.dsn, "dsn", "root@tcp(127.0.0.1:3306)/", "MySQL server DSN without a database: a scratch database is created and dropped")
	flag.IntVar(&o.desired, "desired", 2000, "desired LRPs to seed")
	flag.IntVar(&o.instances, "instances", 10, "instances per desired LRP")
	flag.IntVar(&o.cells, "cells", 1000, "cells to spread instances over")
	flag.IntVar(&o.clients, "clients", 8, "concurrent API clients for the write measurements")
	flag.IntVar(&o.writes, "writes", 1000, "desired LRPs (of one instance) to desire, then claim and start, for the write measurements")
	flag.IntVar(&o.repeats, "repeats", 3, "repetitions of each fetch-all read (the median is reported)")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the bbs, taken from its debug server during the reads, to this file")
	flag.StringVar(&o.convergeProfile, "convergeprofile", "", "write a CPU profile of the bbs taken during the second convergence pass to this file")
	flag.StringVar(&o.writeProfile, "writeprofile", "", "write a CPU profile of the bbs taken during the write measurements to this file")
	flag.Parse()
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "bbs-benchmark:", err)
		os.Exit(1)
	}
}

type options struct {
	bin, dsn                                   string
	desired, instances, cells, clients, writes int
	repeats                                    int
	cpuProfile, writeProfile, convergeProfile  string
}

func run(ctx context.Context, o options) error {
	admin, err := db.Open(ctx, db.Config{Driver: "mysql", DSN: o.dsn, MaxOpenConns: 1})
	if err != nil {
		return err
	}
	defer admin.Close()
	name := fmt.Sprintf("bbs_benchmark_%d", time.Now().UnixNano())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return err
	}
	defer func() { _, _ = admin.Exec(context.Background(), "DROP DATABASE "+name) }()
	dsn := o.dsn + name

	d, err := db.Open(ctx, db.Config{Driver: "mysql", DSN: dsn, MaxOpenConns: 8})
	if err != nil {
		return err
	}
	defer d.Close()
	ring, err := encryption.NewKeyRing(encryption.Config{ActiveKeyLabel: encryptionLabel, EncryptionKeys: map[string]string{encryptionLabel: encryptionPassphrase}})
	if err != nil {
		return err
	}
	store := bbsdb.New(d, encryption.NewEncoder(ring, nil), nil, nil)
	if err := store.Migrate(ctx); err != nil {
		return err
	}
	if err := store.SetEncryptionKeyLabel(ctx, encryptionLabel); err != nil {
		return err
	}
	cellIDs := make([]string, o.cells)
	for i := range cellIDs {
		cellIDs[i] = fmt.Sprintf("cell-%04d", i)
	}
	r := &report{opts: o}
	start := time.Now()
	if err := seed(ctx, store, d.SQL(), o.desired, o.instances, cellIDs); err != nil {
		return err
	}
	r.seeded = time.Since(start)

	start = time.Now()
	e, err := startEnv(ctx, o.bin, dsn, nil)
	if err != nil {
		return err
	}
	defer e.stop()
	r.bbsStart = time.Since(start)
	// Two more presences than cells with instances: dropping one triggers
	// a convergence pass that finds nothing to do.
	if err := e.registerCells(ctx, append(cellIDs, "cell-spare", "cell-spare-2")); err != nil {
		return fmt.Errorf("registering cells: %w", err)
	}
	if err := measure(ctx, e, r, cellIDs); err != nil {
		return err
	}
	r.print(os.Stdout)
	return nil
}

// parallel runs fn(0..n-1) on workers goroutines and returns the first error.
func parallel(n, workers int, fn func(i int) error) error {
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
