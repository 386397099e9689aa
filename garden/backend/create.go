package backend

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"code.cloudfoundry.org/garden"
	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/garden/cgroups"
	"github.com/godiego/diego/garden/process"
	"github.com/godiego/diego/garden/rootfs"
	"github.com/godiego/diego/garden/runc"
)

// minMemoryLimit is the smallest memory limit a container can start with.
const minMemoryLimit = 4 << 20

// Create implements garden.Client. A failure at any step undoes the steps
// before it, so a failed create leaves nothing behind.
func (b *Backend) Create(spec garden.ContainerSpec) (garden.Container, error) {
	if spec.Handle == "" {
		spec.Handle = newHandle()
	}
	if err := validateSpec(spec); err != nil {
		return nil, err
	}
	b.mu.Lock()
	if _, taken := b.containers[spec.Handle]; taken {
		b.mu.Unlock()
		return nil, fmt.Errorf("handle already exists: %s", spec.Handle)
	}
	if uint64(len(b.containers)) >= b.cfg.MaxContainers {
		b.mu.Unlock()
		return nil, fmt.Errorf("cannot create container: max_containers (%d) reached", b.cfg.MaxContainers)
	}
	b.containers[spec.Handle] = nil // reserved while being created
	b.mu.Unlock()

	c, err := b.create(spec)
	b.mu.Lock()
	if err != nil {
		delete(b.containers, spec.Handle)
	} else {
		b.containers[spec.Handle] = c
	}
	b.mu.Unlock()
	if err != nil {
		b.logger.Error("create-failed", err, lager.Data{"handle": spec.Handle})
		return nil, err
	}
	return c, nil
}

func validateSpec(spec garden.ContainerSpec) error {
	if m := spec.Limits.Memory.LimitInBytes; m > 0 && m < minMemoryLimit {
		return fmt.Errorf("memory limit %d is below the minimum of %d bytes", m, minMemoryLimit)
	}
	if m := spec.Limits.Memory.LimitInBytes; m > 1<<62 {
		return fmt.Errorf("memory limit %d is too large", m)
	}
	for _, bm := range spec.BindMounts {
		if bm.SrcPath == "" || !filepath.IsAbs(bm.DstPath) {
			return fmt.Errorf("bind mount %q -> %q: need a source and an absolute destination", bm.SrcPath, bm.DstPath)
		}
		if bm.Origin == garden.BindMountOriginHost {
			if _, err := os.Stat(bm.SrcPath); err != nil {
				return fmt.Errorf("bind mount source: %w", err)
			}
		}
	}
	for _, n := range spec.NetIn {
		if n.HostPort > 65535 || n.ContainerPort > 65535 {
			return fmt.Errorf("netin %d->%d: port out of range", n.HostPort, n.ContainerPort)
		}
	}
	return nil
}

func (b *Backend) create(spec garden.ContainerSpec) (c *Container, err error) {
	id := containerID(spec.Handle)
	c = &Container{
		b:         b,
		handle:    spec.Handle,
		id:        id,
		dir:       filepath.Join(b.containersDir(), id),
		spec:      spec,
		userns:    !spec.Privileged,
		cgroup:    cgroups.Group(b.cgroupParent() + "/" + id),
		created:   time.Now(),
		props:     garden.Properties{},
		graceTime: spec.GraceTime,
		processes: map[string]*process.Process{},
		sidecars:  map[string]bool{},
		state:     "active",
	}
	for k, v := range spec.Properties {
		c.props[k] = v
	}
	c.layout = rootfs.Layout{Dir: c.dir}
	defer func() {
		if err != nil {
			c.teardown(context.Background())
		}
	}()

	uri := spec.Image.URI
	if uri == "" {
		uri = spec.RootFSPath
	}
	lowers, err := b.store.Resolve(uri)
	if err != nil {
		return c, err
	}
	c.baseDirs = lowers
	if err := os.Mkdir(c.dir, 0o755); err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("container directory %s already exists", c.dir)
		}
		return c, err
	}
	if err := c.layout.Mount(lowers, c.usernsFD(), rootUID); err != nil {
		return c, err
	}
	ip, err := b.net.IPs.Allocate()
	if err != nil {
		return c, err
	}
	c.ip = ip
	bundle, err := c.writeBundle()
	if err != nil {
		return c, err
	}
	if err := b.runc.RunDetached(context.Background(), id, bundle); err != nil {
		return c, err
	}
	c.running = true
	pid, err := readPidFile(filepath.Join(bundle, "init.pid"))
	if err != nil {
		return c, fmt.Errorf("reading init pid: %w", err)
	}
	c.initPid = pid
	if c.net, err = b.net.Attach(hashHex(c.dir, 16), ip, pid); err != nil {
		return c, err
	}
	for _, n := range spec.NetIn {
		if _, _, err := c.NetIn(n.HostPort, n.ContainerPort); err != nil {
			return c, err
		}
	}
	if err := c.BulkNetOut(spec.NetOut); err != nil {
		return c, err
	}
	return c, nil
}

func (c *Container) usernsFD() int {
	if c.userns {
		return c.b.userns.fd
	}
	return -1
}

// writeBundle writes config.json, hosts and resolv.conf for the container.
func (c *Container) writeBundle() (string, error) {
	bundle := c.dir
	hostname := c.id
	if len(hostname) > 63 {
		hostname = hostname[:63]
	}
	hosts := fmt.Sprintf("127.0.0.1 localhost\n%s %s\n", c.ip, hostname)
	if err := os.WriteFile(filepath.Join(bundle, "hosts"), []byte(hosts), 0o644); err != nil {
		return "", err
	}
	resolv, err := os.ReadFile("/etc/resolv.conf")
	if err != nil {
		resolv = []byte("nameserver 8.8.8.8\n")
	}
	if err := os.WriteFile(filepath.Join(bundle, "resolv.conf"), resolv, 0o644); err != nil {
		return "", err
	}
	s, err := c.bundleSpec(hostname)
	if err != nil {
		return "", err
	}
	return bundle, runc.WriteJSON(filepath.Join(bundle, "config.json"), s)
}

var (
	privilegedCaps   = runc.Available(runc.AllCapabilities)
	unprivilegedCaps = runc.Available(runc.DefaultCapabilities)
)

func (c *Container) capabilities() []string {
	if c.spec.Privileged {
		return privilegedCaps
	}
	return unprivilegedCaps
}

func (c *Container) bundleSpec(hostname string) (*runc.Spec, error) {
	mounts, err := c.bindMounts()
	if err != nil {
		return nil, err
	}
	s := &runc.Spec{
		OCIVersion: "1.0.2",
		Process: &runc.Process{
			Args:         []string{"/tmp/garden-init"},
			Env:          []string{"PATH=" + defaultPath},
			Cwd:          "/",
			Capabilities: runc.ProcessCapabilities(0, c.capabilities()),
		},
		Root:     runc.Root{Path: c.layout.RootFS()},
		Hostname: hostname,
		Mounts: append(append(standardMounts(c.userns), []runc.Mount{
			{Destination: "/tmp/garden-init", Type: "bind", Source: c.b.initPath(), Options: []string{"bind", "ro"}},
			{Destination: "/etc/hosts", Type: "bind", Source: filepath.Join(c.dir, "hosts"), Options: []string{"bind", "rw"}},
			{Destination: "/etc/resolv.conf", Type: "bind", Source: filepath.Join(c.dir, "resolv.conf"), Options: []string{"bind", "rw"}},
		}...), mounts...),
		Linux: runc.Linux{
			CgroupsPath: string(c.cgroup),
			Resources:   c.resources(),
			Namespaces: []runc.Namespace{
				{Type: "pid"}, {Type: "ipc"}, {Type: "uts"}, {Type: "mount"},
				{Type: "network"},
			},
		},
	}
	if c.userns {
		s.Linux.Namespaces = append(s.Linux.Namespaces, runc.Namespace{Type: "user"})
		s.Linux.UIDMappings, s.Linux.GIDMappings = idMappings, idMappings
		s.Linux.MaskedPaths = maskedPaths
		s.Linux.ReadonlyPaths = readonlyPaths
	}
	return s, nil
}

func (c *Container) resources() *runc.Resources {
	r := &runc.Resources{Devices: []runc.DeviceRule{{Allow: c.spec.Privileged, Access: "rwm"}}}
	l := c.spec.Limits
	if l.Memory.LimitInBytes > 0 {
		m := int64(l.Memory.LimitInBytes)
		r.Memory = &runc.Memory{Limit: &m}
	}
	shares := l.CPU.LimitInShares
	if shares == 0 {
		shares = l.CPU.Weight
	}
	if shares > 0 {
		if shares < 2 {
			shares = 2
		}
		if shares > 262144 {
			shares = 262144
		}
		r.CPU = &runc.CPU{Shares: &shares}
	}
	if l.Pid.Max > 0 {
		r.Pids = &runc.Pids{Limit: int64(l.Pid.Max)}
	}
	return r
}

func (c *Container) bindMounts() ([]runc.Mount, error) {
	var out []runc.Mount
	for _, bm := range c.spec.BindMounts {
		src := bm.SrcPath
		if bm.Origin == garden.BindMountOriginContainer {
			src = filepath.Join(c.layout.RootFS(), filepath.Clean("/"+bm.SrcPath))
		}
		mode := "ro"
		if bm.Mode == garden.BindMountModeRW {
			mode = "rw"
		}
		out = append(out, runc.Mount{Destination: bm.DstPath, Type: "bind", Source: src, Options: []string{"rbind", mode}})
	}
	return out, nil
}

const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

func standardMounts(userns bool) []runc.Mount {
	sys := runc.Mount{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: []string{"nosuid", "noexec", "nodev", "ro"}}
	if userns {
		sys = runc.Mount{Destination: "/sys", Type: "bind", Source: "/sys", Options: []string{"rbind", "nosuid", "noexec", "nodev", "ro"}}
	}
	return []runc.Mount{
		{Destination: "/proc", Type: "proc", Source: "proc"},
		{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
		{Destination: "/dev/pts", Type: "devpts", Source: "devpts", Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
		{Destination: "/dev/shm", Type: "tmpfs", Source: "shm", Options: []string{"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
		{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue", Options: []string{"nosuid", "noexec", "nodev"}},
		sys,
	}
}

var maskedPaths = []string{
	"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
	"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
}

var readonlyPaths = []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}

func hashHex(s string, n int) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:n]
}

func readPidFile(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}
