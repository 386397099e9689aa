package containermetrics

import (
	"testing"
	"time"

	"github.com/godiego/diego/executor"
	"github.com/godiego/diego/executor/applog"
)

func TestComputeCPUFromSuccessiveSamples(t *testing.T) {
	now := time.Unix(1000, 0)
	first := executor.Metrics{TimeSpentInCPUNs: 1e9, ContainerAgeInNs: 10e9, AbsoluteCPUEntitlementInNanoseconds: 4e9,
		MemoryUsageInBytes: 7, MemoryLimitInBytes: 64 << 20, MetricsConfigGuid: "log-guid", MetricsConfigIndex: 2}
	s, out := compute(first, nil, cpuSample{}, now)
	if out.CPUPercentage != 0 || out.CPUEntitlementPercentage != 0 {
		t.Fatalf("first sample reports CPU: %+v", out)
	}
	if out.Tags["source_id"] != "log-guid" || out.Tags["instance_id"] != "2" || out.MemoryBytesQuota != 64<<20 {
		t.Fatalf("first sample = %+v", out)
	}
	// 0.5 s of CPU over 2 s of age and over 1 s of entitlement.
	second := first
	second.TimeSpentInCPUNs, second.ContainerAgeInNs, second.AbsoluteCPUEntitlementInNanoseconds = 1.5e9, 12e9, 5e9
	_, out = compute(second, map[string]string{"source_id": "app", "instance_id": "9"}, s, now)
	if out.CPUPercentage != 25 || out.CPUEntitlementPercentage != 50 {
		t.Fatalf("cpu = %v%%, entitlement = %v%%", out.CPUPercentage, out.CPUEntitlementPercentage)
	}
	if out.Tags["source_id"] != "app" || out.Tags["instance_id"] != "9" {
		t.Fatalf("tags = %v", out.Tags)
	}
}

type fakeSource struct{ containers []executor.Container }

func (f fakeSource) ListContainers() []executor.Container { return f.containers }
func (f fakeSource) GetBulkMetrics() (map[string]executor.Metrics, error) {
	out := map[string]executor.Metrics{}
	for _, c := range f.containers {
		out[c.Guid] = executor.Metrics{MetricsConfigGuid: c.LogConfig.Guid}
	}
	return out, nil
}

type recorder []map[string]string

func (r *recorder) EmitContainerMetrics(m applog.ContainerMetrics) { *r = append(*r, m.Tags) }

func TestReportSkipsContainersWithoutSourceAndPrefersUpdatedTags(t *testing.T) {
	withLog := executor.Container{Guid: "a"}
	withLog.LogConfig.Guid = "log-a"
	updated := executor.Container{Guid: "b", MetricTags: map[string]string{"source_id": "new"}}
	updated.LogConfig.Guid, updated.LogConfig.Tags = "log-b", map[string]string{"source_id": "old"}
	anonymous := executor.Container{Guid: "c"}
	var got recorder
	r := &Reporter{Source: fakeSource{[]executor.Container{withLog, updated, anonymous}}, Emitter: &got}
	r.Report()
	if len(got) != 2 || got[0]["source_id"] != "log-a" || got[1]["source_id"] != "new" {
		t.Fatalf("emitted %v", got)
	}
}

// usageSource reports a fixed container whose CPU time grows by cpuStep
// and age by ageStep on every sample.
type usageSource struct {
	cpu, age, cpuStep, ageStep uint64
}

func (u *usageSource) ListContainers() []executor.Container {
	return []executor.Container{{Guid: "g"}}
}

func (u *usageSource) GetBulkMetrics() (map[string]executor.Metrics, error) {
	u.cpu += u.cpuStep
	u.age += u.ageStep
	return map[string]executor.Metrics{"g": {TimeSpentInCPUNs: u.cpu, ContainerAgeInNs: u.age}}, nil
}

func TestReporterKeepsTheLastIntervalsCPUFractionWithoutAnEmitter(t *testing.T) {
	src := &usageSource{cpuStep: 250, ageStep: 1000}
	r := &Reporter{Source: src}
	r.Report()
	if f, ok := r.CPUFraction("g"); !ok || f != 0 {
		t.Fatalf("after one sample: %v %v", f, ok)
	}
	r.Report()
	if f, ok := r.CPUFraction("g"); !ok || f != 0.25 {
		t.Fatalf("after two samples: %v %v, want 0.25", f, ok)
	}
	if _, ok := r.CPUFraction("other"); ok {
		t.Fatal("unknown container reported")
	}
}
