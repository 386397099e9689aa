// Package handlers serves the rep's two HTTP APIs with upstream's routes,
// JSON shapes and status codes: the network API (state, container metrics,
// work, LRP instance update and stop, task cancel) and the admin API
// (ping, evacuate).
package handlers

import (
	"encoding/json"
	"net/http"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/executor"
	"github.com/godiego/diego/rep"
	"github.com/godiego/diego/rep/client"
)

// Server holds what the handlers need.
type Server struct {
	Rep      *rep.CellRep
	Executor rep.Executor
	// Evacuate starts evacuation (idempotent).
	Evacuate func()
	Logger   lager.Logger
	// CPU gives each container's CPU fraction over the last metrics
	// interval, as upstream's cached container metrics do; nil falls back
	// to the lifetime average.
	CPU interface {
		CPUFraction(guid string) (float64, bool)
	}
}

// NetworkHandler serves the network API (listen_addr_securable).
func (s *Server) NetworkHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+client.StatePath, s.state)
	mux.HandleFunc("GET "+client.ContainerMetricsPath, s.containerMetrics)
	mux.HandleFunc("POST "+client.PerformPath, s.perform)
	mux.HandleFunc("PUT /v2/lrps/{process_guid}/instances/{instance_guid}", s.updateLRP)
	mux.HandleFunc("PUT /v1/lrps/{process_guid}/instances/{instance_guid}", s.updateLRP)
	mux.HandleFunc("POST /v1/lrps/{process_guid}/instances/{instance_guid}/stop", s.stopLRP)
	mux.HandleFunc("POST /v1/tasks/{task_guid}/cancel", s.cancelTask)
	mux.HandleFunc("POST "+client.SimResetPath, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not-a-simulation-rep", http.StatusInternalServerError)
	})
	return mux
}

// AdminHandler serves the admin API (listen_addr).
func (s *Server) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+client.PingPath, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("POST "+client.EvacuatePath, func(w http.ResponseWriter, r *http.Request) {
		s.Evacuate()
		writeJSON(w, http.StatusAccepted, client.EvacuateResponse{PingPath: client.PingPath})
	})
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

func (s *Server) state(w http.ResponseWriter, r *http.Request) {
	state, healthy := s.Rep.State()
	status := http.StatusOK
	if !healthy {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, state)
}

func (s *Server) perform(w http.ResponseWriter, r *http.Request) {
	var work client.Work
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<20))
	if err := dec.Decode(&work); err != nil {
		s.Logger.Error("perform-bad-json", err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if err := rep.ValidateWork(work); err != nil {
		s.Logger.Error("perform-invalid-work", err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	failed, err := s.Rep.Perform(work)
	if err != nil {
		s.Logger.Error("perform-failed", err)
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, failed)
}

func (s *Server) updateLRP(w http.ResponseWriter, r *http.Request) {
	var update client.LRPUpdate
	if err := json.NewDecoder(r.Body).Decode(&update); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	guid := r.PathValue("instance_guid")
	hosts := make([]string, 0, len(update.InternalRoutes))
	for _, rt := range update.InternalRoutes {
		hosts = append(hosts, rt.Hostname)
	}
	if err := s.Executor.UpdateContainer(guid, hosts, update.MetricTags); err != nil {
		s.Logger.Error("update-lrp-failed", err, lager.Data{"instance_guid": guid})
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) stopLRP(w http.ResponseWriter, r *http.Request) {
	guid := rep.LRPContainerGuid(r.PathValue("process_guid"), r.PathValue("instance_guid"))
	if err := s.Executor.StopContainer(guid); err != nil {
		s.Logger.Error("stop-lrp-failed", err, lager.Data{"instance_guid": guid})
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) cancelTask(w http.ResponseWriter, r *http.Request) {
	guid := r.PathValue("task_guid")
	w.WriteHeader(http.StatusAccepted)
	go func() {
		if err := s.Executor.DeleteContainer(guid); err != nil {
			s.Logger.Error("cancel-task-failed", err, lager.Data{"task_guid": guid})
		}
	}()
}

func (s *Server) containerMetrics(w http.ResponseWriter, r *http.Request) {
	metrics, err := s.Executor.GetBulkMetrics()
	if err != nil {
		s.Logger.Error("container-metrics-failed", err)
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	out := client.ContainerMetricsCollection{CellID: s.Rep.CellID, LRPs: []client.LRPMetric{}, Tasks: []client.TaskMetric{}}
	for _, c := range s.Executor.ListContainers() {
		m, ok := metrics[c.Guid]
		if !ok {
			continue
		}
		cm := s.cachedMetrics(c, m)
		switch c.Tags[executor.LifecycleTag] {
		case executor.LRPLifecycle:
			key, err := rep.ActualLRPKeyFromTags(c.Tags)
			if err != nil {
				continue
			}
			out.LRPs = append(out.LRPs, client.LRPMetric{InstanceGUID: c.Guid, ProcessGUID: key.ProcessGuid, Index: key.Index, ContainerMetrics: cm})
		case executor.TaskLifecycle:
			out.Tasks = append(out.Tasks, client.TaskMetric{TaskGUID: c.Guid, ContainerMetrics: cm})
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) cachedMetrics(c executor.Container, m executor.Metrics) client.ContainerMetrics {
	var cpu float64
	if f, ok := s.cpuFraction(c.Guid); ok {
		cpu = f
	} else if m.ContainerAgeInNs > 0 {
		cpu = float64(m.TimeSpentInCPUNs) / float64(m.ContainerAgeInNs)
	}
	return client.ContainerMetrics{MetricGUID: m.MetricsConfigGuid, CPUUsageFraction: cpu,
		DiskUsageBytes: m.DiskUsageInBytes, DiskQuotaBytes: m.DiskLimitInBytes,
		MemoryUsageBytes: m.MemoryUsageInBytes, MemoryQuotaBytes: m.MemoryLimitInBytes,
		RxBytes: m.RxInBytes, TxBytes: m.TxInBytes}
}

func (s *Server) cpuFraction(guid string) (float64, bool) {
	if s.CPU == nil {
		return 0, false
	}
	return s.CPU.CPUFraction(guid)
}
