package rep

import (
	"context"
	"io"

	bbsclient "github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/executor"
	"github.com/godiego/diego/proto/models"
)

// Executor is what the rep needs from the executor (implemented by
// executor/depot.Depot).
type Executor interface {
	AllocateContainers([]executor.AllocationRequest) []executor.AllocationFailure
	RunContainer(executor.RunRequest) error
	StopContainer(guid string) error
	DeleteContainer(guid string) error
	GetContainer(guid string) (executor.Container, error)
	ListContainers() []executor.Container
	RemainingResources() executor.ExecutorResources
	TotalResources() executor.ExecutorResources
	Healthy() bool
	Subscribe() (<-chan executor.Event, func())
	GetBulkMetrics() (map[string]executor.Metrics, error)
	GetFiles(guid, path string) (io.ReadCloser, error)
	UpdateContainer(guid string, internalRoutes []string, metricTags map[string]string) error
}

// BBS is what the rep needs from the BBS (implemented by bbs/client.Client).
type BBS interface {
	ActualLRPs(ctx context.Context, f bbsclient.ActualLRPFilter) ([]*models.ActualLRP, error)
	ClaimActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey) error
	StartActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey, net *models.ActualLRPNetInfo,
		routes []*models.ActualLRPInternalRoute, tags map[string]string, routable bool, zone string) error
	CrashActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey, reason string) error
	RemoveActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey) error
	EvacuateClaimedActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey) (bool, error)
	EvacuateCrashedActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey, reason string) (bool, error)
	EvacuateStoppedActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey) (bool, error)
	EvacuateRunningActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey, net *models.ActualLRPNetInfo,
		routes []*models.ActualLRPInternalRoute, tags map[string]string, routable bool, zone string) (bool, error)
	RemoveEvacuatingActualLRP(ctx context.Context, key *models.ActualLRPKey, ik *models.ActualLRPInstanceKey) error
	DesiredLRPByProcessGuid(ctx context.Context, processGUID string) (*models.DesiredLRP, error)
	Tasks(ctx context.Context, f bbsclient.TaskFilter) ([]*models.Task, error)
	TaskByGuid(ctx context.Context, guid string) (*models.Task, error)
	StartTask(ctx context.Context, guid, cellID string) (bool, error)
	CompleteTask(ctx context.Context, guid, cellID string, failed bool, reason, result string) error
	RejectTask(ctx context.Context, guid, reason string) error
}

var _ BBS = (*bbsclient.Client)(nil)
