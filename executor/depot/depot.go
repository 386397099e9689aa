// Package depot implements the executor's container lifecycle on Garden:
// allocation against the resource ledger, creation (cached dependencies
// bind-mounted, instance identity credentials mounted and rotated, ports
// mapped), running the step tree, stopping (TERM, then
// KILL after the graceful interval), deletion, the pruner of expired
// reservations, the reaper of leftover containers, events, and metrics.
// It reaches containers only through the Garden client.
package depot

import (
	"context"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"code.cloudfoundry.org/garden"
	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/executor"
	"github.com/godiego/diego/executor/applog"
	"github.com/godiego/diego/executor/cache"
	"github.com/godiego/diego/executor/credentials"
	"github.com/godiego/diego/executor/transformer"
)

// Garden property keys the executor sets.
const (
	OwnerProperty     = "executor:owner"
	DefaultOwnerName  = "executor"
	HealthcheckDst    = transformer.HealthcheckDstPath
	CellLogSourceName = "CELL"
)

// Failure reasons, as upstream words them.
const (
	ReasonExpired          = "expired container"
	ReasonMissing          = "missing garden container"
	ReasonDownloadFailed   = "failed to download cached artifacts"
	ReasonCreateFailed     = "failed to create container"
	ReasonStepsFailedToRun = "failed to build steps"
	ReasonCredDirFailed    = "failed to create credentials directory"
	// ReasonCredentialsPrefix starts the failure reason when issuing or
	// rotating instance identity credentials fails (upstream's runner name).
	ReasonCredentialsPrefix = "cred-manager-runner exited: "
)

// Config configures a Depot.
type Config struct {
	CellID                 string
	OwnerName              string
	Total                  executor.ExecutorResources
	ReservedExpirationTime time.Duration
	ContainerReapInterval  time.Duration
	CreateWorkPoolSize     int
	Steps                  transformer.Config
	// Cache downloads cached dependencies (may be nil when none are used).
	Cache *cache.Cache
	// DeclarativeHealthcheckPath is the host directory holding the
	// healthcheck binary, bind-mounted at /etc/cf-assets/healthcheck.
	DeclarativeHealthcheckPath string
	// TrustedSystemCertificatesPath is the host directory of CA certs
	// mounted where a container asks for them.
	TrustedSystemCertificatesPath string
	ContainerInodeLimit           uint64
	ContainerMaxCPUShares         uint64
	SetCPUWeight                  bool
	// Credentials issues instance identity credentials; nil turns them off.
	Credentials *credentials.Manager
	Sink        applog.Sink
	Logger      lager.Logger
}

// Depot is the executor: the in-process API the rep uses.
type Depot struct {
	cfg    Config
	garden garden.Client
	ledger *executor.Ledger
	log    lager.Logger
	slots  chan struct{}

	mu    sync.Mutex
	nodes map[string]*node

	hub     hub
	healthy healthFlag
}

// New returns a depot over the given Garden client.
func New(cfg Config, client garden.Client) *Depot {
	if cfg.OwnerName == "" {
		cfg.OwnerName = DefaultOwnerName
	}
	if cfg.CreateWorkPoolSize <= 0 {
		cfg.CreateWorkPoolSize = 32
	}
	if cfg.ReservedExpirationTime <= 0 {
		cfg.ReservedExpirationTime = time.Minute
	}
	if cfg.ContainerReapInterval <= 0 {
		cfg.ContainerReapInterval = time.Minute
	}
	if cfg.Sink == nil {
		cfg.Sink = applog.LagerSink{Logger: cfg.Logger}
	}
	d := &Depot{cfg: cfg, garden: client, ledger: executor.NewLedger(cfg.Total), log: cfg.Logger.Session("depot"),
		slots: make(chan struct{}, cfg.CreateWorkPoolSize), nodes: map[string]*node{}}
	d.healthy.set(true)
	return d
}

// TotalResources is the cell's capacity.
func (d *Depot) TotalResources() executor.ExecutorResources { return d.ledger.Total() }

// RemainingResources is what AllocateContainers can still hand out.
func (d *Depot) RemainingResources() executor.ExecutorResources { return d.ledger.Remaining() }

// Healthy reports whether Garden last answered health checks.
func (d *Depot) Healthy() bool { return d.healthy.get() }

// SetHealthy records the Garden health check's verdict.
func (d *Depot) SetHealthy(ok bool) { d.healthy.set(ok) }

// Subscribe returns a channel of lifecycle events and a function that ends
// the subscription.
func (d *Depot) Subscribe() (<-chan executor.Event, func()) { return d.hub.subscribe() }

// AllocateContainers reserves containers; the failed requests come back.
func (d *Depot) AllocateContainers(reqs []executor.AllocationRequest) []executor.AllocationFailure {
	var failures []executor.AllocationFailure
	for _, req := range reqs {
		if err := d.allocate(req); err != nil {
			failures = append(failures, executor.AllocationFailure{AllocationRequest: req, ErrorMsg: err.Error()})
		}
	}
	return failures
}

func (d *Depot) allocate(req executor.AllocationRequest) error {
	if req.MemoryMB < 0 || req.DiskMB < 0 {
		return fmt.Errorf("invalid resources: memory %d MB, disk %d MB", req.MemoryMB, req.DiskMB)
	}
	d.mu.Lock()
	if _, exists := d.nodes[req.Guid]; exists {
		d.mu.Unlock()
		return executor.ErrContainerGuidNotAvailable
	}
	if err := d.ledger.Allocate(req.Resource); err != nil {
		d.mu.Unlock()
		return err
	}
	tags := executor.Tags{}
	for k, v := range req.Tags {
		tags[k] = v
	}
	n := newNode(d, executor.Container{Guid: req.Guid, State: executor.StateReserved, Resource: req.Resource,
		Tags: tags, AllocatedAt: time.Now().UnixNano(),
		MemoryLimit: uint64(req.MemoryMB) << 20, DiskLimit: uint64(req.DiskMB) << 20})
	d.nodes[req.Guid] = n
	info := n.snapshot()
	d.mu.Unlock()
	d.hub.emit(executor.Event{Type: executor.EventTypeContainerReserved, Container: info})
	return nil
}

func (d *Depot) node(guid string) (*node, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	n, ok := d.nodes[guid]
	if !ok {
		return nil, executor.ErrContainerNotFound
	}
	return n, nil
}

// GetContainer returns one container.
func (d *Depot) GetContainer(guid string) (executor.Container, error) {
	n, err := d.node(guid)
	if err != nil {
		return executor.Container{}, err
	}
	return n.snapshot(), nil
}

// ListContainers returns every container, ordered by guid.
func (d *Depot) ListContainers() []executor.Container {
	d.mu.Lock()
	nodes := make([]*node, 0, len(d.nodes))
	for _, n := range d.nodes {
		nodes = append(nodes, n)
	}
	d.mu.Unlock()
	out := make([]executor.Container, 0, len(nodes))
	for _, n := range nodes {
		out = append(out, n.snapshot())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Guid < out[j].Guid })
	return out
}

// RunContainer starts creating and running a reserved container.
func (d *Depot) RunContainer(req executor.RunRequest) error {
	n, err := d.node(req.Guid)
	if err != nil {
		return err
	}
	return n.run(req)
}

// StopContainer stops a container's work; it completes with stopped=true.
func (d *Depot) StopContainer(guid string) error {
	n, err := d.node(guid)
	if err != nil {
		return err
	}
	n.stop()
	return nil
}

// DeleteContainer stops the container if needed, destroys its Garden
// container and frees its resources.
func (d *Depot) DeleteContainer(guid string) error {
	n, err := d.node(guid)
	if err != nil {
		return err
	}
	if err := n.destroy(); err != nil {
		return err
	}
	d.mu.Lock()
	if d.nodes[guid] == n {
		delete(d.nodes, guid)
		d.ledger.Free(n.resource())
	}
	d.mu.Unlock()
	return nil
}

// UpdateContainer records new internal routes and metric tags; a nil
// argument leaves that part as it is. New metric tags also become the tags
// of the container's app log lines and metrics from then on.
func (d *Depot) UpdateContainer(guid string, internalRoutes []string, metricTags map[string]string) error {
	n, err := d.node(guid)
	if err != nil {
		return err
	}
	n.mu.Lock()
	if internalRoutes != nil {
		n.info.InternalRoutes = internalRoutes
	}
	streamer := n.streamer
	if metricTags != nil {
		n.info.MetricTags = metricTags
		n.info.LogConfig.Tags = metricTags
	}
	n.mu.Unlock()
	if metricTags != nil && streamer != nil {
		streamer.UpdateTags(metricTags)
	}
	return nil
}

// GetFiles streams a path out of a container as a tar.
func (d *Depot) GetFiles(guid, path string) (io.ReadCloser, error) {
	n, err := d.node(guid)
	if err != nil {
		return nil, err
	}
	gc := n.gardenContainer()
	if gc == nil {
		return nil, executor.ErrContainerNotFound
	}
	return gc.StreamOut(garden.StreamOutSpec{Path: path, User: "root"})
}

// Run runs the pruner and the reaper until ctx ends.
func (d *Depot) Run(ctx context.Context) {
	prune := time.NewTicker(d.cfg.ReservedExpirationTime / 2)
	reap := time.NewTicker(d.cfg.ContainerReapInterval)
	defer prune.Stop()
	defer reap.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-prune.C:
			d.Prune(time.Now())
		case <-reap.C:
			d.Reap()
		}
	}
}

// Prune completes reserved containers older than the reservation expiry.
func (d *Depot) Prune(now time.Time) {
	for _, c := range d.ListContainers() {
		if c.State == executor.StateReserved && now.Sub(time.Unix(0, c.AllocatedAt)) > d.cfg.ReservedExpirationTime {
			if n, err := d.node(c.Guid); err == nil {
				n.completeIf(executor.StateReserved, executor.RunResult{Failed: true, FailureReason: ReasonExpired})
			}
		}
	}
}

// Reap destroys Garden containers this executor owns but does not know,
// and completes known created containers whose Garden container is gone.
func (d *Depot) Reap() {
	containers, err := d.garden.Containers(garden.Properties{OwnerProperty: d.cfg.OwnerName})
	if err != nil {
		d.log.Error("reap-list-failed", err)
		return
	}
	inGarden := map[string]bool{}
	for _, gc := range containers {
		handle := gc.Handle()
		inGarden[handle] = true
		if _, err := d.node(handle); err == executor.ErrContainerNotFound {
			d.log.Info("reaping-unknown-container", lager.Data{"handle": handle})
			if err := d.garden.Destroy(handle); err != nil {
				d.log.Error("reap-destroy-failed", err, lager.Data{"handle": handle})
			}
		}
	}
	for _, c := range d.ListContainers() {
		if (c.State == executor.StateCreated || c.State == executor.StateRunning) && !inGarden[c.Guid] {
			if n, err := d.node(c.Guid); err == nil && n.gardenContainer() != nil {
				n.completeIf(c.State, executor.RunResult{Failed: true, FailureReason: ReasonMissing})
				n.removeCredentials()
			}
		}
	}
}

// DestroyLeftovers destroys every Garden container this owner has, and
// their instance identity credentials, at start-up, so a restarted rep
// starts from a clean cell.
func (d *Depot) DestroyLeftovers() error {
	containers, err := d.garden.Containers(garden.Properties{OwnerProperty: d.cfg.OwnerName})
	if err != nil {
		return fmt.Errorf("listing garden containers: %w", err)
	}
	for _, gc := range containers {
		if err := d.garden.Destroy(gc.Handle()); err != nil {
			d.log.Error("destroy-leftover-failed", err, lager.Data{"handle": gc.Handle()})
		}
		if err := d.cfg.Credentials.Remove(gc.Handle()); err != nil {
			d.log.Error("failed-to-remove-credentials-dir", err, lager.Data{"handle": gc.Handle()})
		}
	}
	return nil
}

type healthFlag struct {
	mu sync.Mutex
	ok bool
}

func (h *healthFlag) get() bool   { h.mu.Lock(); defer h.mu.Unlock(); return h.ok }
func (h *healthFlag) set(ok bool) { h.mu.Lock(); h.ok = ok; h.mu.Unlock() }
