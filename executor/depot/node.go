package depot

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"code.cloudfoundry.org/garden"
	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/executor"
	"github.com/godiego/diego/executor/applog"
	"github.com/godiego/diego/executor/steps"
	"github.com/godiego/diego/executor/transformer"
)

// node is one container and the work running in it.
type node struct {
	d *Depot

	mu       sync.Mutex
	info     executor.Container
	gc       garden.Container
	cancel   context.CancelFunc // stops the steps (or the creation)
	done     chan struct{}      // closed when creation and steps are over
	started  bool               // creation began
	stopped  bool
	releases []func()
	binds    []garden.BindMount
	streamer *applog.Streamer // the steps' log streamer, once they run
}

func newNode(d *Depot, info executor.Container) *node {
	return &node{d: d, info: info}
}

func (n *node) snapshot() executor.Container {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.info.Copy()
}

func (n *node) resource() executor.Resource {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.info.Resource
}

func (n *node) gardenContainer() garden.Container {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.gc
}

func (n *node) cellLog() *applog.Streamer {
	lc := n.info.LogConfig
	return applog.NewStreamer(n.d.cfg.Sink, lc.Guid, lc.Index, CellLogSourceName, lc.Tags)
}

// run moves reserved → initializing and starts creation in the background.
func (n *node) run(req executor.RunRequest) error {
	n.mu.Lock()
	if !n.info.State.CanTransitionTo(executor.StateInitializing) {
		n.mu.Unlock()
		return executor.ErrInvalidTransition
	}
	n.info.State = executor.StateInitializing
	n.info.RunInfo = req.RunInfo
	for k, v := range req.Tags {
		n.info.Tags[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	n.done = make(chan struct{})
	n.started = true
	n.mu.Unlock()
	go n.lifecycle(ctx)
	return nil
}

func (n *node) lifecycle(ctx context.Context) {
	defer close(n.done)
	select {
	case n.d.slots <- struct{}{}:
	case <-ctx.Done():
		n.complete(executor.RunResult{Stopped: true})
		return
	}
	gc, err := n.create(ctx)
	<-n.d.slots
	if err != nil {
		if ctx.Err() != nil {
			n.complete(executor.RunResult{Stopped: true})
			return
		}
		n.complete(executor.RunResult{Failed: true, FailureReason: err.Error(), Retryable: true})
		return
	}
	n.runSteps(ctx, gc)
}

// create downloads cached dependencies and creates the Garden container.
// Errors carry the failure reason.
func (n *node) create(ctx context.Context) (garden.Container, error) {
	info := n.snapshot()
	cell := n.cellLog()
	mounts, env, err := n.mounts(ctx, info)
	if err != nil {
		return nil, errors.New(ReasonDownloadFailed)
	}
	credMounts, credEnv, err := n.d.cfg.Credentials.Prepare(info.Guid)
	if err != nil {
		n.d.log.Error("failed-to-create-credentials-dir", err, lager.Data{"guid": info.Guid})
		return nil, errors.New(ReasonCredDirFailed)
	}
	mounts, env = append(mounts, credMounts...), append(env, credEnv...)
	cell.Printf("Cell %s creating container for instance %s", n.d.cfg.CellID, info.Guid)
	spec := n.spec(info, mounts, env)
	if spec.NetOut, err = netOutRules(info.EgressRules); err != nil {
		cell.Errorf("Cell %s failed to create container for instance %s: %s", n.d.cfg.CellID, info.Guid, err)
		return nil, fmt.Errorf("%s: %s", ReasonCreateFailed, err)
	}
	gc, err := n.d.garden.Create(spec)
	if err != nil {
		cell.Errorf("Cell %s failed to create container for instance %s: %s", n.d.cfg.CellID, info.Guid, err)
		return nil, fmt.Errorf("%s: %s", ReasonCreateFailed, err)
	}
	ginfo, err := gc.Info()
	if err != nil {
		n.d.garden.Destroy(info.Guid)
		cell.Errorf("Cell %s failed to create container for instance %s: %s", n.d.cfg.CellID, info.Guid, err)
		return nil, fmt.Errorf("%s: %s", ReasonCreateFailed, err)
	}
	cell.Printf("Cell %s successfully created container for instance %s", n.d.cfg.CellID, info.Guid)

	n.mu.Lock()
	defer n.mu.Unlock()
	n.gc = gc
	n.binds = mounts
	n.info.ExternalIP = ginfo.ExternalIP
	n.info.InternalIP = ginfo.ContainerIP
	n.info.Ports = mapPorts(n.info.RunInfo.Ports, ginfo.MappedPorts)
	if n.stopped || n.info.State != executor.StateInitializing {
		return nil, errors.New("stopped during creation")
	}
	n.info.State = executor.StateCreated
	return gc, nil
}

// mounts fetches cached dependencies and builds the bind mounts and env.
func (n *node) mounts(ctx context.Context, info executor.Container) ([]garden.BindMount, []string, error) {
	var mounts []garden.BindMount
	var env []string
	for _, dep := range info.CachedDependencies {
		streamer := applog.NewStreamer(n.d.cfg.Sink, info.LogConfig.Guid, info.LogConfig.Index, dep.LogSource, info.LogConfig.Tags)
		if dep.Name != "" {
			streamer.Printf("Downloading %s...", dep.Name)
		}
		u, err := url.ParseRequestURI(dep.From)
		if err != nil || n.d.cfg.Cache == nil {
			if dep.Name != "" {
				streamer.Printf("Downloading %s failed", dep.Name)
			}
			return nil, nil, fmt.Errorf("cached dependency %q: %v", dep.From, err)
		}
		dir, release, err := n.d.cfg.Cache.FetchAsDirectory(ctx, u, dep.CacheKey, dep.ChecksumAlgorithm, dep.ChecksumValue)
		if err != nil {
			if dep.Name != "" {
				streamer.Printf("Downloading %s failed", dep.Name)
			}
			n.d.log.Error("cached-dependency-failed", err, lager.Data{"guid": info.Guid})
			return nil, nil, err
		}
		n.mu.Lock()
		n.releases = append(n.releases, release)
		n.mu.Unlock()
		if dep.Name != "" {
			streamer.Printf("Downloaded %s", dep.Name)
		}
		mounts = append(mounts, garden.BindMount{SrcPath: dir, DstPath: dep.To, Mode: garden.BindMountModeRO, Origin: garden.BindMountOriginHost})
	}
	if host := n.d.cfg.TrustedSystemCertificatesPath; host != "" && info.TrustedSystemCertificatesPath != "" {
		mounts = append(mounts, garden.BindMount{SrcPath: host, DstPath: info.TrustedSystemCertificatesPath, Mode: garden.BindMountModeRO, Origin: garden.BindMountOriginHost})
		env = append(env, "CF_SYSTEM_CERT_PATH="+info.TrustedSystemCertificatesPath)
	}
	if n.d.cfg.Steps.DeclarativeHealthcheck && n.d.cfg.DeclarativeHealthcheckPath != "" {
		mounts = append(mounts, garden.BindMount{SrcPath: n.d.cfg.DeclarativeHealthcheckPath, DstPath: HealthcheckDst, Mode: garden.BindMountModeRO, Origin: garden.BindMountOriginHost})
	}
	return mounts, env, nil
}

func (n *node) spec(info executor.Container, mounts []garden.BindMount, extraEnv []string) garden.ContainerSpec {
	env := make([]string, 0, len(info.Env)+len(extraEnv))
	for _, e := range info.Env {
		env = append(env, e.GetName()+"="+e.GetValue())
	}
	env = append(env, extraEnv...)
	props := garden.Properties{OwnerProperty: n.d.cfg.OwnerName}
	for k, v := range info.NetworkProperties {
		props["network."+k] = v
	}
	var netIn []garden.NetIn
	for _, p := range info.RunInfo.Ports {
		netIn = append(netIn, garden.NetIn{ContainerPort: p.ContainerPort})
	}
	limits := garden.Limits{
		Memory: garden.MemoryLimits{LimitInBytes: uint64(info.MemoryMB) << 20},
		Disk:   garden.DiskLimits{ByteHard: uint64(info.DiskMB) << 20, InodeHard: n.d.cfg.ContainerInodeLimit, Scope: garden.DiskLimitScopeTotal},
		Pid:    garden.PidLimits{Max: uint64(max(info.MaxPids, 0))},
	}
	if n.d.cfg.SetCPUWeight && info.CPUWeight > 0 && n.d.cfg.ContainerMaxCPUShares > 0 {
		limits.CPU = garden.CPULimits{LimitInShares: n.d.cfg.ContainerMaxCPUShares * uint64(info.CPUWeight) / 100}
	}
	return garden.ContainerSpec{
		Handle:     info.Guid,
		Image:      garden.ImageRef{URI: info.RootFSPath, Username: info.ImageUsername, Password: info.ImagePassword},
		Privileged: info.Privileged,
		Env:        env,
		BindMounts: mounts,
		Limits:     limits,
		NetIn:      netIn,
		Properties: props,
	}
}

// mapPorts fills in the host ports Garden mapped for each container port.
func mapPorts(want []executor.PortMapping, mapped []garden.PortMapping) []executor.PortMapping {
	out := make([]executor.PortMapping, 0, len(want))
	for _, p := range want {
		for _, m := range mapped {
			if m.ContainerPort == p.ContainerPort {
				p.HostPort = m.HostPort
				break
			}
		}
		out = append(out, p)
	}
	return out
}

// runSteps runs the step tree: created → running once ready → completed.
func (n *node) runSteps(ctx context.Context, gc garden.Container) {
	// The credentials come first (they name the container's IP) and are
	// kept fresh while the steps run; a failed rotation ends the steps.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var credMu sync.Mutex
	var credErr error
	credsDone, err := n.keepCredentials(ctx, func(err error) {
		credMu.Lock()
		credErr = err
		credMu.Unlock()
		cancel()
	})
	if err != nil {
		n.complete(executor.RunResult{Failed: true, FailureReason: ReasonCredentialsPrefix + err.Error()})
		return
	}
	defer func() { cancel(); <-credsDone }()
	info := n.snapshot()
	n.mu.Lock()
	binds := n.binds
	// Under the lock that UpdateContainer takes, so no tag update is lost.
	lc := n.info.LogConfig
	streamer := applog.NewStreamer(n.d.cfg.Sink, lc.Guid, lc.Index, lc.SourceName, lc.Tags)
	n.streamer = streamer
	n.mu.Unlock()
	step, hasReadiness, err := transformer.Steps(n.d.cfg.Steps, transformer.Input{
		Container: info, Garden: gc, Streamer: streamer, SetRoutable: n.setRoutable, BindMounts: binds})
	if err != nil {
		n.complete(executor.RunResult{Failed: true, FailureReason: ReasonStepsFailedToRun + ": " + err.Error()})
		return
	}
	err = step.Run(ctx, func() { n.becomeRunning(!hasReadiness) })
	streamer.Flush()
	n.mu.Lock()
	stopped := n.stopped
	n.mu.Unlock()
	credMu.Lock()
	rotationErr := credErr
	credMu.Unlock()
	switch {
	case rotationErr != nil:
		n.complete(executor.RunResult{Failed: true, FailureReason: ReasonCredentialsPrefix + rotationErr.Error()})
	case stopped:
		n.complete(executor.RunResult{Stopped: true})
	case err != nil:
		n.complete(executor.RunResult{Failed: true, FailureReason: failureReason(err)})
	default:
		n.complete(executor.RunResult{})
	}
}

func failureReason(err error) string {
	msg := err.Error()
	if msg == "" {
		msg = "container work failed"
	}
	return strings.TrimSpace(msg)
}

func (n *node) becomeRunning(routable bool) {
	n.mu.Lock()
	if !n.info.State.CanTransitionTo(executor.StateRunning) || n.stopped {
		n.mu.Unlock()
		return
	}
	n.info.State = executor.StateRunning
	n.info.Routable = routable
	info := n.info.Copy()
	n.mu.Unlock()
	n.d.hub.emit(executor.Event{Type: executor.EventTypeContainerRunning, Container: info})
}

func (n *node) setRoutable(routable bool) {
	n.mu.Lock()
	if n.info.State != executor.StateRunning || n.info.Routable == routable {
		n.info.Routable = routable
		n.mu.Unlock()
		return
	}
	n.info.Routable = routable
	info := n.info.Copy()
	n.mu.Unlock()
	n.d.hub.emit(executor.Event{Type: executor.EventTypeContainerRunning, Container: info})
}

// complete moves the container to completed once, and emits the event.
func (n *node) complete(result executor.RunResult) {
	n.mu.Lock()
	if n.info.State == executor.StateCompleted {
		n.mu.Unlock()
		return
	}
	n.info.State = executor.StateCompleted
	n.info.RunResult = result
	n.info.Routable = false
	info := n.info.Copy()
	n.mu.Unlock()
	n.d.hub.emit(executor.Event{Type: executor.EventTypeContainerComplete, Container: info})
}

// completeIf completes the container only if it is still in state.
func (n *node) completeIf(state executor.State, result executor.RunResult) {
	n.mu.Lock()
	if n.info.State != state {
		n.mu.Unlock()
		return
	}
	cancel := n.cancel
	n.mu.Unlock()
	n.complete(result)
	if cancel != nil {
		cancel()
	}
}

// stop cancels the work; the container completes as stopped.
func (n *node) stop() {
	n.mu.Lock()
	n.stopped = true
	cancel, started, state, guid := n.cancel, n.started, n.info.State, n.info.Guid
	var cell *applog.Streamer
	if state == executor.StateRunning || state == executor.StateCreated {
		cell = n.cellLog()
	}
	n.mu.Unlock()
	if cell != nil {
		cell.Printf("Cell %s stopping instance %s", n.d.cfg.CellID, guid)
	}
	if cancel != nil {
		cancel()
	}
	if !started {
		n.complete(executor.RunResult{Stopped: true})
	}
}

// destroy stops the work, waits for it, and destroys the Garden container.
func (n *node) destroy() error {
	n.stop()
	n.mu.Lock()
	done := n.done
	n.mu.Unlock()
	if done != nil {
		<-done
	}
	// As upstream, even when Garden fails to destroy the container.
	defer n.removeCredentials()
	n.mu.Lock()
	gc, guid, releases := n.gc, n.info.Guid, n.releases
	n.releases = nil
	n.mu.Unlock()
	defer func() {
		for _, r := range releases {
			r()
		}
	}()
	if gc == nil {
		return nil
	}
	cell := n.cellLog()
	cell.Printf("Cell %s destroying container for instance %s", n.d.cfg.CellID, guid)
	if err := n.d.garden.Destroy(guid); err != nil {
		var notFound garden.ContainerNotFoundError
		if !errors.As(err, &notFound) {
			cell.Printf("Cell %s failed to destroy container for instance %s", n.d.cfg.CellID, guid)
			return fmt.Errorf("destroying garden container: %w", err)
		}
	}
	cell.Printf("Cell %s successfully destroyed container for instance %s", n.d.cfg.CellID, guid)
	return nil
}

var _ steps.Streamer = (*applog.Streamer)(nil)
