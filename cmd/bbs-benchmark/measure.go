package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/proto/models"
)

// report holds one run's figures.
type report struct {
	opts                                        options
	seeded, bbsStart                            time.Duration
	loadBefore, loadAfter                       string
	cellP50, cellP99                            time.Duration
	perCell                                     int
	allActual, allSched, allDesired, allRouting time.Duration
	nActual, nSched, nDesired                   int
	convergence, convergence2                   time.Duration
	desireRate, claimStartRate                  float64
}

func measure(ctx context.Context, e *env, r *report, cellIDs []string) error {
	r.loadBefore = loadAverage()
	var profile chan error
	if r.opts.cpuProfile != "" {
		profile = make(chan error, 1)
		go func() { profile <- fetchProfile(e.debugAddr, r.opts.cpuProfile, 10) }()
	}

	// Rep bulk fetch: every cell's rep asks for its instances, one after another.
	lat := make([]time.Duration, 0, len(cellIDs))
	for _, id := range cellIDs {
		t0 := time.Now()
		lrps, err := e.bbs.ActualLRPs(ctx, client.ActualLRPFilter{CellID: id})
		if err != nil {
			return fmt.Errorf("fetching cell %s: %w", id, err)
		}
		lat = append(lat, time.Since(t0))
		r.perCell = max(r.perCell, len(lrps))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	r.cellP50, r.cellP99 = pct(lat, 50), pct(lat, 99)

	var err error
	if r.allActual, r.nActual, err = median(r.opts.repeats, func() (int, error) {
		l, err := e.bbs.ActualLRPs(ctx, client.ActualLRPFilter{})
		return len(l), err
	}); err != nil {
		return err
	}
	if r.allSched, r.nSched, err = median(r.opts.repeats, func() (int, error) {
		l, err := e.bbs.DesiredLRPSchedulingInfos(ctx, client.DesiredLRPFilter{})
		return len(l), err
	}); err != nil {
		return err
	}
	if r.allRouting, _, err = median(r.opts.repeats, func() (int, error) {
		l, err := e.bbs.DesiredLRPRoutingInfos(ctx, client.DesiredLRPFilter{})
		return len(l), err
	}); err != nil {
		return err
	}
	if r.allDesired, r.nDesired, err = median(r.opts.repeats, func() (int, error) {
		l, err := e.bbs.DesiredLRPs(ctx, client.DesiredLRPFilter{})
		return len(l), err
	}); err != nil {
		return err
	}
	if profile != nil {
		if err := <-profile; err != nil {
			fmt.Fprintln(os.Stderr, "cpu profile:", err)
		}
	}

	if r.convergence, err = convergencePass(ctx, e, "cell-spare"); err != nil {
		return err
	}
	if r.opts.convergeProfile != "" {
		profile = make(chan error, 1)
		go func() { profile <- fetchProfile(e.debugAddr, r.opts.convergeProfile, 8) }()
	}
	if r.convergence2, err = convergencePass(ctx, e, "cell-spare-2"); err != nil {
		return err
	}
	if r.opts.convergeProfile != "" {
		if err := <-profile; err != nil {
			fmt.Fprintln(os.Stderr, "cpu profile:", err)
		}
	}
	if r.opts.writeProfile != "" {
		profile = make(chan error, 1)
		go func() { profile <- fetchProfile(e.debugAddr, r.opts.writeProfile, 8) }()
	}
	if err := writes(ctx, e, r, cellIDs); err != nil {
		return err
	}
	if r.opts.writeProfile != "" {
		if err := <-profile; err != nil {
			fmt.Fprintln(os.Stderr, "cpu profile:", err)
		}
	}
	r.loadAfter = loadAverage()
	return nil
}

// writes desires r.opts.writes one-instance LRPs on concurrent clients,
// then claims and starts their instances.
func writes(ctx context.Context, e *env, r *report, cellIDs []string) error {
	n, clients := r.opts.writes, r.opts.clients
	t0 := time.Now()
	err := parallel(n, clients, func(i int) error {
		d := benchDesired(0, 1)
		d.ProcessGuid, d.LogGuid = fmt.Sprintf("w-%06d", i), fmt.Sprintf("w-%06d", i)
		return e.bbs.DesireLRP(ctx, d)
	})
	if err != nil {
		return fmt.Errorf("desiring: %w", err)
	}
	r.desireRate = float64(n) / time.Since(t0).Seconds()

	t0 = time.Now()
	err = parallel(n, clients, func(i int) error {
		key := &models.ActualLRPKey{ProcessGuid: fmt.Sprintf("w-%06d", i), Index: 0, Domain: "bench"}
		ik := &models.ActualLRPInstanceKey{InstanceGuid: fmt.Sprintf("wi-%06d", i), CellId: cellIDs[i%len(cellIDs)]}
		if err := e.bbs.ClaimActualLRP(ctx, key, ik); err != nil {
			return fmt.Errorf("claiming: %w", err)
		}
		net := &models.ActualLRPNetInfo{Address: "10.0.0.2", InstanceAddress: "10.255.0.2", Ports: []*models.PortMapping{{ContainerPort: 8080, HostPort: 61001}}}
		return e.bbs.StartActualLRP(ctx, key, ik, net, []*models.ActualLRPInternalRoute{{Hostname: "app.apps.internal"}},
			map[string]string{"app": key.ProcessGuid}, true, "z1")
	})
	if err != nil {
		return fmt.Errorf("claim+start: %w", err)
	}
	r.claimStartRate = float64(n) / time.Since(t0).Seconds()
	return nil
}

// convergencePass drops the spare cell's presence, which makes the BBS
// converge at once, and returns the pass's duration from its metrics.
func convergencePass(ctx context.Context, e *env, spare string) (time.Duration, error) {
	sum0, count0, err := convergenceMetric(e.debugAddr)
	if err != nil {
		return 0, err
	}
	// The BBS polls presences every second and converges when one it saw
	// is gone: make sure it has seen the spare cell.
	time.Sleep(3 * time.Second)
	if err := e.dropCell(ctx, spare); err != nil {
		return 0, err
	}
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		sum, count, err := convergenceMetric(e.debugAddr)
		if err != nil {
			return 0, err
		}
		if count > count0 {
			return time.Duration((sum - sum0) / (count - count0) * float64(time.Second)), nil
		}
	}
	return 0, fmt.Errorf("no convergence pass within 5 minutes")
}

// convergenceMetric reads the LRP convergence duration histogram's sum and count.
func convergenceMetric(debugAddr string) (sum, count float64, err error) {
	resp, err := http.Get("http://" + debugAddr + "/metrics")
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		for prefix, dst := range map[string]*float64{
			`bbs_convergence_duration_seconds_sum{pass="lrps"} `:   &sum,
			`bbs_convergence_duration_seconds_count{pass="lrps"} `: &count,
		} {
			if strings.HasPrefix(line, prefix) {
				*dst, _ = strconv.ParseFloat(strings.TrimPrefix(line, prefix), 64)
			}
		}
	}
	return sum, count, sc.Err()
}

func fetchProfile(debugAddr, path string, seconds int) error {
	resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", debugAddr, seconds))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(f, resp.Body)
	return err
}

// median runs fn n times and returns the median duration and fn's count.
func median(n int, fn func() (int, error)) (time.Duration, int, error) {
	var ds []time.Duration
	count := 0
	for i := 0; i < max(n, 1); i++ {
		t0 := time.Now()
		c, err := fn()
		if err != nil {
			return 0, 0, err
		}
		ds = append(ds, time.Since(t0))
		count = c
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2], count, nil
}

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	if i > 0 {
		i--
	}
	return sorted[min(i, len(sorted)-1)]
}

func ms(d time.Duration) string {
	switch {
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	case d < 10*time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// print writes the markdown table: upstream's figures (measured at 20,000
// LRPs, MariaDB local, a 2-core machine), the goal at this scale,
// and ours.
func (r *report) print(w io.Writer) {
	o := r.opts
	total := o.desired * o.instances
	small := total <= 50000
	fmt.Fprintf(w, "\n### %d desired × %d instances = %d actual LRPs on %d cells (MySQL)\n\n", o.desired, o.instances, total, o.cells)
	fmt.Fprintf(w, "load average %s before the measurements, %s after; seeding %v, bbs start (lock, migrations, index) %v\n\n",
		r.loadBefore, r.loadAfter, r.seeded.Round(time.Millisecond), r.bbsStart.Round(time.Millisecond))
	fmt.Fprintln(w, "| measurement | upstream @20k | goal | ours |")
	fmt.Fprintln(w, "|---|---|---|---|")
	row := func(name, up, g20, g250, ours string) {
		g := g250
		if small {
			g = g20
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", name, up, g, ours)
	}
	row(fmt.Sprintf("rep bulk fetch, one cell (%d LRPs), p50", r.perCell), "36 ms (1,933 LRPs)", "3.6 ms", "< 10 ms", ms(r.cellP50))
	row("rep bulk fetch, one cell, p99", "", "", "", ms(r.cellP99))
	row(fmt.Sprintf("all actual LRPs (%d)", r.nActual), "320 ms", "32 ms", "< 3 s", ms(r.allActual))
	row(fmt.Sprintf("all scheduling infos (%d)", r.nSched), "209 ms", "21 ms", "< 3 s", ms(r.allSched))
	row("all routing infos", "", "", "< 3 s", ms(r.allRouting))
	row(fmt.Sprintf("all desired LRPs (%d)", r.nDesired), "", "", "< 3 s", ms(r.allDesired))
	row("LRP convergence, first pass after start", "", "", "< 3 s", ms(r.convergence))
	row("LRP convergence, next pass", "", "", "< 3 s", ms(r.convergence2))
	row(fmt.Sprintf("DesireLRP, %d clients", o.clients), "415/s", "1,245/s", "", fmt.Sprintf("%.0f/s", r.desireRate))
	row(fmt.Sprintf("claim+start, %d clients", o.clients), "293/s", "879/s", "", fmt.Sprintf("%.0f/s", r.claimStartRate))
}
