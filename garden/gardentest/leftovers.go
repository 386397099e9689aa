package gardentest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// HostState is what a server has made on the host, seen from outside it.
type HostState struct {
	Mounts   []string // mount points under the depot
	Rules    []string // iptables-save lines naming the tag
	Links    []string // network links named for the tag
	Netns    []string // /run/netns entries for the tag
	Cgroups  []string // memory cgroups under /garden-TAG
	RuncDirs []string // runc state entries
}

// Observe collects the host state belonging to the server with this tag
// and depot.
func Observe(t testing.TB, tag, depot string) HostState {
	t.Helper()
	var s HostState
	mountinfo, _ := os.ReadFile("/proc/self/mountinfo")
	for _, line := range strings.Split(string(mountinfo), "\n") {
		f := strings.Fields(line)
		if len(f) > 4 && strings.HasPrefix(f[4], depot) {
			s.Mounts = append(s.Mounts, f[4])
		}
	}
	saved, err := exec.Command("iptables-save").Output()
	if err != nil {
		t.Fatalf("iptables-save: %v", err)
	}
	for _, line := range strings.Split(string(saved), "\n") {
		if strings.Contains(line, "g"+tag+"-o-") || strings.Contains(line, "g"+tag+"-i-") {
			s.Rules = append(s.Rules, line)
		}
	}
	links, _ := os.ReadDir("/sys/class/net")
	for _, l := range links {
		if strings.HasPrefix(l.Name(), "gv"+tag[:4]) {
			s.Links = append(s.Links, l.Name())
		}
	}
	nss, _ := os.ReadDir("/run/netns")
	for _, n := range nss {
		if strings.HasPrefix(n.Name(), "g"+tag+"-") {
			s.Netns = append(s.Netns, n.Name())
		}
	}
	cgs, _ := os.ReadDir(filepath.Join("/sys/fs/cgroup/memory", "garden-"+tag))
	for _, c := range cgs {
		if c.IsDir() {
			s.Cgroups = append(s.Cgroups, c.Name())
		}
	}
	runcs, _ := os.ReadDir(filepath.Join(depot, "runc"))
	for _, r := range runcs {
		s.RuncDirs = append(s.RuncDirs, r.Name())
	}
	return s
}

// Empty reports whether nothing container-specific is left.
func (s HostState) Empty() bool {
	return len(s.Mounts)+len(s.Rules)+len(s.Links)+len(s.Netns)+len(s.Cgroups)+len(s.RuncDirs) == 0
}
