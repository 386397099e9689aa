package backend

import (
	"io/fs"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"code.cloudfoundry.org/garden"
	"code.cloudfoundry.org/lager/v3"
)

// Disk limits are enforced by measurement, not quota: the depot's
// filesystem may have no project quotas. Every diskCheckInterval the
// writable layer of each container with a disk limit is measured (plus the
// rootfs size for scope "total"); a container over its byte or inode limit
// gets the event "disk limit exceeded" and is stopped (all processes
// killed).
const diskCheckInterval = 5 * time.Second

type usage struct{ bytes, inodes uint64 }

func measure(dir string) usage {
	var u usage
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			u.bytes += uint64(st.Blocks) * 512
		}
		u.inodes++
		return nil
	})
	return u
}

var baseSizes sync.Map // base layer dir -> usage

func baseUsage(dirs []string) usage {
	var total usage
	for _, d := range dirs {
		v, ok := baseSizes.Load(d)
		if !ok {
			v = measure(d)
			baseSizes.Store(d, v)
		}
		total.bytes += v.(usage).bytes
		total.inodes += v.(usage).inodes
	}
	return total
}

func (c *Container) diskUsage() garden.ContainerDiskStat {
	excl := measure(c.layout.Upper())
	base := baseUsage(c.baseDirs)
	return garden.ContainerDiskStat{
		TotalBytesUsed:      excl.bytes + base.bytes,
		TotalInodesUsed:     excl.inodes + base.inodes,
		ExclusiveBytesUsed:  excl.bytes,
		ExclusiveInodesUsed: excl.inodes,
	}
}

// overDiskLimit reports whether the container exceeds its disk limits.
func (c *Container) overDiskLimit() bool {
	l := c.spec.Limits.Disk
	if l.ByteHard == 0 && l.InodeHard == 0 {
		return false
	}
	st := c.diskUsage()
	bytes, inodes := st.TotalBytesUsed, st.TotalInodesUsed
	if l.Scope == garden.DiskLimitScopeExclusive {
		bytes, inodes = st.ExclusiveBytesUsed, st.ExclusiveInodesUsed
	}
	return (l.ByteHard > 0 && bytes > l.ByteHard) || (l.InodeHard > 0 && inodes > l.InodeHard)
}

func (b *Backend) watchDisks() {
	t := time.NewTicker(diskCheckInterval)
	defer t.Stop()
	for {
		select {
		case <-b.stopDisk:
			return
		case <-t.C:
		}
		b.mu.Lock()
		var all []*Container
		for _, c := range b.containers {
			if c != nil {
				all = append(all, c)
			}
		}
		b.mu.Unlock()
		for _, c := range all {
			c.mu.Lock()
			skip := c.destroying || c.state == "stopped"
			c.mu.Unlock()
			if skip || !c.overDiskLimit() {
				continue
			}
			b.logger.Info("disk-limit-exceeded", lager.Data{"handle": c.handle})
			c.addEvent("disk limit exceeded")
			_ = c.Stop(true)
		}
	}
}
