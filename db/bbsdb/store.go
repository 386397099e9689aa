// Package bbsdb is the BBS's SQL store: domains, desired LRPs (scheduling
// info and run info stored apart), actual LRPs (ordinary, evacuating and
// suspect rows), tasks, the schema version and data-at-rest encryption, on
// MySQL, PostgreSQL or SQLite through the db package.
//
// The interfaces below are the contract between this store and the BBS API
// (package bbs): the store implements them with *SQLDB, the API consumes
// the narrowest one it needs. They follow upstream's db method set, with
// the logger parameter dropped (the store logs nothing; it returns wrapped
// errors, translated to *models.Error exactly once, here, so callers can
// put them on the wire as they are).
//
// Every mutation is one transaction and returns what changed as
// (before, after) so the caller can emit events; a nil before means the
// record was created, a nil after that it was removed.
package bbsdb

import (
	"context"
	"time"

	"github.com/godiego/diego/proto/models"
)

// ActualLRPFilter selects actual LRPs; empty fields match everything.
type ActualLRPFilter struct {
	Domain      string
	CellID      string
	ProcessGUID string
	Index       *int32
}

// DesiredLRPFilter selects desired LRPs; empty fields match everything.
type DesiredLRPFilter struct {
	Domain       string
	ProcessGUIDs []string
}

// TaskFilter selects tasks; empty fields match everything.
type TaskFilter struct {
	Domain string
	CellID string
}

// CellSet is the set of live cells, keyed by cell id (from locket presences).
type CellSet map[string]*models.CellPresence

// ActualLRPChange is one actual LRP row that a store operation changed.
type ActualLRPChange struct {
	Before *models.ActualLRP
	After  *models.ActualLRP
}

// TaskChange is one task that a store operation changed.
type TaskChange struct {
	Before *models.Task
	After  *models.Task
}

// DomainStore owns domains and their freshness.
type DomainStore interface {
	FreshDomains(ctx context.Context) ([]string, error)
	// UpsertDomain sets the domain to expire ttl seconds from now; 0 never expires.
	UpsertDomain(ctx context.Context, domain string, ttl uint32) error
}

// DesiredLRPStore owns desired LRPs.
type DesiredLRPStore interface {
	DesiredLRPs(ctx context.Context, filter DesiredLRPFilter) ([]*models.DesiredLRP, error)
	DesiredLRPByProcessGuid(ctx context.Context, processGUID string) (*models.DesiredLRP, error)
	DesiredLRPSchedulingInfos(ctx context.Context, filter DesiredLRPFilter) ([]*models.DesiredLRPSchedulingInfo, error)
	// DesiredLRPRoutingInfos returns desired LRPs with only the routing
	// fields filled (process_guid, domain, instances, routes, log_guid,
	// modification_tag, metric_tags), as upstream's routing-info route does.
	DesiredLRPRoutingInfos(ctx context.Context, filter DesiredLRPFilter) ([]*models.DesiredLRP, error)
	DesireLRP(ctx context.Context, lrp *models.DesiredLRP) error
	// UpdateDesiredLRP applies update and returns the record before and after.
	UpdateDesiredLRP(ctx context.Context, processGUID string, update *models.DesiredLRPUpdate) (before, after *models.DesiredLRP, err error)
	// RemoveDesiredLRP deletes the record and returns what was removed.
	RemoveDesiredLRP(ctx context.Context, processGUID string) (*models.DesiredLRP, error)
}

// ActualLRPStore owns the actual LRP lifecycle of ordinary rows.
type ActualLRPStore interface {
	ActualLRPs(ctx context.Context, filter ActualLRPFilter) ([]*models.ActualLRP, error)
	CreateUnclaimedActualLRP(ctx context.Context, key *models.ActualLRPKey) (*models.ActualLRP, error)
	UnclaimActualLRP(ctx context.Context, key *models.ActualLRPKey) (before, after *models.ActualLRP, err error)
	ClaimActualLRP(ctx context.Context, processGUID string, index int32, instanceKey *models.ActualLRPInstanceKey) (before, after *models.ActualLRP, err error)
	StartActualLRP(ctx context.Context, key *models.ActualLRPKey, instanceKey *models.ActualLRPInstanceKey, netInfo *models.ActualLRPNetInfo,
		internalRoutes []*models.ActualLRPInternalRoute, metricTags map[string]string, routable bool, availabilityZone string) (before, after *models.ActualLRP, err error)
	// CrashActualLRP applies the crash-count and restart rules; shouldRestart
	// reports an immediate restart (the row is UNCLAIMED and needs an auction).
	CrashActualLRP(ctx context.Context, key *models.ActualLRPKey, instanceKey *models.ActualLRPInstanceKey, crashReason string) (before, after *models.ActualLRP, shouldRestart bool, err error)
	FailActualLRP(ctx context.Context, key *models.ActualLRPKey, placementError string) (before, after *models.ActualLRP, err error)
	// RemoveActualLRP deletes the ordinary row (matching instanceKey when it
	// is non-nil) and returns what was removed.
	RemoveActualLRP(ctx context.Context, processGUID string, index int32, instanceKey *models.ActualLRPInstanceKey) (*models.ActualLRP, error)
	ChangeActualLRPPresence(ctx context.Context, key *models.ActualLRPKey, from, to models.ActualLRP_Presence) (before, after *models.ActualLRP, err error)
}

// EvacuationStore owns evacuating and suspect rows.
type EvacuationStore interface {
	RemoveEvacuatingActualLRP(ctx context.Context, key *models.ActualLRPKey, instanceKey *models.ActualLRPInstanceKey) (*models.ActualLRP, error)
	// EvacuateActualLRP creates or refreshes the EVACUATING copy of a running instance.
	EvacuateActualLRP(ctx context.Context, key *models.ActualLRPKey, instanceKey *models.ActualLRPInstanceKey, netInfo *models.ActualLRPNetInfo,
		internalRoutes []*models.ActualLRPInternalRoute, metricTags map[string]string, routable bool, availabilityZone string) (*models.ActualLRP, error)
	RemoveSuspectActualLRP(ctx context.Context, key *models.ActualLRPKey) (*models.ActualLRP, error)
	// PromoteSuspectActualLRP turns the suspect row back into the ordinary
	// one, deleting the ordinary replacement; it returns the removed
	// replacement, the suspect before and the ordinary after.
	PromoteSuspectActualLRP(ctx context.Context, processGUID string, index int32) (removedReplacement, beforeSuspect, afterOrdinary *models.ActualLRP, err error)
}

// TaskStore owns tasks and their state machine.
type TaskStore interface {
	Tasks(ctx context.Context, filter TaskFilter) ([]*models.Task, error)
	TaskByGuid(ctx context.Context, taskGUID string) (*models.Task, error)
	DesireTask(ctx context.Context, def *models.TaskDefinition, taskGUID, domain string) (*models.Task, error)
	StartTask(ctx context.Context, taskGUID, cellID string) (before, after *models.Task, shouldStart bool, err error)
	CancelTask(ctx context.Context, taskGUID string) (before, after *models.Task, cellID string, err error)
	FailTask(ctx context.Context, taskGUID, failureReason string) (before, after *models.Task, err error)
	// RejectTask returns the task to Pending with rejection_count+1, or
	// completes it failed once maxRetries rejections have happened.
	RejectTask(ctx context.Context, taskGUID, rejectionReason string, maxRetries int) (before, after *models.Task, err error)
	CompleteTask(ctx context.Context, taskGUID, cellID string, failed bool, failureReason, result string) (before, after *models.Task, err error)
	ResolvingTask(ctx context.Context, taskGUID string) (before, after *models.Task, err error)
	DeleteTask(ctx context.Context, taskGUID string) (*models.Task, error)
}

// LRPConvergenceResult is what one LRP convergence pass decided. The store
// has already applied every row change (listed in Changes, for events);
// the caller auctions, retires and notifies the reps as the fields say.
type LRPConvergenceResult struct {
	MissingLRPKeys               []*LRPKeyWithSchedulingInfo // UNCLAIMED rows created: auction these
	UnstartedLRPKeys             []*LRPKeyWithSchedulingInfo // stale UNCLAIMED, and restartable CRASHED already unclaimed: auction these
	KeysWithMissingCells         []*LRPKeyWithSchedulingInfo // made SUSPECT with a new UNCLAIMED replacement (or, when a suspect existed, the ordinary unclaimed): auction these
	KeysToRetire                 []*models.ActualLRPKey      // extra or orphaned ordinary instances: the caller retires them (stop on the rep, or delete)
	SuspectKeysToRetire          []*models.ActualLRPKey      // suspect rows already removed (orphaned, or their replacement RUNNING)
	SuspectKeysWithExistingCells []*models.ActualLRPKey      // suspects whose cell came back, already promoted (replacement deleted)
	SuspectRunningKeys           []*models.ActualLRPKey      // for metrics
	SuspectClaimedKeys           []*models.ActualLRPKey      // for metrics
	KeysWithInternalRouteChanges []*LRPKeyWithDesiredUpdate  // push to the reps
	KeysWithMetricTagChanges     []*LRPKeyWithDesiredUpdate  // push to the reps
	MissingCellIDs               []string
	Changes                      []ActualLRPChange // row changes the pass applied, for events
	DesiredChanges               []DesiredLRPChange
}

// DesiredLRPChange is a desired LRP a store operation changed (convergence
// never does today; kept for symmetry with events).
type DesiredLRPChange struct {
	Before *models.DesiredLRP
	After  *models.DesiredLRP
}

// LRPKeyWithSchedulingInfo pairs an instance key with its desired scheduling info.
type LRPKeyWithSchedulingInfo struct {
	Key            *models.ActualLRPKey
	SchedulingInfo *models.DesiredLRPSchedulingInfo
}

// LRPKeyWithDesiredUpdate names a running instance whose internal routes or
// metric tags differ from the desired ones, with what the rep should get.
type LRPKeyWithDesiredUpdate struct {
	Key                   *models.ActualLRPKey
	InstanceKey           *models.ActualLRPInstanceKey
	DesiredInternalRoutes []*models.ActualLRPInternalRoute
	DesiredMetricTags     map[string]*models.MetricTagValue
}

// TaskConvergenceResult is what one task convergence pass decided; the
// row changes (expired, cell gone, demoted, deleted) are applied and listed
// in Changes (a nil After means deleted).
type TaskConvergenceResult struct {
	TasksToAuction  []*models.Task // pending tasks to (re)send to the auctioneer
	TasksToComplete []*models.Task // completed tasks whose callback must be (re)sent
	Changes         []TaskChange
}

// ConvergenceStore runs the convergence passes.
type ConvergenceStore interface {
	ConvergeLRPs(ctx context.Context, cells CellSet) (LRPConvergenceResult, error)
	ConvergeTasks(ctx context.Context, cells CellSet, kick, expirePending, expireCompleted time.Duration) (TaskConvergenceResult, error)
}

// EncryptionStore manages data-at-rest encryption.
type EncryptionStore interface {
	EncryptionKeyLabel(ctx context.Context) (string, error)
	SetEncryptionKeyLabel(ctx context.Context, label string) error
	// PerformEncryption re-encrypts every record with the active key.
	PerformEncryption(ctx context.Context) error
}

// Store is everything the BBS needs from its database.
type Store interface {
	DomainStore
	DesiredLRPStore
	ActualLRPStore
	EvacuationStore
	TaskStore
	ConvergenceStore
	EncryptionStore
	// Migrate brings the schema to the newest version (upstream's 16
	// migrations' final schema, recorded in configurations.version).
	Migrate(ctx context.Context) error
	CountActualLRPsByState(ctx context.Context) (claimed, unclaimed, running, crashed, crashingDesired int, err error)
	CountDesiredInstances(ctx context.Context) (int, error)
}
