// Package cgroups reads a container's cgroup v1 files: memory, CPU and pid
// statistics and the OOM-kill counter. runc creates and removes the cgroups;
// this package only observes them (and removes leftovers after a crash).
package cgroups

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"code.cloudfoundry.org/garden"
)

// Root is where the v1 controllers are mounted.
const Root = "/sys/fs/cgroup"

// Group is one container's cgroup path (runc's cgroupsPath).
type Group string

func (g Group) file(controller, name string) string {
	return filepath.Join(Root, controller, string(g), name)
}

func (g Group) uint(controller, name string) uint64 {
	b, err := os.ReadFile(g.file(controller, name))
	if err != nil {
		return 0
	}
	s := strings.TrimSpace(string(b))
	if s == "max" {
		return 0
	}
	v, _ := strconv.ParseUint(s, 10, 64)
	return v
}

func (g Group) keyed(controller, name string) map[string]uint64 {
	out := map[string]uint64{}
	f, err := os.Open(g.file(controller, name))
	if err != nil {
		return out
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), " ")
		if !ok {
			continue
		}
		n, _ := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
		out[k] = n
	}
	return out
}

// OOMKills is how many processes the kernel has OOM-killed in the group.
func (g Group) OOMKills() uint64 { return g.keyed("memory", "memory.oom_control")["oom_kill"] }

// MemoryLimit is the group's memory limit in bytes.
func (g Group) MemoryLimit() uint64 { return g.uint("memory", "memory.limit_in_bytes") }

// CPUShares is the group's CPU weight.
func (g Group) CPUShares() uint64 { return g.uint("cpu", "cpu.shares") }

// Memory reads memory.stat in Garden's shape.
func (g Group) Memory() garden.ContainerMemoryStat {
	m := g.keyed("memory", "memory.stat")
	st := garden.ContainerMemoryStat{
		ActiveAnon: m["active_anon"], ActiveFile: m["active_file"], Cache: m["cache"],
		HierarchicalMemoryLimit: m["hierarchical_memory_limit"], InactiveAnon: m["inactive_anon"],
		InactiveFile: m["inactive_file"], MappedFile: m["mapped_file"], Pgfault: m["pgfault"],
		Pgmajfault: m["pgmajfault"], Pgpgin: m["pgpgin"], Pgpgout: m["pgpgout"], Rss: m["rss"],
		TotalActiveAnon: m["total_active_anon"], TotalActiveFile: m["total_active_file"],
		TotalCache: m["total_cache"], TotalInactiveAnon: m["total_inactive_anon"],
		TotalInactiveFile: m["total_inactive_file"], TotalMappedFile: m["total_mapped_file"],
		TotalPgfault: m["total_pgfault"], TotalPgmajfault: m["total_pgmajfault"],
		TotalPgpgin: m["total_pgpgin"], TotalPgpgout: m["total_pgpgout"], TotalRss: m["total_rss"],
		TotalUnevictable: m["total_unevictable"], Unevictable: m["unevictable"], Swap: m["swap"],
		HierarchicalMemswLimit: m["hierarchical_memsw_limit"], TotalSwap: m["total_swap"],
	}
	usage := g.uint("memory", "memory.usage_in_bytes")
	if usage > st.TotalInactiveFile {
		st.TotalUsageTowardLimit = usage - st.TotalInactiveFile
	}
	return st
}

// CPU reads cpuacct usage in nanoseconds.
func (g Group) CPU() garden.ContainerCPUStat {
	const nsPerTick = 10_000_000 // USER_HZ is 100
	s := g.keyed("cpuacct", "cpuacct.stat")
	return garden.ContainerCPUStat{
		Usage:  g.uint("cpuacct", "cpuacct.usage"),
		User:   s["user"] * nsPerTick,
		System: s["system"] * nsPerTick,
	}
}

// Pids reads the current and maximum task counts.
func (g Group) Pids() garden.ContainerPidStat {
	return garden.ContainerPidStat{Current: g.uint("pids", "pids.current"), Max: g.uint("pids", "pids.max")}
}

// Controllers are the v1 hierarchies runc puts a container in.
var Controllers = []string{"memory", "cpu", "cpuacct", "pids", "devices", "freezer", "blkio", "cpuset", "net_cls", "net_prio", "perf_event", "hugetlb", "rdma", "misc", "systemd", "unified"}

// RemoveTree removes parent (e.g. "/garden-TAG") and every group below it in
// every hierarchy, deepest first. Groups that still hold tasks stay.
func RemoveTree(parent string) {
	for _, c := range Controllers {
		base := filepath.Join(Root, c, parent)
		var dirs []string
		_ = filepath.WalkDir(base, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, p)
			}
			return nil
		})
		for i := len(dirs) - 1; i >= 0; i-- {
			_ = os.Remove(dirs[i])
		}
	}
}
