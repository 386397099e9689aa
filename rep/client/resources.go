package client

import "strconv"

// Resources is an amount of cell capacity: what a cell has in total or has left.
type Resources struct {
	MemoryMB   int32
	DiskMB     int32
	Containers int
}

// Subtract removes one container holding res from r.
func (r *Resources) Subtract(res Resource) {
	r.MemoryMB -= res.MemoryMB
	r.DiskMB -= res.DiskMB
	r.Containers--
}

// UsedFraction is the mean of the used fractions of memory, disk and containers, where r is
// what is left and total the cell's capacity. It is the resource part of an auction score.
// A zero total yields NaN or ±Inf, exactly as upstream's float arithmetic does.
func (r Resources) UsedFraction(total Resources) float64 {
	mem := 1.0 - float64(r.MemoryMB)/float64(total.MemoryMB)
	disk := 1.0 - float64(r.DiskMB)/float64(total.DiskMB)
	containers := 1.0 - float64(r.Containers)/float64(total.Containers)
	return (mem + disk + containers) / 3.0
}

// Resource is what one container asks for.
type Resource struct {
	MemoryMB int32
	DiskMB   int32
	MaxPids  int32
}

// Valid reports whether memory and disk are not negative.
func (r Resource) Valid() bool { return r.MemoryMB >= 0 && r.DiskMB >= 0 }

// PlacementConstraint is what a cell must offer for a container to be placed on it.
type PlacementConstraint struct {
	PlacementTags []string
	VolumeDrivers []string
	RootFs        string
}

// Valid reports whether a rootfs is named; it is the only required part.
func (p PlacementConstraint) Valid() bool { return p.RootFs != "" }

// ActualLRPKey names one instance slot of a desired LRP.
type ActualLRPKey struct {
	ProcessGUID string `json:"process_guid"`
	Index       int32  `json:"index"`
	Domain      string `json:"domain"`
}

// LRP states a rep reports in CellState.LRPs.
const (
	LRPStateClaimed  = "CLAIMED"
	LRPStateRunning  = "RUNNING"
	LRPStateShutdown = "SHUTDOWN"
	LRPStateCrashed  = "CRASHED"
)

// LRP is one long-running-process instance, as auctioned, sent in Work and reported in CellState.
type LRP struct {
	InstanceGUID string `json:"instance_guid"`
	ActualLRPKey
	PlacementConstraint
	Resource
	State string `json:"state"`
}

// Identifier is "process_guid.index", the key under which the auction dedupes LRP starts.
func (l *LRP) Identifier() string {
	return l.ProcessGUID + "." + strconv.Itoa(int(l.Index))
}

// Task is one task, as auctioned, sent in Work and reported in CellState.
type Task struct {
	TaskGUID string `json:"TaskGuid"`
	Domain   string
	PlacementConstraint
	Resource
	State  TaskState `json:"state"`
	Failed bool      `json:"failed"`
}

// Identifier is the task guid.
func (t *Task) Identifier() string { return t.TaskGUID }

// Work is a batch of containers for one cell to reserve (POST /work), and also the reply:
// the subset the cell could not take.
type Work struct {
	LRPs   []LRP
	Tasks  []Task
	CellID string `json:"cell_id,omitempty"`
}

// Empty reports whether w holds no LRPs and no tasks.
func (w Work) Empty() bool { return len(w.LRPs) == 0 && len(w.Tasks) == 0 }

// InternalRoute is one internal (container-to-container) hostname.
type InternalRoute struct {
	Hostname string `json:"hostname"`
}

// LRPUpdate carries the fields of a running instance that can change in place.
type LRPUpdate struct {
	InstanceGUID string `json:"instance_guid"`
	ActualLRPKey
	InternalRoutes []InternalRoute   `json:"internal_routes"`
	MetricTags     map[string]string `json:"metric_tags"`
}

// CellState is a rep's answer to GET /state: its capacity, what it runs, and what it can run.
type CellState struct {
	RepURL                  string `json:"rep_url"`
	CellID                  string `json:"cell_id"`
	CellIndex               int    `json:"cell_index"`
	RootFSProviders         RootFSProviders
	AvailableResources      Resources
	TotalResources          Resources
	LRPs                    []LRP
	Tasks                   []Task
	StartingContainerCount  int
	Zone                    string
	Evacuating              bool
	VolumeDrivers           []string
	PlacementTags           []string
	OptionalPlacementTags   []string
	ProxyMemoryAllocationMB int
}

// AddLRP books lrp on the cell: its resources, one starting container and the LRP itself.
func (c *CellState) AddLRP(lrp LRP) {
	c.AvailableResources.Subtract(lrp.Resource)
	c.StartingContainerCount++
	c.LRPs = append(c.LRPs, lrp)
}

// AddTask books task on the cell: its resources, one starting container and the task itself.
func (c *CellState) AddTask(task Task) {
	c.AvailableResources.Subtract(task.Resource)
	c.StartingContainerCount++
	c.Tasks = append(c.Tasks, task)
}
