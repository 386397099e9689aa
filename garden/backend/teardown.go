package backend

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/garden/cgroups"
	"github.com/godiego/diego/garden/rootfs"
)

// teardown removes everything the container made, in reverse order of
// creation: processes and runc containers (which takes their cgroups), the
// writable layers, network namespace, veth and firewall chains, pool
// entries, and finally the container directory. Missing pieces are fine.
func (c *Container) teardown(ctx context.Context) {
	log := c.b.logger.Session("teardown", lager.Data{"handle": c.handle})
	c.mu.Lock()
	sidecars := make([]string, 0, len(c.sidecars))
	for sid := range c.sidecars {
		sidecars = append(sidecars, sid)
	}
	c.mu.Unlock()
	for _, sid := range sidecars {
		_ = c.b.runc.Delete(ctx, sid, true)
	}
	if err := c.b.runc.Delete(ctx, c.id, true); err != nil {
		if _, stateErr := c.b.runc.State(ctx, c.id); stateErr == nil {
			log.Error("runc-delete-failed", err)
		}
	}
	waitTimeout(&c.procWG, 10*time.Second)

	sidecarDirs, _ := filepath.Glob(filepath.Join(c.dir, "sidecars", "*"))
	for _, d := range sidecarDirs {
		_ = rootfs.Layout{Dir: d}.Unmount()
	}
	if err := c.layout.Unmount(); err != nil {
		log.Error("unmount-failed", err)
	}
	if c.net != nil {
		c.net.Detach()
	}
	if c.ip != nil {
		c.b.net.IPs.Release(c.ip)
	}
	c.mu.Lock()
	for _, p := range c.ports {
		c.b.net.Ports.Release(p)
	}
	c.ports = nil
	c.mu.Unlock()
	cgroups.RemoveTree(string(c.cgroup))
	for _, sid := range sidecars {
		cgroups.RemoveTree(c.b.cgroupParent() + "/" + sid) // sidecars with their own limits
	}
	if len(mountsUnder(c.dir)) == 0 {
		if err := os.RemoveAll(c.dir); err != nil {
			log.Error("remove-dir-failed", err)
		}
	} else {
		log.Info("mounts-remain-keeping-dir", lager.Data{"dir": c.dir})
	}
}

// waitTimeout waits for wg, at most d.
func waitTimeout(wg interface{ Wait() }, d time.Duration) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}
