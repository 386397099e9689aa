package executor

import (
	"errors"

	"github.com/godiego/diego/executor/steps"
	"github.com/godiego/diego/proto/models"
)

// State is a container's lifecycle state.
type State string

// Container states, in lifecycle order.
const (
	StateInvalid      State = ""
	StateReserved     State = "reserved"
	StateInitializing State = "initializing"
	StateCreated      State = "created"
	StateRunning      State = "running"
	StateCompleted    State = "completed"
)

// Tag keys the rep puts on containers.
const (
	LifecycleTag     = "lifecycle"
	ResultFileTag    = "result-file"
	DomainTag        = "domain"
	PlacementTagsTag = "placement-tags"
	VolumeDriversTag = "volume-drivers"
	ProcessGuidTag   = "process-guid"
	ProcessIndexTag  = "process-index"
	InstanceGuidTag  = "instance-guid"

	TaskLifecycle = "task"
	LRPLifecycle  = "lrp"
)

// Errors the executor API returns.
var (
	ErrContainerNotFound              = errors.New("container not found")
	ErrContainerGuidNotAvailable      = errors.New("container guid not available")
	ErrInsufficientResourcesAvailable = errors.New("insufficient resources available")
	ErrInvalidTransition              = errors.New("failed to transition to the requested state")
	ErrNotRunning                     = errors.New("container is not running")
	ErrFailureToCheckSpace            = errors.New("failed to check available space")
)

// Tags are string labels on a container.
type Tags map[string]string

// Resource is what a container takes from the cell.
type Resource struct {
	MemoryMB   int    `json:"memory_mb"`
	DiskMB     int    `json:"disk_mb"`
	MaxPids    int    `json:"max_pids"`
	RootFSPath string `json:"rootfs"`
}

// ExecutorResources is an amount of cell capacity.
type ExecutorResources struct {
	MemoryMB   int `json:"memory_mb"`
	DiskMB     int `json:"disk_mb"`
	Containers int `json:"containers"`
}

// PortMapping maps a container port to a host port.
type PortMapping = steps.PortMapping

// CachedDependency is an artifact downloaded once per cell and bind-mounted
// read-only into containers.
type CachedDependency struct {
	Name      string
	From      string
	To        string
	CacheKey  string
	LogSource string
	// ChecksumAlgorithm and ChecksumValue verify the download.
	ChecksumAlgorithm string
	ChecksumValue     string
}

// LogConfig says where a container's app logs go.
type LogConfig struct {
	Guid       string            `json:"guid"`
	Index      int               `json:"index"`
	SourceName string            `json:"source_name"`
	Tags       map[string]string `json:"tags,omitempty"`
}

// RunInfo is what a container runs, set by RunContainer.
type RunInfo struct {
	CPUWeight                     uint
	Privileged                    bool
	Setup                         *models.Action
	Action                        *models.Action
	Monitor                       *models.Action
	CheckDefinition               *models.CheckDefinition
	StartTimeoutMs                uint
	Env                           []*models.EnvironmentVariable
	Ports                         []PortMapping
	EgressRules                   []*models.SecurityGroupRule
	CachedDependencies            []CachedDependency
	LogConfig                     LogConfig
	TrustedSystemCertificatesPath string
	Sidecars                      []*models.Sidecar
	ImageUsername                 string
	ImagePassword                 string
	NetworkProperties             map[string]string
	CertificateProperties         CertificateProperties
}

// CertificateProperties are extra fields of the instance identity
// certificate, from the LRP's or task's certificate_properties.
type CertificateProperties struct {
	OrganizationalUnit []string
}

// RunResult is how a container's work ended.
type RunResult struct {
	Failed        bool   `json:"failed"`
	FailureReason string `json:"failure_reason"`
	Stopped       bool   `json:"stopped"`
	// Retryable marks failures before the work ran (setup, creation), after
	// which a task may be rejected and re-placed.
	Retryable bool `json:"-"`
}

// Container is the executor's record of one container.
type Container struct {
	Guid        string    `json:"guid"`
	State       State     `json:"state"`
	Routable    bool      `json:"routable"`
	AllocatedAt int64     `json:"allocated_at"`
	ExternalIP  string    `json:"external_ip"`
	InternalIP  string    `json:"internal_ip"`
	RunResult   RunResult `json:"run_result"`
	MemoryLimit uint64    `json:"memory_limit"`
	DiskLimit   uint64    `json:"disk_limit"`
	Tags        Tags      `json:"tags,omitempty"`
	// Ports are the mapped ports once created (host ports filled in).
	Ports []PortMapping `json:"ports,omitempty"`
	Resource
	RunInfo `json:"-"`
	// InternalRoutes and MetricTags are updated in place by the rep.
	InternalRoutes []string          `json:"-"`
	MetricTags     map[string]string `json:"-"`
}

// HasTags reports whether c carries every tag in t.
func (c *Container) HasTags(t Tags) bool {
	for k, v := range t {
		if c.Tags[k] != v {
			return false
		}
	}
	return true
}

// Copy returns a copy safe to hand out (maps and slices are shared
// read-only, tags are copied).
func (c Container) Copy() Container {
	tags := make(Tags, len(c.Tags))
	for k, v := range c.Tags {
		tags[k] = v
	}
	c.Tags = tags
	c.Ports = append([]PortMapping(nil), c.Ports...)
	return c
}

// IsStarting reports whether the container is reserved, initializing or created.
func (s State) IsStarting() bool {
	return s == StateReserved || s == StateInitializing || s == StateCreated
}

// CanTransitionTo reports whether the lifecycle allows s → to. Completed is
// reachable from every state.
func (s State) CanTransitionTo(to State) bool {
	if to == StateCompleted {
		return s != StateCompleted
	}
	switch s {
	case StateReserved:
		return to == StateInitializing
	case StateInitializing:
		return to == StateCreated
	case StateCreated:
		return to == StateRunning
	case StateRunning:
		return to == StateRunning
	}
	return false
}

// AllocationRequest asks for one reserved container.
type AllocationRequest struct {
	Guid string
	Resource
	Tags Tags
}

// AllocationFailure is an allocation request that could not be satisfied.
type AllocationFailure struct {
	AllocationRequest
	ErrorMsg string
}

func (f AllocationFailure) Error() string { return f.ErrorMsg }

// RunRequest turns a reserved container into a running one.
type RunRequest struct {
	Guid string
	RunInfo
	Tags Tags
}

// EventType names an executor event.
type EventType string

// Event types, as upstream names them.
const (
	EventTypeContainerReserved EventType = "container_reserved"
	EventTypeContainerRunning  EventType = "container_running"
	EventTypeContainerComplete EventType = "container_complete"
)

// Event is a container lifecycle change.
type Event struct {
	Type      EventType
	Container Container
}

// Metrics are the usage figures of one container, from Garden BulkMetrics.
type Metrics struct {
	MemoryUsageInBytes                  uint64
	DiskUsageInBytes                    uint64
	MemoryLimitInBytes                  uint64
	DiskLimitInBytes                    uint64
	TimeSpentInCPUNs                    uint64
	ContainerAgeInNs                    uint64
	AbsoluteCPUEntitlementInNanoseconds uint64
	RxInBytes                           *uint64
	TxInBytes                           *uint64
	MetricsConfigGuid                   string
	MetricsConfigIndex                  int
}
