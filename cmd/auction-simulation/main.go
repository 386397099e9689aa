// Command auction-simulation places a large synthetic workload with the auctioneer's
// placement core and reports throughput and balance. In "direct" mode the cells are
// in-process; in "http" mode each cell serves the rep API (GET /state, POST /work) over mTLS
// on loopback and the auction talks to it through rep/client, as the auctioneer does.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"

	"github.com/godiego/diego/auctioneer/placement"
	rep "github.com/godiego/diego/rep/client"
)

func main() {
	var (
		mode          = flag.String("mode", "both", "direct, http or both")
		cells         = flag.Int("cells", 1000, "cells in direct mode")
		instances     = flag.Int("instances", 250000, "LRP instances in direct mode")
		httpCells     = flag.Int("http-cells", 100, "cells in http mode")
		httpInstances = flag.Int("http-instances", 10000, "LRP instances in http mode")
		zones         = flag.Int("zones", 3, "availability zones")
		batch         = flag.Int("batch", 5000, "auctions per round")
		maxRounds     = flag.Int("max-rounds", 1000, "give up after this many rounds")
		memMB         = flag.Int("cell-memory-mb", 256*1024, "memory per cell")
		diskMB        = flag.Int("cell-disk-mb", 512*1024, "disk per cell")
		containers    = flag.Int("cell-containers", 400, "containers per cell")
		sizes         = flag.String("sizes-mb", "128,256,512,1024,2048", "LRP memory sizes, comma separated")
		lrpDiskMB     = flag.Int("lrp-disk-mb", 1024, "disk per instance")
		perLRP        = flag.Int("max-instances-per-lrp", 10, "instances per LRP are 1..this")
		seed          = flag.Uint64("seed", 1, "workload seed")
		weight        = flag.Float64("starting-container-weight", 0.25, "starting_container_weight")
		binPack       = flag.Float64("bin-pack-first-fit-weight", 0, "bin_pack_first_fit_weight")
		maxInflight   = flag.Int("starting-container-count-maximum", 0, "starting_container_count_maximum (0: unlimited)")
		workers       = flag.Int("workers", 64, "parallel rep requests in http mode")
		cpuProfile    = flag.String("cpuprofile", "", "write a CPU profile to this file")
	)
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "auction-simulation:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}

	sizeList, err := parseSizes(*sizes)
	if err != nil {
		fmt.Fprintln(os.Stderr, "auction-simulation:", err)
		os.Exit(2)
	}
	base := scenario{
		zones:     *zones,
		batch:     *batch,
		maxRounds: *maxRounds,
		capacity:  rep.Resources{MemoryMB: int32(*memMB), DiskMB: int32(*diskMB), Containers: *containers},
		sizesMB:   sizeList,
		diskMB:    int32(*lrpDiskMB),
		maxPerLRP: *perLRP,
		seed:      *seed,
		workers:   *workers,
		opts: placement.Options{
			StartingContainerWeight:       *weight,
			BinPackFirstFitWeight:         *binPack,
			StartingContainerCountMaximum: *maxInflight,
		},
	}
	ctx := context.Background()
	var rows []summaryRow

	if *mode == "direct" || *mode == "both" {
		s := base
		s.name, s.cells, s.instances = "direct", *cells, *instances
		cs := makeCells(s)
		rows = append(rows, report(os.Stdout, run(ctx, s, cs, directCluster{cs})))
	}
	if *mode == "http" || *mode == "both" {
		s := base
		s.name, s.cells, s.instances, s.http = "http", *httpCells, *httpInstances, true
		s.batch = min(s.batch, max(1, s.instances/10))
		cs := makeCells(s)
		hc, err := startHTTPCluster(cs, s.workers)
		if err != nil {
			fmt.Fprintln(os.Stderr, "auction-simulation:", err)
			os.Exit(1)
		}
		rows = append(rows, report(os.Stdout, run(ctx, s, cs, hc)))
		hc.Close()
	}
	summary(os.Stdout, rows)
}

func parseSizes(s string) ([]int32, error) {
	var out []int32
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("bad size %q in -sizes-mb", f)
		}
		out = append(out, int32(n))
	}
	return out, nil
}
