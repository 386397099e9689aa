package backend

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"code.cloudfoundry.org/garden"

	"github.com/godiego/diego/garden/cgroups"
	"github.com/godiego/diego/garden/files"
	"github.com/godiego/diego/garden/network"
	"github.com/godiego/diego/garden/process"
	"github.com/godiego/diego/garden/rootfs"
)

// Container is one runc container. It implements garden.Container.
type Container struct {
	b        *Backend
	handle   string
	id       string
	dir      string
	spec     garden.ContainerSpec
	userns   bool
	cgroup   cgroups.Group
	layout   rootfs.Layout
	baseDirs []string
	ip       net.IP
	net      *network.Container
	created  time.Time
	initPid  int

	mu         sync.Mutex
	running    bool // runc container exists
	destroying bool
	state      string
	events     []string
	props      garden.Properties
	graceTime  time.Duration
	mappings   []garden.PortMapping
	ports      []uint32 // taken from the port pool
	processes  map[string]*process.Process
	sidecars   map[string]bool
	procWG     sync.WaitGroup
}

// Handle implements garden.Container.
func (c *Container) Handle() string { return c.handle }

func (c *Container) startDestroy() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.destroying {
		return false
	}
	c.destroying = true
	return true
}

func (c *Container) graceTimeNow() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.graceTime
}

// SetGraceTime implements garden.Container.
func (c *Container) SetGraceTime(d time.Duration) error {
	c.mu.Lock()
	c.graceTime = d
	c.mu.Unlock()
	return nil
}

func (c *Container) matches(filter garden.Properties) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.destroying {
		return false
	}
	for k, v := range filter {
		if got, ok := c.props[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// Properties implements garden.Container.
func (c *Container) Properties() (garden.Properties, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := garden.Properties{}
	for k, v := range c.props {
		out[k] = v
	}
	return out, nil
}

// Property implements garden.Container.
func (c *Container) Property(name string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.props[name]
	if !ok {
		return "", fmt.Errorf("property does not exist: %s", name)
	}
	return v, nil
}

// SetProperty implements garden.Container.
func (c *Container) SetProperty(name, value string) error {
	c.mu.Lock()
	c.props[name] = value
	c.mu.Unlock()
	return nil
}

// RemoveProperty implements garden.Container.
func (c *Container) RemoveProperty(name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.props[name]; !ok {
		return fmt.Errorf("property does not exist: %s", name)
	}
	delete(c.props, name)
	return nil
}

// Info implements garden.Container.
func (c *Container) Info() (garden.ContainerInfo, error) {
	c.noteOOM()
	c.mu.Lock()
	defer c.mu.Unlock()
	info := garden.ContainerInfo{
		State:         c.state,
		Events:        append([]string{}, c.events...),
		HostIP:        c.b.net.IPs.Gateway().String(),
		ExternalIP:    c.b.cfg.ExternalIP,
		ContainerPath: c.dir,
		ProcessIDs:    []string{},
		Properties:    garden.Properties{},
		MappedPorts:   append([]garden.PortMapping{}, c.mappings...),
	}
	if c.ip != nil {
		info.ContainerIP = c.ip.String()
	}
	for id, p := range c.processes {
		if !p.Exited() {
			info.ProcessIDs = append(info.ProcessIDs, id)
		}
	}
	for k, v := range c.props {
		info.Properties[k] = v
	}
	return info, nil
}

// noteOOM records an "out of memory" event once the kernel has OOM-killed
// anything in the container.
func (c *Container) noteOOM() {
	if c.cgroup.OOMKills() > 0 {
		c.addEvent("out of memory")
	}
}

func (c *Container) addEvent(e string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, have := range c.events {
		if have == e {
			return
		}
	}
	c.events = append(c.events, e)
}

// Stop implements garden.Container: every process gets SIGTERM (SIGKILL
// with kill, or after 10s), then the container is "stopped".
func (c *Container) Stop(kill bool) error {
	c.mu.Lock()
	procs := make([]*process.Process, 0, len(c.processes))
	for _, p := range c.processes {
		procs = append(procs, p)
	}
	c.mu.Unlock()
	sig := garden.SignalTerminate
	if kill {
		sig = garden.SignalKill
	}
	for _, p := range procs {
		_ = p.Signal(sig)
	}
	deadline := time.After(10 * time.Second)
	for _, p := range procs {
		select {
		case <-p.Done():
		case <-deadline:
			for _, q := range procs {
				_ = q.Signal(garden.SignalKill)
			}
			<-p.Done()
		}
	}
	if kill {
		// Background children of those processes belong to the init; a
		// killing stop takes the whole container down.
		_ = c.b.runc.Kill(context.Background(), c.id, "KILL", true)
	}
	c.mu.Lock()
	c.state = "stopped"
	c.mu.Unlock()
	return nil
}

// rootDir is where the container's filesystem is seen from the host: its
// init's root (so bind mounts inside it are visible), or the overlay mount
// when the init is gone.
func (c *Container) rootDir() string {
	if pid := c.livePid(); pid > 0 {
		return fmt.Sprintf("/proc/%d/root", pid)
	}
	return c.layout.RootFS()
}

// livePid is the init's host pid while it runs, else 0.
func (c *Container) livePid() int {
	if c.initPid <= 0 {
		return 0
	}
	if _, err := os.Readlink(fmt.Sprintf("/proc/%d/root", c.initPid)); err != nil {
		return 0 // gone, or a zombie
	}
	return c.initPid
}

// StreamIn implements garden.Container: the tar stream is unpacked from the
// host side into the container's filesystem, owned by spec.User.
func (c *Container) StreamIn(spec garden.StreamInSpec) error {
	root := c.rootDir()
	opts := files.ExtractOptions{}
	if c.userns {
		opts.MapID = hostID
	}
	u, err := lookupUser(root, spec.User)
	if err != nil {
		return err
	}
	if u.UID != 0 {
		opts.Owner = &files.Owner{UID: c.toHost(int(u.UID)), GID: c.toHost(int(u.GID))}
	}
	if err := files.Extract(root, spec.Path, spec.TarStream, opts); err != nil {
		return fmt.Errorf("stream in to %s: %w", spec.Path, err)
	}
	return nil
}

func (c *Container) toHost(id int) int {
	if c.userns {
		return hostID(id)
	}
	return id
}

// StreamOut implements garden.Container.
func (c *Container) StreamOut(spec garden.StreamOutSpec) (io.ReadCloser, error) {
	root := c.rootDir()
	if _, done, err := files.OpenIn(root, spec.Path); err != nil {
		return nil, fmt.Errorf("stream out %s: %w", spec.Path, err)
	} else {
		done()
	}
	r, w := io.Pipe()
	var mapID func(int) int
	if c.userns {
		mapID = containerIDOf
	}
	go func() { w.CloseWithError(files.Archive(root, spec.Path, w, mapID)) }()
	return r, nil
}

// CurrentBandwidthLimits implements garden.Container (no shaping: empty).
func (c *Container) CurrentBandwidthLimits() (garden.BandwidthLimits, error) {
	return garden.BandwidthLimits{}, nil
}

// CurrentCPULimits implements garden.Container.
func (c *Container) CurrentCPULimits() (garden.CPULimits, error) {
	return garden.CPULimits{LimitInShares: c.cgroup.CPUShares(), Weight: c.spec.Limits.CPU.Weight}, nil
}

// CurrentDiskLimits implements garden.Container.
func (c *Container) CurrentDiskLimits() (garden.DiskLimits, error) {
	return c.spec.Limits.Disk, nil
}

// CurrentMemoryLimits implements garden.Container.
func (c *Container) CurrentMemoryLimits() (garden.MemoryLimits, error) {
	return garden.MemoryLimits{LimitInBytes: c.spec.Limits.Memory.LimitInBytes}, nil
}

// NetIn implements garden.Container. A zero hostPort takes one from the
// pool; a zero containerPort means the same as the host port.
func (c *Container) NetIn(hostPort, containerPort uint32) (uint32, uint32, error) {
	if c.net == nil {
		return 0, 0, fmt.Errorf("container has no network")
	}
	fromPool := false
	if hostPort == 0 {
		p, err := c.b.net.Ports.Allocate()
		if err != nil {
			return 0, 0, err
		}
		hostPort, fromPool = p, true
	}
	if containerPort == 0 {
		containerPort = hostPort
	}
	if err := c.net.NetIn(hostPort, containerPort); err != nil {
		if fromPool {
			c.b.net.Ports.Release(hostPort)
		}
		return 0, 0, err
	}
	c.mu.Lock()
	c.mappings = append(c.mappings, garden.PortMapping{HostPort: hostPort, ContainerPort: containerPort})
	if fromPool {
		c.ports = append(c.ports, hostPort)
	}
	c.mu.Unlock()
	return hostPort, containerPort, nil
}

// NetOut implements garden.Container.
func (c *Container) NetOut(rule garden.NetOutRule) error {
	return c.BulkNetOut([]garden.NetOutRule{rule})
}

// BulkNetOut implements garden.Container.
func (c *Container) BulkNetOut(rules []garden.NetOutRule) error {
	if len(rules) == 0 {
		return nil
	}
	if c.net == nil {
		return fmt.Errorf("container has no network")
	}
	return c.net.NetOut(rules)
}

// Metrics implements garden.Container.
func (c *Container) Metrics() (garden.Metrics, error) {
	disk := c.diskUsage()
	m := garden.Metrics{
		MemoryStat: c.cgroup.Memory(),
		CPUStat:    c.cgroup.CPU(),
		PidStat:    c.cgroup.Pids(),
		DiskStat:   disk,
		Age:        time.Since(c.created),
	}
	if c.net != nil {
		rx, tx := c.net.Stats()
		m.NetworkStat = &garden.ContainerNetworkStat{RxBytes: rx, TxBytes: tx}
	}
	// Entitlement: CPU time the container's shares entitle it to since
	// creation, counting 1024 shares as one core.
	if shares := c.cgroup.CPUShares(); shares > 0 {
		m.CPUEntitlement = uint64(float64(m.Age.Nanoseconds()) * float64(shares) / 1024)
	}
	return m, nil
}
