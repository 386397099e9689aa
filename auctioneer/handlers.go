package auctioneer

import (
	"encoding/json"
	"io"
	"net/http"
	"time"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/auctioneer/client"
	rep "github.com/godiego/diego/rep/client"
)

// RequestIDHeader carries the trace id from the BBS into auctioneer logs.
const RequestIDHeader = "X-Vcap-Request-Id"

// Handler serves upstream's auctioneer API: POST /v1/lrps and POST /v1/tasks.
type Handler struct {
	Logger  lager.Logger
	Queue   *Queue
	NewGUID func() string
	Now     func() time.Time
}

// Routes returns the API's HTTP handler.
func (h *Handler) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/lrps", h.createLRPAuctions)
	mux.HandleFunc("POST /v1/tasks", h.createTaskAuctions)
	return mux
}

func (h *Handler) createLRPAuctions(w http.ResponseWriter, r *http.Request) {
	logger := h.Logger.Session("lrp-auction-handler", lager.Data{"trace-id": r.Header.Get(RequestIDHeader)})
	var starts []client.LRPStartRequest
	if !decode(w, r, logger, &starts) {
		return
	}
	var lrps []rep.LRP
	for i := range starts {
		if err := starts[i].Validate(); err != nil {
			logger.Error("start-validate-failed", err, lager.Data{"process_guid": starts[i].ProcessGUID})
			continue
		}
		lrps = append(lrps, starts[i].LRPs(h.NewGUID)...)
	}
	h.Queue.AddLRPs(lrps, r.Header.Get(RequestIDHeader), h.Now())
	logger.Info("submitted", lager.Data{"instances": len(lrps)})
	accepted(w)
}

func (h *Handler) createTaskAuctions(w http.ResponseWriter, r *http.Request) {
	logger := h.Logger.Session("task-auction-handler", lager.Data{"trace-id": r.Header.Get(RequestIDHeader)})
	var starts []client.TaskStartRequest
	if !decode(w, r, logger, &starts) {
		return
	}
	var tasks []rep.Task
	for i := range starts {
		if err := starts[i].Validate(); err != nil {
			logger.Error("start-validate-failed", err, lager.Data{"task_guid": starts[i].TaskGUID})
			continue
		}
		tasks = append(tasks, starts[i].Task)
	}
	h.Queue.AddTasks(tasks, r.Header.Get(RequestIDHeader), h.Now())
	logger.Info("submitted", lager.Data{"tasks": len(tasks)})
	accepted(w)
}

func decode(w http.ResponseWriter, r *http.Request, logger lager.Logger, into any) bool {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		logger.Error("failed-to-read-request-body", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return false
	}
	if err := json.Unmarshal(body, into); err != nil {
		logger.Error("malformed-json", err)
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return false
	}
	return true
}

func accepted(w http.ResponseWriter) { writeJSON(w, http.StatusAccepted, struct{}{}) }

func writeJSON(w http.ResponseWriter, status int, body any) {
	data, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}
