package client

import "net/url"

// Paths of the rep's routes. The network server (0.0.0.0:1801) serves the first group, the
// admin server (127.0.0.1:1800) the last two. ":process_guid", ":instance_guid" and
// ":task_guid" are path parameters.
const (
	StatePath               = "/state"
	ContainerMetricsPath    = "/container_metrics"
	PerformPath             = "/work"
	UpdateLRPInstancePath   = "/v2/lrps/:process_guid/instances/:instance_guid"
	UpdateLRPInstancePathR0 = "/v1/lrps/:process_guid/instances/:instance_guid"
	StopLRPInstancePath     = "/v1/lrps/:process_guid/instances/:instance_guid/stop"
	CancelTaskPath          = "/v1/tasks/:task_guid/cancel"
	SimResetPath            = "/sim/reset"

	PingPath     = "/ping"
	EvacuatePath = "/evacuate"
)

// RequestIDHeader carries the trace id of the request that caused a call.
const RequestIDHeader = "X-Vcap-Request-Id"

func updateLRPPath(processGUID, instanceGUID string) string {
	return "/v2/lrps/" + url.PathEscape(processGUID) + "/instances/" + url.PathEscape(instanceGUID)
}

func updateLRPPathR0(processGUID, instanceGUID string) string {
	return "/v1/lrps/" + url.PathEscape(processGUID) + "/instances/" + url.PathEscape(instanceGUID)
}

func stopLRPPath(processGUID, instanceGUID string) string {
	return updateLRPPathR0(processGUID, instanceGUID) + "/stop"
}

func cancelTaskPath(taskGUID string) string {
	return "/v1/tasks/" + url.PathEscape(taskGUID) + "/cancel"
}
