package depot

import (
	"fmt"

	"github.com/godiego/diego/executor"
)

// GetBulkMetrics returns the usage of every container that has a Garden
// container, from one Garden BulkMetrics call.
func (d *Depot) GetBulkMetrics() (map[string]executor.Metrics, error) {
	containers := d.ListContainers()
	var handles []string
	byGuid := map[string]executor.Container{}
	for _, c := range containers {
		if c.State == executor.StateCreated || c.State == executor.StateRunning || c.State == executor.StateCompleted {
			if n, err := d.node(c.Guid); err == nil && n.gardenContainer() != nil {
				handles = append(handles, c.Guid)
				byGuid[c.Guid] = c
			}
		}
	}
	out := map[string]executor.Metrics{}
	if len(handles) == 0 {
		return out, nil
	}
	entries, err := d.garden.BulkMetrics(handles)
	if err != nil {
		return nil, fmt.Errorf("garden bulk metrics: %w", err)
	}
	for handle, e := range entries {
		if e.Err != nil {
			continue
		}
		c := byGuid[handle]
		m := e.Metrics
		// As upstream: the metrics are the source_id tag's when there is one.
		metricsGuid := c.LogConfig.Guid
		tags := c.MetricTags
		if tags == nil {
			tags = c.LogConfig.Tags
		}
		if id, ok := tags["source_id"]; ok {
			metricsGuid = id
		}
		metrics := executor.Metrics{
			MemoryUsageInBytes:                  m.MemoryStat.TotalUsageTowardLimit,
			DiskUsageInBytes:                    m.DiskStat.TotalBytesUsed,
			MemoryLimitInBytes:                  c.MemoryLimit,
			DiskLimitInBytes:                    c.DiskLimit,
			TimeSpentInCPUNs:                    m.CPUStat.Usage,
			ContainerAgeInNs:                    uint64(m.Age),
			AbsoluteCPUEntitlementInNanoseconds: m.CPUEntitlement,
			MetricsConfigGuid:                   metricsGuid,
			MetricsConfigIndex:                  c.LogConfig.Index,
		}
		if m.NetworkStat != nil {
			rx, tx := m.NetworkStat.RxBytes, m.NetworkStat.TxBytes
			metrics.RxInBytes, metrics.TxInBytes = &rx, &tx
		}
		out[handle] = metrics
	}
	return out, nil
}
