package backend

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"code.cloudfoundry.org/garden"

	"github.com/godiego/diego/garden/files"
	"github.com/godiego/diego/garden/process"
	"github.com/godiego/diego/garden/rootfs"
	"github.com/godiego/diego/garden/runc"
)

// Run implements garden.Container. Processes without an image run through
// `runc exec`; processes with their own image run as a sidecar container
// (see sidecar.go).
func (c *Container) Run(spec garden.ProcessSpec, pio garden.ProcessIO) (garden.Process, error) {
	if spec.Path == "" {
		return nil, fmt.Errorf("process spec needs a path")
	}
	id := spec.ID
	if id == "" {
		id = newHandle()
	}
	c.mu.Lock()
	if c.destroying {
		c.mu.Unlock()
		return nil, fmt.Errorf("container %s is being destroyed", c.handle)
	}
	if c.state == "stopped" {
		c.mu.Unlock()
		return nil, errStopped
	}
	if p, ok := c.processes[id]; ok && !p.Exited() {
		c.mu.Unlock()
		return nil, fmt.Errorf("process ID %q is already in use", id)
	}
	c.procWG.Add(1)
	c.mu.Unlock()

	var p *process.Process
	var err error
	if spec.Image.URI == "" && len(spec.BindMounts) > 0 {
		c.procWG.Done()
		return nil, fmt.Errorf("process bind mounts are only supported for processes with their own image (ProcessSpec.Image)")
	}
	if spec.Image.URI != "" {
		p, err = c.runSidecar(id, spec, pio)
	} else {
		p, err = c.exec(id, spec, pio)
	}
	if err != nil {
		c.procWG.Done()
		return nil, err
	}
	c.mu.Lock()
	c.processes[id] = p
	c.mu.Unlock()
	go c.forgetLater(id, p)
	return p, nil
}

// exitedProcessTTL is how long a finished process can still be attached
// to (to read its exit status) before it is forgotten.
const exitedProcessTTL = time.Minute

// forgetLater drops a finished process from the table after
// exitedProcessTTL, so containers running many short processes (health
// checks) do not grow without bound.
func (c *Container) forgetLater(id string, p *process.Process) {
	<-p.Done()
	time.Sleep(exitedProcessTTL)
	c.mu.Lock()
	if c.processes[id] == p {
		delete(c.processes, id)
	}
	c.mu.Unlock()
}

// Attach implements garden.Container.
func (c *Container) Attach(id string, pio garden.ProcessIO) (garden.Process, error) {
	c.mu.Lock()
	p, ok := c.processes[id]
	c.mu.Unlock()
	if !ok {
		return nil, garden.ProcessNotFoundError{ProcessID: id}
	}
	p.Attach(pio)
	return p, nil
}

// processDir holds a process's runc files while it runs.
func (c *Container) processDir(id string) string {
	return filepath.Join(c.dir, "processes", hashHex(id, 16))
}

// ociProcess builds the OCI process for spec, resolving the user and
// working directory inside root (creating the directory when missing).
func (c *Container) ociProcess(root string, spec garden.ProcessSpec) (*runc.Process, error) {
	u, err := lookupUser(root, spec.User)
	if err != nil {
		return nil, err
	}
	env := processEnv(c.spec.Env, spec.Env, u)
	dir := spec.Dir
	if dir == "" {
		dir = u.Home
		if dir == "" {
			dir = "/"
		}
	}
	if !isFileIn(root, dir) {
		if err := files.MkdirIn(root, dir, c.toHost(int(u.UID)), c.toHost(int(u.GID))); err != nil {
			return nil, fmt.Errorf("creating working directory %s: %w", dir, err)
		}
	}
	if !findExecutable(root, spec.Path, dir, env) && !inHostBindMount(spec.BindMounts, spec.Path) {
		return nil, garden.ExecutableNotFoundError{Message: fmt.Sprintf("exec: %q: executable file not found in $PATH", spec.Path)}
	}
	return &runc.Process{
		Terminal:     spec.TTY != nil,
		User:         runc.User{UID: u.UID, GID: u.GID},
		Args:         append([]string{spec.Path}, spec.Args...),
		Env:          env,
		Cwd:          dir,
		Capabilities: runc.ProcessCapabilities(u.UID, c.capabilities()),
		Rlimits:      rlimits(spec.Limits),
	}, nil
}

func (c *Container) exec(id string, spec garden.ProcessSpec, pio garden.ProcessIO) (*process.Process, error) {
	proc, err := c.ociProcess(c.rootDir(), spec)
	if err != nil {
		return nil, err
	}
	dir := c.processDir(id)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	processFile, pidFile := filepath.Join(dir, "process.json"), filepath.Join(dir, "pid")
	if err := runc.WriteJSON(processFile, proc); err != nil {
		return nil, err
	}
	p, err := process.Start(process.Options{
		ID:      id,
		Cmd:     c.b.runc.ExecCommand(c.id, processFile, pidFile),
		PidFile: pidFile,
		TTY:     spec.TTY,
		IO:      pio,
		OnExit: func() {
			_ = os.RemoveAll(dir)
			c.procWG.Done()
		},
	})
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return p, nil
}

// runSidecar runs spec in its own rootfs (spec.Image) as a separate runc
// container that joins the main container's user, pid, ipc, uts and
// network namespaces, in a child cgroup of the container's.
func (c *Container) runSidecar(id string, spec garden.ProcessSpec, pio garden.ProcessIO) (*process.Process, error) {
	initPid := c.livePid()
	if initPid == 0 {
		return nil, fmt.Errorf("container %s is not running", c.handle)
	}
	lowers, err := c.b.store.Resolve(spec.Image.URI)
	if err != nil {
		return nil, err
	}
	key := hashHex(id, 16)
	sid := c.id + "-sidecar-" + key
	dir := filepath.Join(c.dir, "sidecars", key)
	layout := rootfs.Layout{Dir: dir}
	cleanup := func() {
		_ = c.b.runc.Delete(context.Background(), sid, true)
		_ = layout.Unmount()
		_ = os.RemoveAll(dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := layout.Mount(lowers, c.usernsFD(), rootUID); err != nil {
		cleanup()
		return nil, err
	}
	proc, err := c.ociProcess(layout.RootFS(), spec)
	if err != nil {
		cleanup()
		return nil, err
	}
	ns := func(kind string) string { return fmt.Sprintf("/proc/%d/ns/%s", initPid, kind) }
	s := &runc.Spec{
		OCIVersion: "1.0.2",
		Process:    proc,
		Root:       runc.Root{Path: layout.RootFS()},
		Mounts: append(append(standardMounts(c.userns), []runc.Mount{
			{Destination: "/etc/hosts", Type: "bind", Source: filepath.Join(c.dir, "hosts"), Options: []string{"bind", "ro"}},
			{Destination: "/etc/resolv.conf", Type: "bind", Source: filepath.Join(c.dir, "resolv.conf"), Options: []string{"bind", "ro"}},
		}...), processBindMounts(spec.BindMounts)...),
		Linux: runc.Linux{
			CgroupsPath: string(c.cgroup) + "/sidecar-" + key,
			Resources:   &runc.Resources{Devices: []runc.DeviceRule{{Allow: c.spec.Privileged, Access: "rwm"}}},
			Namespaces: []runc.Namespace{
				{Type: "pid", Path: ns("pid")}, {Type: "ipc", Path: ns("ipc")}, {Type: "uts", Path: ns("uts")},
				{Type: "network", Path: ns("net")}, {Type: "mount"},
			},
		},
	}
	if o := spec.OverrideContainerLimits; o != nil {
		// The sidecar is accounted apart from the container, with its own
		// limits (none when empty), as Diego's health checks expect.
		s.Linux.CgroupsPath = c.b.cgroupParent() + "/" + sid
		if o.Memory.LimitInBytes > 0 {
			m := int64(o.Memory.LimitInBytes)
			s.Linux.Resources.Memory = &runc.Memory{Limit: &m}
		}
		if shares := max(o.CPU.LimitInShares, o.CPU.Weight); shares > 0 {
			s.Linux.Resources.CPU = &runc.CPU{Shares: &shares}
		}
	}
	if c.userns {
		s.Linux.Namespaces = append(s.Linux.Namespaces, runc.Namespace{Type: "user", Path: ns("user")})
		s.Linux.UIDMappings, s.Linux.GIDMappings = idMappings, idMappings
		s.Linux.MaskedPaths, s.Linux.ReadonlyPaths = maskedPaths, readonlyPaths
	}
	if err := runc.WriteJSON(filepath.Join(dir, "config.json"), s); err != nil {
		cleanup()
		return nil, err
	}
	pidFile := filepath.Join(dir, "pid")
	c.mu.Lock()
	c.sidecars[sid] = true
	c.mu.Unlock()
	p, err := process.Start(process.Options{
		ID:      id,
		Cmd:     c.b.runc.RunCommand(sid, dir, pidFile),
		PidFile: pidFile,
		TTY:     spec.TTY,
		IO:      pio,
		OnExit: func() {
			cleanup()
			c.mu.Lock()
			delete(c.sidecars, sid)
			c.mu.Unlock()
			c.procWG.Done()
		},
	})
	if err != nil {
		cleanup()
		c.mu.Lock()
		delete(c.sidecars, sid)
		c.mu.Unlock()
		return nil, err
	}
	return p, nil
}

func processBindMounts(bms []garden.BindMount) []runc.Mount {
	var out []runc.Mount
	for _, bm := range bms {
		mode := "ro"
		if bm.Mode == garden.BindMountModeRW {
			mode = "rw"
		}
		out = append(out, runc.Mount{Destination: bm.DstPath, Type: "bind", Source: bm.SrcPath, Options: []string{"rbind", mode}})
	}
	return out
}

func rlimits(l garden.ResourceLimits) []runc.Rlimit {
	var out []runc.Rlimit
	add := func(name string, v *uint64) {
		if v != nil {
			out = append(out, runc.Rlimit{Type: name, Hard: *v, Soft: *v})
		}
	}
	add("RLIMIT_AS", l.As)
	add("RLIMIT_CORE", l.Core)
	add("RLIMIT_CPU", l.Cpu)
	add("RLIMIT_DATA", l.Data)
	add("RLIMIT_FSIZE", l.Fsize)
	add("RLIMIT_LOCKS", l.Locks)
	add("RLIMIT_MEMLOCK", l.Memlock)
	add("RLIMIT_MSGQUEUE", l.Msgqueue)
	add("RLIMIT_NICE", l.Nice)
	add("RLIMIT_NOFILE", l.Nofile)
	add("RLIMIT_NPROC", l.Nproc)
	add("RLIMIT_RSS", l.Rss)
	add("RLIMIT_RTPRIO", l.Rtprio)
	add("RLIMIT_SIGPENDING", l.Sigpending)
	add("RLIMIT_STACK", l.Stack)
	return out
}
