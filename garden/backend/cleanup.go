package backend

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"code.cloudfoundry.org/lager/v3"
	"golang.org/x/sys/unix"

	"github.com/godiego/diego/garden/cgroups"
)

// cleanupLeftovers is the restart policy: containers do not survive a
// server restart. Every runc container under our state root is killed and
// deleted, everything mounted under the depot is unmounted, every container
// directory is removed and our cgroup tree is deleted. (Network leftovers
// go in network.Host.Setup.) Cached rootfs layers are kept.
func (b *Backend) cleanupLeftovers() {
	log := b.logger.Session("cleanup-leftovers")
	ctx := context.Background()
	if states, err := b.runc.List(ctx); err == nil {
		for _, s := range states {
			if err := b.runc.Delete(ctx, s.ID, true); err != nil {
				log.Error("runc-delete-failed", err, lager.Data{"id": s.ID})
			}
		}
	}
	mounts := mountsUnder(b.containersDir())
	for _, m := range mounts {
		if err := unix.Unmount(m, unix.MNT_DETACH); err != nil {
			log.Error("unmount-failed", err, lager.Data{"mount": m})
		}
	}
	entries, _ := os.ReadDir(b.containersDir())
	for _, e := range entries {
		p := filepath.Join(b.containersDir(), e.Name())
		if len(mountsUnder(p)) > 0 {
			log.Info("mounts-remain", lager.Data{"dir": p})
			continue
		}
		if err := os.RemoveAll(p); err != nil {
			log.Error("remove-failed", err, lager.Data{"dir": p})
		}
	}
	cgroups.RemoveTree(b.cgroupParent())
	b.store.CleanTemp()
	if len(entries) > 0 {
		log.Info("removed", lager.Data{"containers": len(entries)})
	}
}

// mountsUnder lists mount points at or below dir, deepest first.
func mountsUnder(dir string) []string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	defer f.Close()
	dir = filepath.Clean(dir)
	var out []string
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 64*1024), 1024*1024)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) < 5 {
			continue
		}
		mp := unescapeMount(fields[4])
		if mp == dir || strings.HasPrefix(mp, dir+"/") {
			out = append(out, mp)
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

func unescapeMount(s string) string {
	return strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`).Replace(s)
}
