// Package bbs holds the BBS wire contract shared by its server and its Go
// client: the route table (names, methods and paths exactly as upstream's
// bbs routes.go has them), the request-id header and the SSE event names.
// The server lives in the subpackages (handlers, controllers, events,
// converger, server) and the client in bbs/client.
package bbs

// Route names. They are upstream's constant values, typos included
// ("UpdateDesireLRP"), because logs and metrics carry them.
const (
	PingRoute = "Ping"

	DomainsRoute      = "Domains"
	UpsertDomainRoute = "UpsertDomain"

	ActualLRPsRoute                          = "ActualLRPs"
	ActualLRPGroupsRoute                     = "ActualLRPGroups"                      // deprecated
	ActualLRPGroupsByProcessGuidRoute        = "ActualLRPGroupsByProcessGuid"         // deprecated
	ActualLRPGroupByProcessGuidAndIndexRoute = "ActualLRPGroupsByProcessGuidAndIndex" // deprecated

	ClaimActualLRPRoute   = "ClaimActualLRP"
	StartActualLRPRoute   = "StartActualLRP"
	StartActualLRPRouteR0 = "StartActualLRP_r0" // deprecated
	CrashActualLRPRoute   = "CrashActualLRP"
	FailActualLRPRoute    = "FailActualLRP"
	RemoveActualLRPRoute  = "RemoveActualLRP"
	RetireActualLRPRoute  = "RetireActualLRP"

	RemoveEvacuatingActualLRPRoute  = "RemoveEvacuatingActualLRP"
	EvacuateClaimedActualLRPRoute   = "EvacuateClaimedActualLRP"
	EvacuateCrashedActualLRPRoute   = "EvacuateCrashedActualLRP"
	EvacuateStoppedActualLRPRoute   = "EvacuateStoppedActualLRP"
	EvacuateRunningActualLRPRoute   = "EvacuateRunningActualLRP"
	EvacuateRunningActualLRPRouteR0 = "EvacuateRunningActualLRP_r0" // deprecated

	DesiredLRPsRoute               = "DesiredLRPs"
	DesiredLRPSchedulingInfosRoute = "DesiredLRPSchedulingInfos"
	DesiredLRPRoutingInfosRoute    = "DesiredLRPRoutingInfos"
	DesiredLRPByProcessGuidRoute   = "DesiredLRPByProcessGuid"
	DesiredLRPsRouteR2             = "DesiredLRPs_r2"             // deprecated
	DesiredLRPByProcessGuidRouteR2 = "DesiredLRPByProcessGuid_r2" // deprecated

	DesireDesiredLRPRoute = "DesireDesiredLRP"
	UpdateDesiredLRPRoute = "UpdateDesireLRP"
	RemoveDesiredLRPRoute = "RemoveDesiredLRP"

	TasksRoute         = "Tasks"
	TaskByGuidRoute    = "TaskByGuid"
	DesireTaskRoute    = "DesireTask"
	StartTaskRoute     = "StartTask"
	CancelTaskRoute    = "CancelTask"
	FailTaskRoute      = "FailTask" // deprecated
	RejectTaskRoute    = "RejectTask"
	CompleteTaskRoute  = "CompleteTask"
	ResolvingTaskRoute = "ResolvingTask"
	DeleteTaskRoute    = "DeleteTask"
	TasksRouteR2       = "Tasks_r2"      // deprecated
	TaskByGuidRouteR2  = "TaskByGuid_r2" // deprecated

	LRPGroupEventStreamRoute      = "EventStream" // deprecated
	TaskEventStreamRoute          = "TaskEventStream"
	LRPInstanceEventStreamRoute   = "LRPInstanceEventStream"
	LRPGroupEventStreamRouteR0    = "EventStream_r0"            // deprecated
	TaskEventStreamRouteR0        = "TaskEventStream_r0"        // deprecated
	LRPInstanceEventStreamRouteR0 = "LrpInstanceEventStream_r0" // deprecated

	CellsRoute = "Cells"
)

// Route is one entry of the route table.
type Route struct {
	Name       string
	Method     string
	Path       string
	Deprecated bool
}

// Routes is every route the BBS serves: 48, 14 of them deprecated.
var Routes = []Route{
	{PingRoute, "POST", "/v1/ping", false},

	{DomainsRoute, "POST", "/v1/domains/list", false},
	{UpsertDomainRoute, "POST", "/v1/domains/upsert", false},

	{ActualLRPsRoute, "POST", "/v1/actual_lrps/list", false},
	{ActualLRPGroupsRoute, "POST", "/v1/actual_lrp_groups/list", true},
	{ActualLRPGroupsByProcessGuidRoute, "POST", "/v1/actual_lrp_groups/list_by_process_guid", true},
	{ActualLRPGroupByProcessGuidAndIndexRoute, "POST", "/v1/actual_lrp_groups/get_by_process_guid_and_index", true},

	{ClaimActualLRPRoute, "POST", "/v1/actual_lrps/claim", false},
	{StartActualLRPRoute, "POST", "/v1/actual_lrps/start.r1", false},
	{StartActualLRPRouteR0, "POST", "/v1/actual_lrps/start", true},
	{CrashActualLRPRoute, "POST", "/v1/actual_lrps/crash", false},
	{FailActualLRPRoute, "POST", "/v1/actual_lrps/fail", false},
	{RemoveActualLRPRoute, "POST", "/v1/actual_lrps/remove", false},
	{RetireActualLRPRoute, "POST", "/v1/actual_lrps/retire", false},

	{RemoveEvacuatingActualLRPRoute, "POST", "/v1/actual_lrps/remove_evacuating", false},
	{EvacuateClaimedActualLRPRoute, "POST", "/v1/actual_lrps/evacuate_claimed", false},
	{EvacuateCrashedActualLRPRoute, "POST", "/v1/actual_lrps/evacuate_crashed", false},
	{EvacuateStoppedActualLRPRoute, "POST", "/v1/actual_lrps/evacuate_stopped", false},
	{EvacuateRunningActualLRPRoute, "POST", "/v1/actual_lrps/evacuate_running.r1", false},
	{EvacuateRunningActualLRPRouteR0, "POST", "/v1/actual_lrps/evacuate_running", true},

	{DesiredLRPSchedulingInfosRoute, "POST", "/v1/desired_lrp_scheduling_infos/list", false},
	{DesiredLRPRoutingInfosRoute, "POST", "/v1/desired_lrp_routing_infos/list", false},
	{DesiredLRPsRoute, "POST", "/v1/desired_lrps/list.r3", false},
	{DesiredLRPByProcessGuidRoute, "POST", "/v1/desired_lrps/get_by_process_guid.r3", false},
	{DesiredLRPsRouteR2, "POST", "/v1/desired_lrps/list.r2", true},
	{DesiredLRPByProcessGuidRouteR2, "POST", "/v1/desired_lrps/get_by_process_guid.r2", true},

	{DesireDesiredLRPRoute, "POST", "/v1/desired_lrp/desire.r2", false},
	{UpdateDesiredLRPRoute, "POST", "/v1/desired_lrp/update", false},
	{RemoveDesiredLRPRoute, "POST", "/v1/desired_lrp/remove", false},

	{TasksRoute, "POST", "/v1/tasks/list.r3", false},
	{TaskByGuidRoute, "POST", "/v1/tasks/get_by_task_guid.r3", false},
	{TasksRouteR2, "POST", "/v1/tasks/list.r2", true},
	{TaskByGuidRouteR2, "POST", "/v1/tasks/get_by_task_guid.r2", true},

	{DesireTaskRoute, "POST", "/v1/tasks/desire.r2", false},
	{StartTaskRoute, "POST", "/v1/tasks/start", false},
	{CancelTaskRoute, "POST", "/v1/tasks/cancel", false},
	{FailTaskRoute, "POST", "/v1/tasks/fail", true},
	{RejectTaskRoute, "POST", "/v1/tasks/reject", false},
	{CompleteTaskRoute, "POST", "/v1/tasks/complete", false},
	{ResolvingTaskRoute, "POST", "/v1/tasks/resolving", false},
	{DeleteTaskRoute, "POST", "/v1/tasks/delete", false},

	{LRPGroupEventStreamRoute, "GET", "/v1/events.r1", true},
	{TaskEventStreamRoute, "POST", "/v1/events/tasks.r1", false},
	{LRPInstanceEventStreamRoute, "POST", "/v1/events/lrp_instances.r1", false},
	{LRPGroupEventStreamRouteR0, "GET", "/v1/events", true},
	{TaskEventStreamRouteR0, "POST", "/v1/events/tasks", true},
	{LRPInstanceEventStreamRouteR0, "POST", "/v1/events/lrp_instances", true},

	{CellsRoute, "POST", "/v1/cells/list.r1", false},
}

// RouteByName returns the route with that name; it panics on an unknown
// name, which is a programming error.
func RouteByName(name string) Route {
	for _, r := range Routes {
		if r.Name == name {
			return r
		}
	}
	panic("bbs: unknown route " + name)
}

// Headers and content types of the wire protocol.
const (
	// RequestIDHeader carries the trace id of a request end to end.
	RequestIDHeader = "X-Vcap-Request-Id"
	// RouterErrorHeader is set by gorouter when it, not the BBS, failed.
	RouterErrorHeader = "X-Cf-Routererror"
	// ProtobufContentType is the content type of every request and response body.
	ProtobufContentType = "application/x-protobuf"
)
