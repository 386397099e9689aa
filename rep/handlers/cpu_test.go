package handlers

import (
	"testing"

	"github.com/godiego/diego/executor"
)

type fixedCPU map[string]float64

func (f fixedCPU) CPUFraction(guid string) (float64, bool) {
	v, ok := f[guid]
	return v, ok
}

func TestContainerMetricsPreferTheLastIntervalsCPU(t *testing.T) {
	m := executor.Metrics{TimeSpentInCPUNs: 900, ContainerAgeInNs: 1000}
	s := &Server{CPU: fixedCPU{"sampled": 0.1}}
	if got := s.cachedMetrics(executor.Container{Guid: "sampled"}, m).CPUUsageFraction; got != 0.1 {
		t.Fatalf("sampled container: %v, want the interval's 0.1", got)
	}
	if got := s.cachedMetrics(executor.Container{Guid: "new"}, m).CPUUsageFraction; got != 0.9 {
		t.Fatalf("unsampled container: %v, want the lifetime 0.9", got)
	}
	if got := (&Server{}).cachedMetrics(executor.Container{Guid: "x"}, m).CPUUsageFraction; got != 0.9 {
		t.Fatalf("no CPU source: %v", got)
	}
}
