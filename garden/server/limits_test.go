package server_test

import (
	"strings"
	"testing"
	"time"

	"code.cloudfoundry.org/garden"

	"github.com/godiego/diego/garden/gardentest"
)

func TestMemoryLimitOOM(t *testing.T) {
	client, _ := gardentest.Start(t, gardentest.Config(t))
	c, err := client.Create(garden.ContainerSpec{Limits: garden.Limits{
		Memory: garden.MemoryLimits{LimitInBytes: 32 << 20},
		CPU:    garden.CPULimits{LimitInShares: 512},
		Pid:    garden.PidLimits{Max: 100},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Destroy(c.Handle())
	if lim, _ := c.CurrentMemoryLimits(); lim.LimitInBytes != 32<<20 {
		t.Fatalf("memory limit %d", lim.LimitInBytes)
	}
	if cpu, _ := c.CurrentCPULimits(); cpu.LimitInShares != 512 {
		t.Fatalf("cpu shares %d", cpu.LimitInShares)
	}
	m, err := c.Metrics()
	if err != nil {
		t.Fatal(err)
	}
	if m.PidStat.Max != 100 || m.MemoryStat.HierarchicalMemoryLimit != 32<<20 {
		t.Fatalf("pid max %d, memory limit %d", m.PidStat.Max, m.MemoryStat.HierarchicalMemoryLimit)
	}
	info, _ := c.Info()
	if len(info.Events) != 0 {
		t.Fatalf("events before OOM: %v", info.Events)
	}
	// dd allocates (and fills) a 100MB buffer.
	r := gardentest.Run(t, c, "", "dd", "if=/dev/zero", "of=/dev/null", "bs=100M", "count=1")
	if r.Code != 137 {
		t.Fatalf("allocating process exited %d, want 137 (killed)", r.Code)
	}
	info, _ = c.Info()
	if len(info.Events) != 1 || info.Events[0] != "out of memory" {
		t.Fatalf("events %v", info.Events)
	}
	// The container survives its OOM.
	if out := gardentest.Sh(t, c, "echo alive"); out != "alive" {
		t.Fatal(out)
	}
}

func TestDiskLimitStopsContainer(t *testing.T) {
	client, _ := gardentest.Start(t, gardentest.Config(t))
	c, err := client.Create(garden.ContainerSpec{Limits: garden.Limits{
		Disk: garden.DiskLimits{ByteHard: 8 << 20, Scope: garden.DiskLimitScopeExclusive},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Destroy(c.Handle())
	gardentest.Sh(t, c, "dd if=/dev/zero of=/tmp/small bs=1M count=2")
	info, _ := c.Info()
	if info.State != "active" {
		t.Fatalf("state %s under the limit", info.State)
	}
	if _, err := c.Run(garden.ProcessSpec{Path: "sh", Args: []string{"-c", "dd if=/dev/zero of=/tmp/big bs=1M count=20; sleep 100"}}, garden.ProcessIO{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "disk limit to stop the container", func() bool {
		info, _ = c.Info()
		return info.State == "stopped"
	})
	if strings.Join(info.Events, ",") != "disk limit exceeded" {
		t.Fatalf("events %v", info.Events)
	}
	if _, err := c.Run(garden.ProcessSpec{Path: "true"}, garden.ProcessIO{}); err == nil {
		t.Fatal("ran a process in a stopped container")
	}
}

func TestMetricsChangeUnderLoad(t *testing.T) {
	client, _ := gardentest.Start(t, gardentest.Config(t))
	c, err := client.Create(garden.ContainerSpec{Limits: garden.Limits{CPU: garden.CPULimits{LimitInShares: 1024}}})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Destroy(c.Handle())
	before, err := c.Metrics()
	if err != nil {
		t.Fatal(err)
	}
	gardentest.Sh(t, c, "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; dd if=/dev/zero of=/tmp/f bs=1M count=16; echo x | nc -w 1 127.0.0.1 1 || true")
	_, err = c.Run(garden.ProcessSpec{Path: "sh", Args: []string{"-c", "x=$(head -c 8000000 /dev/zero | tr '\\0' a); sleep 100"}}, garden.ProcessIO{})
	if err != nil {
		t.Fatal(err)
	}
	var after garden.Metrics
	waitFor(t, "memory use to rise", func() bool {
		after, _ = c.Metrics()
		return after.MemoryStat.TotalRss > before.MemoryStat.TotalRss+4<<20
	})
	if after.CPUStat.Usage <= before.CPUStat.Usage+50_000_000 {
		t.Fatalf("cpu usage %d -> %d", before.CPUStat.Usage, after.CPUStat.Usage)
	}
	if after.DiskStat.ExclusiveBytesUsed < before.DiskStat.ExclusiveBytesUsed+16<<20 || after.DiskStat.TotalBytesUsed <= after.DiskStat.ExclusiveBytesUsed {
		t.Fatalf("disk %+v -> %+v", before.DiskStat, after.DiskStat)
	}
	if after.PidStat.Current < 2 || after.Age <= before.Age || after.CPUEntitlement == 0 {
		t.Fatalf("pids %d, age %v, entitlement %d", after.PidStat.Current, after.Age, after.CPUEntitlement)
	}
	if after.NetworkStat == nil {
		t.Fatal("no network stats")
	}
	bulk, err := client.BulkMetrics([]string{c.Handle(), "missing"})
	if err != nil || bulk[c.Handle()].Err != nil || bulk["missing"].Err == nil {
		t.Fatalf("bulk metrics %+v %v", bulk, err)
	}
	_ = time.Second
}
