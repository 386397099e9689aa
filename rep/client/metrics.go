package client

// ContainerMetricsCollection is the reply of GET /container_metrics.
type ContainerMetricsCollection struct {
	CellID string       `json:"cell_id"`
	LRPs   []LRPMetric  `json:"lrps"`
	Tasks  []TaskMetric `json:"tasks"`
}

// ContainerMetrics are the cached usage figures of one container.
type ContainerMetrics struct {
	MetricGUID       string  `json:"metric_guid"`
	CPUUsageFraction float64 `json:"cpu_usage_fraction"`
	DiskUsageBytes   uint64  `json:"disk_usage_bytes"`
	DiskQuotaBytes   uint64  `json:"disk_quota_bytes"`
	MemoryUsageBytes uint64  `json:"memory_usage_bytes"`
	MemoryQuotaBytes uint64  `json:"memory_quota_bytes"`
	RxBytes          *uint64 `json:"rx_bytes,omitempty"`
	TxBytes          *uint64 `json:"tx_bytes,omitempty"`
}

// LRPMetric is the metrics of one LRP instance.
type LRPMetric struct {
	InstanceGUID string `json:"instance_guid"`
	ProcessGUID  string `json:"process_guid"`
	Index        int32  `json:"index"`
	ContainerMetrics
}

// TaskMetric is the metrics of one task.
type TaskMetric struct {
	TaskGUID string `json:"task_guid"`
	ContainerMetrics
}

// EvacuateResponse is the reply of the admin POST /evacuate: where to poll until the rep exits.
type EvacuateResponse struct {
	PingPath string `json:"ping_path"`
}
