// Command bbs-benchmark measures the BBS SQL store (db/bbsdb) directly: it
// seeds desired LRPs with running actual LRPs spread over cells, then times
// the reads and the convergence pass the BBS performs, and prints a table.
//
//	bbs-benchmark -driver mysql -dsn 'root@tcp(127.0.0.1:3306)/' -desired 2000 -instances 10 -cells 50
//
// With a DSN naming no database (MySQL) or the admin database (Postgres) it
// creates a scratch database and drops it afterwards.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/db/bbsdb"
	"github.com/godiego/diego/db/bbsdb/encryption"
	"github.com/godiego/diego/proto/models"
)

func main() {
	driver := flag.String("driver", "mysql", "database driver: mysql, postgres or sqlite")
	dsn := flag.String("dsn", "root@tcp(127.0.0.1:3306)/", "connection string; a MySQL DSN without a database gets a scratch one")
	desired := flag.Int("desired", 2000, "desired LRPs to seed")
	instances := flag.Int("instances", 10, "instances per desired LRP")
	cells := flag.Int("cells", 50, "cells to spread instances over")
	workers := flag.Int("workers", 16, "concurrent writers while seeding")
	flag.Parse()
	if err := run(*driver, *dsn, *desired, *instances, *cells, *workers); err != nil {
		fmt.Fprintln(os.Stderr, "bbs-benchmark:", err)
		os.Exit(1)
	}
}

func run(driver, dsn string, nDesired, nInstances, nCells, workers int) error {
	ctx := context.Background()
	d, cleanup, err := openScratch(ctx, driver, dsn, workers)
	if err != nil {
		return err
	}
	defer cleanup()
	ring, err := encryption.NewKeyRing(encryption.Config{ActiveKeyLabel: "bench", EncryptionKeys: map[string]string{"bench": "benchmark passphrase"}})
	if err != nil {
		return err
	}
	store := bbsdb.New(d, encryption.NewEncoder(ring, nil), nil, nil)
	if err := store.Migrate(ctx); err != nil {
		return err
	}
	if err := store.UpsertDomain(ctx, "bench", 0); err != nil {
		return err
	}
	cellIDs := make([]string, nCells)
	cellSet := bbsdb.CellSet{}
	for i := range cellIDs {
		cellIDs[i] = fmt.Sprintf("cell-%03d", i)
		cellSet[cellIDs[i]] = &models.CellPresence{CellId: cellIDs[i], RepAddress: "http://" + cellIDs[i]}
	}

	var rows [][2]string
	add := func(name, value string) { rows = append(rows, [2]string{name, value}) }
	add("backend", fmt.Sprintf("%s, %d desired x %d instances = %d actual LRPs on %d cells", driver, nDesired, nInstances, nDesired*nInstances, nCells))

	start := time.Now()
	err = parallel(nDesired, workers, func(i int) error { return store.DesireLRP(ctx, benchDesired(i, nInstances)) })
	if err != nil {
		return fmt.Errorf("desiring: %w", err)
	}
	el := time.Since(start)
	add("desire", fmt.Sprintf("%d in %v (%.0f/s)", nDesired, el.Round(time.Millisecond), float64(nDesired)/el.Seconds()))

	total := nDesired * nInstances
	start = time.Now()
	err = parallel(total, workers, func(i int) error {
		key := &models.ActualLRPKey{ProcessGuid: fmt.Sprintf("pg-%06d", i/nInstances), Index: int32(i % nInstances), Domain: "bench"}
		if _, err := store.CreateUnclaimedActualLRP(ctx, key); err != nil {
			return err
		}
		ik := &models.ActualLRPInstanceKey{InstanceGuid: fmt.Sprintf("ig-%d", i), CellId: cellIDs[i%nCells]}
		if _, _, err := store.ClaimActualLRP(ctx, key.ProcessGuid, key.Index, ik); err != nil {
			return err
		}
		net := &models.ActualLRPNetInfo{Address: "10.0.0.1", InstanceAddress: "10.255.0.1", Ports: []*models.PortMapping{{ContainerPort: 8080, HostPort: uint32(61000 + i%1000)}}}
		_, _, err := store.StartActualLRP(ctx, key, ik, net, []*models.ActualLRPInternalRoute{{Hostname: "app.apps.internal"}}, map[string]string{"app": key.ProcessGuid}, true, "z1")
		return err
	})
	if err != nil {
		return fmt.Errorf("seeding actual LRPs: %w", err)
	}
	el = time.Since(start)
	add("create+claim+start", fmt.Sprintf("%d in %v (%.0f/s, 3 transactions each)", total, el.Round(time.Millisecond), float64(total)/el.Seconds()))

	var perCell []time.Duration
	for _, c := range cellIDs {
		t0 := time.Now()
		lrps, err := store.ActualLRPs(ctx, bbsdb.ActualLRPFilter{CellID: c})
		if err != nil {
			return err
		}
		perCell = append(perCell, time.Since(t0))
		_ = lrps
	}
	sort.Slice(perCell, func(i, j int) bool { return perCell[i] < perCell[j] })
	add("fetch per cell", fmt.Sprintf("p50 %v  p99 %v  (%d LRPs/cell)", pct(perCell, 50), pct(perCell, 99), total/nCells))

	t0 := time.Now()
	all, err := store.ActualLRPs(ctx, bbsdb.ActualLRPFilter{})
	if err != nil {
		return err
	}
	add("fetch all actual LRPs", fmt.Sprintf("%v (%d rows)", time.Since(t0).Round(time.Millisecond), len(all)))

	t0 = time.Now()
	infos, err := store.DesiredLRPSchedulingInfos(ctx, bbsdb.DesiredLRPFilter{})
	if err != nil {
		return err
	}
	add("all scheduling infos", fmt.Sprintf("%v (%d rows)", time.Since(t0).Round(time.Millisecond), len(infos)))

	t0 = time.Now()
	desiredAll, err := store.DesiredLRPs(ctx, bbsdb.DesiredLRPFilter{})
	if err != nil {
		return err
	}
	add("all desired LRPs", fmt.Sprintf("%v (%d rows)", time.Since(t0).Round(time.Millisecond), len(desiredAll)))

	t0 = time.Now()
	res, err := store.ConvergeLRPs(ctx, cellSet)
	if err != nil {
		return err
	}
	add("LRP convergence, first pass", fmt.Sprintf("%v (steady state, %d changes, blobs decrypted)", time.Since(t0).Round(time.Millisecond), len(res.Changes)))

	t0 = time.Now()
	res, err = store.ConvergeLRPs(ctx, cellSet)
	if err != nil {
		return err
	}
	add("LRP convergence, next pass", fmt.Sprintf("%v (steady state, %d changes, blobs cached)", time.Since(t0).Round(time.Millisecond), len(res.Changes)))

	lost := bbsdb.CellSet{}
	for i, c := range cellIDs {
		if i != 0 {
			lost[c] = cellSet[c]
		}
	}
	t0 = time.Now()
	res, err = store.ConvergeLRPs(ctx, lost)
	if err != nil {
		return err
	}
	add("LRP convergence, 1 cell lost", fmt.Sprintf("%v (%d made suspect, %d changes)", time.Since(t0).Round(time.Millisecond), len(res.KeysWithMissingCells), len(res.Changes)))

	width := 0
	for _, r := range rows {
		width = max(width, len(r[0]))
	}
	fmt.Println(strings.Repeat("-", width+50))
	for _, r := range rows {
		fmt.Printf("%-*s  %s\n", width, r[0], r[1])
	}
	fmt.Println(strings.Repeat("-", width+50))
	return nil
}

func benchDesired(i, instances int) *models.DesiredLRP {
	guid := fmt.Sprintf("pg-%06d", i)
	return &models.DesiredLRP{
		ProcessGuid: guid, Domain: "bench", RootFs: "preloaded:cflinuxfs4", Instances: int32(instances),
		LogGuid: guid, MemoryMb: 256, DiskMb: 1024, MaxPids: 1024, Ports: []uint32{8080},
		Action: models.WrapAction(&models.RunAction{Path: "/home/vcap/app/start", Args: []string{"--port", "8080"}, User: "vcap",
			Env: []*models.EnvironmentVariable{{Name: "PORT", Value: "8080"}, {Name: "VCAP_APPLICATION", Value: strings.Repeat("x", 512)}}}),
		Routes: &models.ProtoRoutes{Routes: map[string][]byte{
			"cf-router":       []byte(fmt.Sprintf(`[{"hostnames":["%s.example.com"],"port":8080}]`, guid)),
			"internal-router": []byte(`[{"hostname":"app.apps.internal"}]`),
		}},
		MetricTags: map[string]*models.MetricTagValue{"app": {Static: guid}},
	}
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

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	if i > 0 {
		i--
	}
	return sorted[min(i, len(sorted)-1)].Round(10 * time.Microsecond)
}

// openScratch opens the database; for MySQL without a database name in
// the DSN it creates one and drops it in cleanup.
func openScratch(ctx context.Context, driver, dsn string, workers int) (*db.DB, func(), error) {
	cfg := db.Config{Driver: driver, DSN: dsn, MaxOpenConns: workers + 4}
	if driver != "mysql" || !strings.HasSuffix(dsn, "/") {
		d, err := db.Open(ctx, cfg)
		return d, func() {}, err
	}
	admin, err := db.Open(ctx, db.Config{Driver: driver, DSN: dsn, MaxOpenConns: 1})
	if err != nil {
		return nil, nil, err
	}
	name := fmt.Sprintf("bbs_benchmark_%d", time.Now().UnixNano())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return nil, nil, err
	}
	cfg.DSN = dsn + name
	d, err := db.Open(ctx, cfg)
	cleanup := func() {
		if d != nil {
			d.Close()
		}
		_, _ = admin.Exec(context.Background(), "DROP DATABASE "+name)
		admin.Close()
	}
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return d, cleanup, nil
}
