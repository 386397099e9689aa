package client

import (
	"errors"

	rep "github.com/godiego/diego/rep/client"
)

// Paths of the auctioneer's two routes.
const (
	CreateTaskAuctionsPath = "/v1/tasks"
	CreateLRPAuctionsPath  = "/v1/lrps"
)

// LRPStartRequest asks for instances (Indices) of one desired LRP to be placed. Its JSON is
// {"process_guid","domain","indices",PlacementTags,VolumeDrivers,RootFs,MemoryMB,DiskMB,MaxPids}.
type LRPStartRequest struct {
	ProcessGUID string `json:"process_guid"`
	Domain      string `json:"domain"`
	Indices     []int  `json:"indices"`
	rep.PlacementConstraint
	rep.Resource
}

// Validation errors, with upstream's texts (including its spelling).
var (
	ErrProcessGUIDEmpty      = errors.New("proccess guid is empty")
	ErrDomainEmpty           = errors.New("domain is empty")
	ErrIndicesEmpty          = errors.New("indices must not be empty")
	ErrLRPResourcesNegative  = errors.New("resources cannot be less than 0")
	ErrPlacementEmpty        = errors.New("placement constraint cannot be empty")
	ErrTaskGUIDEmpty         = errors.New("task guid is empty")
	ErrTaskResourcesNegative = errors.New("resources cannot be less than zero")
)

// Validate checks what the auctioneer requires before it queues the request.
func (r *LRPStartRequest) Validate() error {
	switch {
	case r.ProcessGUID == "":
		return ErrProcessGUIDEmpty
	case r.Domain == "":
		return ErrDomainEmpty
	case len(r.Indices) == 0:
		return ErrIndicesEmpty
	case !r.Resource.Valid():
		return ErrLRPResourcesNegative
	case !r.PlacementConstraint.Valid():
		return ErrPlacementEmpty
	}
	return nil
}

// LRPs expands the request into one rep.LRP per index, with instance guids from newGUID.
func (r *LRPStartRequest) LRPs(newGUID func() string) []rep.LRP {
	lrps := make([]rep.LRP, len(r.Indices))
	for i, index := range r.Indices {
		lrps[i] = rep.LRP{
			InstanceGUID:        newGUID(),
			ActualLRPKey:        rep.ActualLRPKey{ProcessGUID: r.ProcessGUID, Index: int32(index), Domain: r.Domain},
			PlacementConstraint: r.PlacementConstraint,
			Resource:            r.Resource,
		}
	}
	return lrps
}

// TaskStartRequest asks for one task to be placed. It is a rep.Task on the wire:
// {"TaskGuid","Domain",PlacementTags,VolumeDrivers,RootFs,MemoryMB,DiskMB,MaxPids,"state","failed"}.
type TaskStartRequest struct {
	rep.Task
}

// Validate checks what the auctioneer requires before it queues the request.
func (r *TaskStartRequest) Validate() error {
	switch {
	case r.TaskGUID == "":
		return ErrTaskGUIDEmpty
	case !r.Resource.Valid():
		return ErrTaskResourcesNegative
	case !r.PlacementConstraint.Valid():
		return ErrPlacementEmpty
	}
	return nil
}

// NewTaskStartRequest builds the request the BBS sends for a task. volumeDrivers are the
// drivers of the task's volume mounts.
func NewTaskStartRequest(taskGUID, domain string, res rep.Resource, rootfs string, placementTags, volumeDrivers []string) TaskStartRequest {
	if volumeDrivers == nil {
		volumeDrivers = []string{}
	}
	return TaskStartRequest{rep.Task{
		TaskGUID:            taskGUID,
		Domain:              domain,
		PlacementConstraint: rep.PlacementConstraint{PlacementTags: placementTags, VolumeDrivers: volumeDrivers, RootFs: rootfs},
		Resource:            res,
		State:               rep.TaskStateInvalid,
	}}
}

// NewLRPStartRequest builds the request the BBS sends to place indices of a desired LRP.
func NewLRPStartRequest(processGUID, domain string, indices []int, res rep.Resource, rootfs string, placementTags, volumeDrivers []string) LRPStartRequest {
	return LRPStartRequest{
		ProcessGUID:         processGUID,
		Domain:              domain,
		Indices:             indices,
		PlacementConstraint: rep.PlacementConstraint{PlacementTags: placementTags, VolumeDrivers: volumeDrivers, RootFs: rootfs},
		Resource:            res,
	}
}
