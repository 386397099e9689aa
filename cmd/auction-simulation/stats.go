package main

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"
)

// spread is the mean, standard deviation, min and max of a sample.
type spread struct{ mean, std, min, max float64 }

func spreadOf(xs []float64) spread {
	if len(xs) == 0 {
		return spread{}
	}
	s := spread{min: math.Inf(1), max: math.Inf(-1)}
	for _, x := range xs {
		s.mean += x
		s.min, s.max = math.Min(s.min, x), math.Max(s.max, x)
	}
	s.mean /= float64(len(xs))
	for _, x := range xs {
		s.std += (x - s.mean) * (x - s.mean)
	}
	s.std = math.Sqrt(s.std / float64(len(xs)))
	return s
}

// summaryRow is one run's line in the closing summary table.
type summaryRow struct {
	mode                     string
	cells, instances, rounds int
	coreWall, coreCPU, e2e   float64
	cellStd, cellStdPct      float64
	zoneStd                  []string
	zoneMeansStd             float64
}

// summary prints the runs side by side.
func summary(w io.Writer, rows []summaryRow) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "mode\tcells\tinstances\trounds\tplace/s (wall)\tplace/s (CPU)\tend-to-end/s\tmem std dev per cell\tper-zone mem std dev\tstd dev of zone means\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.0f\t%.0f\t%.0f\t%.0f MB (%.2f%%)\t%s\t%.0f MB\t\n",
			r.mode, r.cells, r.instances, r.rounds, r.coreWall, r.coreCPU, r.e2e, r.cellStd, r.cellStdPct, strings.Join(r.zoneStd, " / "), r.zoneMeansStd)
	}
	tw.Flush()
}

// report prints one run's details and returns its summary line.
func report(w io.Writer, r result) summaryRow {
	s := r.scenario
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	mode := "direct (placement core)"
	row := summaryRow{mode: "direct", cells: s.cells, instances: s.instances, rounds: r.rounds,
		coreWall: float64(r.placed) / r.placeTime.Seconds(), coreCPU: float64(r.placed) / r.placeCPU.Seconds(),
		e2e: float64(r.placed) / r.wallTime.Seconds()}
	if s.http {
		mode = "HTTP (rep API over mTLS, loopback)"
		row.mode = "http"
	}
	fmt.Fprintf(tw, "== %s: %s\n", s.name, mode)
	fmt.Fprintf(tw, "cells\t%d in %d zones (%d MB, %d MB disk, %d containers each)\n", s.cells, s.zones, s.capacity.MemoryMB, s.capacity.DiskMB, s.capacity.Containers)
	fmt.Fprintf(tw, "workload\t%d instances, 1-%d per LRP, %v MB\n", s.instances, s.maxPerLRP, s.sizesMB)
	fmt.Fprintf(tw, "placed / unplaced\t%d / %d\n", r.placed, r.failed)
	fmt.Fprintf(tw, "rounds\t%d (batch %d)\n", r.rounds, s.batch)
	fmt.Fprintf(tw, "placement core\t%.0f placements/s wall (%v in Place), %.0f per CPU-second (%v CPU)\n",
		float64(r.placed)/r.placeTime.Seconds(), r.placeTime.Round(1e6), float64(r.placed)/r.placeCPU.Seconds(), r.placeCPU.Round(1e6))
	fmt.Fprintf(tw, "end to end\t%.0f placements/s (%v incl. state fetch and commit)\n", float64(r.placed)/r.wallTime.Seconds(), r.wallTime.Round(1e6))

	var used []float64
	zoneUsed := map[string][]float64{}
	zoneInstances := map[string]int{}
	perProcZone := map[string]map[string]int{}
	for _, c := range r.cells {
		st := c.State()
		u := float64(st.TotalResources.MemoryMB - st.AvailableResources.MemoryMB)
		used = append(used, u)
		zoneUsed[st.Zone] = append(zoneUsed[st.Zone], u)
		zoneInstances[st.Zone] += len(st.LRPs)
		for _, l := range st.LRPs {
			if perProcZone[l.ProcessGUID] == nil {
				perProcZone[l.ProcessGUID] = map[string]int{}
			}
			perProcZone[l.ProcessGUID][st.Zone]++
		}
	}
	all := spreadOf(used)
	fmt.Fprintf(tw, "memory used per cell\tmean %.0f MB, std dev %.1f MB (%.2f%% of capacity), min %.0f, max %.0f\n",
		all.mean, all.std, 100*all.std/float64(s.capacity.MemoryMB), all.min, all.max)
	zones := make([]string, 0, len(zoneUsed))
	for z := range zoneUsed {
		zones = append(zones, z)
	}
	sort.Strings(zones)
	var zoneTotals, zoneMeans []float64
	for _, z := range zones {
		sp := spreadOf(zoneUsed[z])
		total := sp.mean * float64(len(zoneUsed[z]))
		zoneTotals = append(zoneTotals, total)
		zoneMeans = append(zoneMeans, sp.mean)
		row.zoneStd = append(row.zoneStd, fmt.Sprintf("%.0f", sp.std))
		fmt.Fprintf(tw, "  zone %s\t%d cells, %d instances, memory mean %.0f MB, std dev %.1f MB\n", z, len(zoneUsed[z]), zoneInstances[z], sp.mean, sp.std)
	}
	zt, zm := spreadOf(zoneTotals), spreadOf(zoneMeans)
	fmt.Fprintf(tw, "memory used per zone\ttotals std dev %.1f MB of %.0f MB mean; per-cell zone means std dev %.1f MB\n", zt.std, zt.mean, zm.std)
	balanced := 0
	for _, byZone := range perProcZone {
		lo, hi := math.MaxInt, 0
		for _, z := range zones {
			lo, hi = min(lo, byZone[z]), max(hi, byZone[z])
		}
		if hi-lo <= 1 {
			balanced++
		}
	}
	fmt.Fprintf(tw, "LRPs zone-balanced (±1)\t%d of %d\n", balanced, len(perProcZone))
	if r.failed > 0 {
		var rs []string
		for reason, n := range r.lastReasons {
			rs = append(rs, fmt.Sprintf("%d× %q", n, reason))
		}
		sort.Strings(rs)
		fmt.Fprintf(tw, "last round's failures\t%s\n", strings.Join(rs, "; "))
	}
	tw.Flush()
	fmt.Fprintln(w)
	row.cellStd, row.cellStdPct = all.std, 100*all.std/float64(s.capacity.MemoryMB)
	row.zoneMeansStd = zm.std
	return row
}
