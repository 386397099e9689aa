package controllers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/proto/models"
)

// CallbackAttempts is how often a completion callback is tried.
const CallbackAttempts = 3

// callbackBody is the JSON a completion callback carries (upstream's
// TaskCallbackResponse).
type callbackBody struct {
	TaskGuid      string `json:"task_guid"`
	Failed        bool   `json:"failed"`
	FailureReason string `json:"failure_reason"`
	Result        string `json:"result"`
	Annotation    string `json:"annotation,omitempty"`
	CreatedAt     int64  `json:"created_at,omitempty"`
}

// TaskCallbacks posts completed tasks to their completion_callback_url on
// a fixed number of workers: the task moves to Resolving, the callback is
// POSTed (up to CallbackAttempts tries, retrying on timeouts, closed
// connections, 503 and 504), and any other answer deletes the task.
type TaskCallbacks struct {
	HTTP       *http.Client
	Controller *Controller
	Logger     lager.Logger

	queue    chan *models.Task
	stop     chan struct{}
	wg       sync.WaitGroup
	initOnce sync.Once
	stopOnce sync.Once
}

func (p *TaskCallbacks) init() {
	p.initOnce.Do(func() {
		p.queue = make(chan *models.Task)
		p.stop = make(chan struct{})
	})
}

// Start runs workers until Stop. Tasks submitted before Start wait for it.
func (p *TaskCallbacks) Start(workers int) {
	p.init()
	if workers <= 0 {
		workers = 1000
	}
	for i := 0; i < workers; i++ {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for {
				select {
				case t := <-p.queue:
					p.handle(t)
				case <-p.stop:
					return
				}
			}
		}()
	}
}

// Stop stops the workers after their current callbacks.
func (p *TaskCallbacks) Stop() {
	p.init()
	p.stopOnce.Do(func() { close(p.stop) })
	p.wg.Wait()
}

// Submit queues a completed task; it never blocks the caller.
func (p *TaskCallbacks) Submit(t *models.Task) {
	p.init()
	go func() {
		select {
		case p.queue <- t:
		case <-p.stop:
		}
	}()
}

func (p *TaskCallbacks) handle(t *models.Task) {
	url := t.GetTaskDefinition().GetCompletionCallbackUrl()
	logger := p.Logger.Session("handle-completed-task", lager.Data{"task_guid": t.TaskGuid, "callback_url": url})
	ctx := context.Background()
	if err := p.Controller.ResolvingTask(ctx, t.TaskGuid); err != nil {
		logger.Error("failed-to-mark-resolving", err)
		return
	}
	body, err := json.Marshal(callbackBody{
		TaskGuid: t.TaskGuid, Failed: t.Failed, FailureReason: t.FailureReason, Result: t.Result,
		Annotation: t.GetTaskDefinition().GetAnnotation(), CreatedAt: t.CreatedAt,
	})
	if err != nil {
		logger.Error("failed-to-marshal", err)
		return
	}
	for attempt := 0; attempt < CallbackAttempts; attempt++ {
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			logger.Error("bad-callback-url", err)
			return
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := p.HTTP.Do(req)
		if err != nil {
			if retryableCallbackError(err) {
				logger.Error("callback-attempt-failed", err, lager.Data{"attempt": attempt + 1})
				continue
			}
			logger.Error("callback-failed", err)
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusGatewayTimeout {
			logger.Info("callback-unavailable", lager.Data{"status": resp.StatusCode, "attempt": attempt + 1})
			continue
		}
		if err := p.Controller.DeleteTask(ctx, t.TaskGuid); err != nil {
			logger.Error("failed-to-delete-task", err)
		}
		return
	}
}

func retryableCallbackError(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return errors.Is(err, net.ErrClosed) || strings.Contains(err.Error(), "use of closed network connection")
}
