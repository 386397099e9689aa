// Package backend is Garden's container backend: it implements
// garden.Backend with real Linux containers run by runc, composing the
// rootfs, network, cgroups, process and files packages. It owns the depot
// directory and the in-memory table of containers.
package backend

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"sync"
	"syscall"
	"time"

	"code.cloudfoundry.org/garden"
	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/garden/cgroups"
	"github.com/godiego/diego/garden/config"
	"github.com/godiego/diego/garden/network"
	"github.com/godiego/diego/garden/rootfs"
	"github.com/godiego/diego/garden/runc"
)

// Backend implements garden.Backend.
type Backend struct {
	cfg    config.Config
	tag    string
	logger lager.Logger
	runc   *runc.Runc
	store  *rootfs.Store
	net    *network.Host
	userns *userNamespace

	mu         sync.Mutex
	containers map[string]*Container // by handle; nil value = being created
	stopDisk   chan struct{}
	diskOnce   sync.Once
}

// New builds a backend for cfg. Nothing on the host changes until Start.
func New(cfg config.Config, logger lager.Logger) (*Backend, error) {
	bin, err := runc.Find()
	if err != nil {
		return nil, fmt.Errorf("finding runc: %w", err)
	}
	ips, err := network.NewIPPool(cfg.NetworkPool)
	if err != nil {
		return nil, fmt.Errorf("network_pool: %w", err)
	}
	tag := cfg.Tag()
	return &Backend{
		cfg:    cfg,
		tag:    tag,
		logger: logger.Session("backend"),
		runc:   &runc.Runc{Bin: bin, Root: filepath.Join(cfg.DepotDir, "runc")},
		store: &rootfs.Store{
			Dir:       filepath.Join(cfg.DepotDir, "layers"),
			Default:   cfg.DefaultRootFS,
			Preloaded: cfg.PreloadedRootFSes,
		},
		net: &network.Host{
			Tag:        tag,
			IPs:        ips,
			Ports:      &network.PortPool{Start: cfg.PortPoolStart, Size: cfg.PortPoolSize},
			ExternalIP: cfg.ExternalIP,
		},
		containers: map[string]*Container{},
		stopDisk:   make(chan struct{}),
	}, nil
}

func (b *Backend) containersDir() string { return filepath.Join(b.cfg.DepotDir, "containers") }
func (b *Backend) initPath() string      { return filepath.Join(b.cfg.DepotDir, "bin", "garden-init") }
func (b *Backend) cgroupParent() string  { return "/garden-" + b.tag }

// Start prepares the depot and host networking and removes every leftover
// of a previous run of this server (see cleanup.go).
func (b *Backend) Start() error {
	for _, d := range []string{b.containersDir(), b.runc.Root, filepath.Dir(b.initPath()), b.store.Dir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("creating depot: %w", err)
		}
	}
	if err := os.Chmod(b.cfg.DepotDir, 0o755); err != nil {
		return err
	}
	if err := checkSearchable(filepath.Dir(b.cfg.DepotDir)); err != nil {
		return err
	}
	for _, d := range []string{b.containersDir(), filepath.Dir(b.initPath()), b.store.Dir} {
		_ = os.Chmod(d, 0o755) // unprivileged container roots must reach these
	}
	if err := writeFileAtomic(b.initPath(), runc.InitBinary(), 0o755); err != nil {
		return fmt.Errorf("writing init: %w", err)
	}
	b.cleanupLeftovers()
	if err := b.net.Setup(); err != nil {
		return fmt.Errorf("setting up network: %w", err)
	}
	ns, err := newUserNamespace(b.initPath())
	if err != nil {
		return fmt.Errorf("creating user namespace template: %w", err)
	}
	b.userns = ns
	go b.watchDisks()
	return nil
}

// Stop stops background work. Containers keep running; the next Start
// removes them.
func (b *Backend) Stop() error {
	b.diskOnce.Do(func() { close(b.stopDisk) })
	return nil
}

// Ping implements garden.Client.
func (b *Backend) Ping() error {
	if _, err := os.Stat(b.containersDir()); err != nil {
		return garden.NewServiceUnavailableError("depot unavailable: " + err.Error())
	}
	return nil
}

// Capacity reports host memory and depot disk, and max_containers.
func (b *Backend) Capacity() (garden.Capacity, error) {
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil {
		return garden.Capacity{}, err
	}
	var fs syscall.Statfs_t
	if err := syscall.Statfs(b.cfg.DepotDir, &fs); err != nil {
		return garden.Capacity{}, err
	}
	disk := fs.Blocks * uint64(fs.Bsize)
	return garden.Capacity{
		MemoryInBytes:          si.Totalram * uint64(si.Unit),
		DiskInBytes:            disk,
		SchedulableDiskInBytes: disk,
		MaxContainers:          b.cfg.MaxContainers,
	}, nil
}

// GraceTime implements garden.Backend.
func (b *Backend) GraceTime(c garden.Container) time.Duration {
	if ours, ok := c.(*Container); ok {
		return ours.graceTimeNow()
	}
	return 0
}

// Lookup implements garden.Client.
func (b *Backend) Lookup(handle string) (garden.Container, error) {
	c, err := b.lookup(handle)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (b *Backend) lookup(handle string) (*Container, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.containers[handle]
	if c == nil {
		return nil, garden.ContainerNotFoundError{Handle: handle}
	}
	return c, nil
}

// Containers lists containers whose properties include every filter pair.
func (b *Backend) Containers(filter garden.Properties) ([]garden.Container, error) {
	b.mu.Lock()
	all := make([]*Container, 0, len(b.containers))
	for _, c := range b.containers {
		if c != nil {
			all = append(all, c)
		}
	}
	b.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i].handle < all[j].handle })
	out := []garden.Container{}
	for _, c := range all {
		if c.matches(filter) {
			out = append(out, c)
		}
	}
	return out, nil
}

// BulkInfo implements garden.Client.
func (b *Backend) BulkInfo(handles []string) (map[string]garden.ContainerInfoEntry, error) {
	out := map[string]garden.ContainerInfoEntry{}
	for _, h := range handles {
		c, err := b.lookup(h)
		if err != nil {
			out[h] = garden.ContainerInfoEntry{Err: &garden.Error{Err: err}}
			continue
		}
		info, err := c.Info()
		if err != nil {
			out[h] = garden.ContainerInfoEntry{Err: &garden.Error{Err: err}}
			continue
		}
		out[h] = garden.ContainerInfoEntry{Info: info}
	}
	return out, nil
}

// BulkMetrics implements garden.Client.
func (b *Backend) BulkMetrics(handles []string) (map[string]garden.ContainerMetricsEntry, error) {
	out := map[string]garden.ContainerMetricsEntry{}
	for _, h := range handles {
		c, err := b.lookup(h)
		if err != nil {
			out[h] = garden.ContainerMetricsEntry{Err: &garden.Error{Err: err}}
			continue
		}
		m, err := c.Metrics()
		if err != nil {
			out[h] = garden.ContainerMetricsEntry{Err: &garden.Error{Err: err}}
			continue
		}
		out[h] = garden.ContainerMetricsEntry{Metrics: m}
	}
	return out, nil
}

// Destroy implements garden.Client.
func (b *Backend) Destroy(handle string) error {
	c, err := b.lookup(handle)
	if err != nil {
		return err
	}
	if !c.startDestroy() {
		return fmt.Errorf("container %s is already being destroyed", handle)
	}
	c.teardown(context.Background())
	b.mu.Lock()
	delete(b.containers, handle)
	b.mu.Unlock()
	return nil
}

var safeID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$`)

// containerID is the runc id and depot directory name for a handle.
func containerID(handle string) string {
	if safeID.MatchString(handle) {
		return handle
	}
	return "h-" + hashHex(handle, 16)
}

func newHandle() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

var errStopped = errors.New("container is stopped")

// Teardown destroys every container and removes the server's bridge,
// iptables chains and cgroup tree. Used when a server is retired for good
// (tests); a normal shutdown leaves containers for the next Start to clean.
func (b *Backend) Teardown() {
	b.mu.Lock()
	var handles []string
	for h, c := range b.containers {
		if c != nil {
			handles = append(handles, h)
		}
	}
	b.mu.Unlock()
	for _, h := range handles {
		_ = b.Destroy(h)
	}
	b.cleanupLeftovers()
	b.net.Teardown()
	cgroups.RemoveTree(b.cgroupParent())
}

// checkSearchable fails unless dir and all its parents can be traversed by
// anyone: a user-namespaced container's root is an unprivileged host user,
// and runc mounts the container's rootfs from the depot as that user.
func checkSearchable(dir string) error {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		info, err := os.Stat(d)
		if err != nil {
			return err
		}
		if info.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("depot_dir: parent %s is not searchable by other users (chmod o+x it); unprivileged containers need that", d)
		}
		if d == "/" {
			return nil
		}
	}
}
