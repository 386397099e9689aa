package healthchecker

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"code.cloudfoundry.org/lager/v3"
)

// FailuresBeforeGivingUp is how many polls in a row must fail before the
// watchdog gives up (a single slow or refused poll is retried, as upstream).
const FailuresBeforeGivingUp = 3

// Exit codes of bin/healthchecker. Upstream panics both on a bad config and
// when it gives up, which the Go runtime turns into exit status 2; monit
// only needs "not running", but scripts that check the code see the same.
const (
	ExitOK        = 0
	ExitUnhealthy = 2
	ExitBadConfig = 2
)

// UnhealthyError is returned when FailuresBeforeGivingUp polls in a row failed.
type UnhealthyError struct {
	Failures int   // polls in a row that failed
	Last     error // the last poll's error
}

func (e *UnhealthyError) Error() string {
	return fmt.Sprintf("%d healthchecks in a row failed, the last with: %v", e.Failures, e.Last)
}

func (e *UnhealthyError) Unwrap() error { return e.Last }

// StatusError is a poll answered with something other than 200 OK.
type StatusError struct {
	StatusCode int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%d received from healthcheck endpoint (200 expected)", e.StatusCode)
}

// Waiter blocks for d or until ctx is done, reporting whether d elapsed.
// The watchdog takes one so tests can run its loop without real delays.
type Waiter func(ctx context.Context, d time.Duration) bool

// RealWait is the Waiter that uses real timers.
func RealWait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Watchdog polls one health endpoint until it fails too often in a row.
type Watchdog struct {
	endpoint     Endpoint
	url          string
	client       *http.Client
	component    string
	pollInterval time.Duration
	counter      FailureCounter
	logger       lager.Logger
	wait         Waiter
}

// NewWatchdog builds the watchdog for cfg (already loaded, so defaulted) and
// creates the failure counter file if it does not exist yet. wait may be nil
// for real timers.
func NewWatchdog(cfg Config, logger lager.Logger, wait Waiter) (*Watchdog, error) {
	counter := FailureCounter{Path: cfg.FailureCounterFile}
	if err := counter.Ensure(); err != nil {
		return nil, err
	}
	if wait == nil {
		wait = RealWait
	}
	return &Watchdog{
		endpoint:     cfg.HealthcheckEndpoint,
		url:          cfg.HealthcheckEndpoint.URL().String(),
		client:       newClient(cfg.HealthcheckEndpoint, cfg.HealthcheckTimeout.D()),
		component:    cfg.ComponentName,
		pollInterval: cfg.HealthcheckPollInterval.D(),
		counter:      counter,
		logger:       logger,
		wait:         wait,
	}, nil
}

// newClient dials a fresh connection for every poll (so a job that stopped
// accepting connections is noticed), over the unix socket when one is set.
// Like upstream, an https endpoint's certificate is not verified: the
// endpoint is the job's own on the same machine, and the check is about
// liveness, not identity.
func newClient(e Endpoint, timeout time.Duration) *http.Client {
	transport := &http.Transport{
		DisableKeepAlives: true,
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true}, // #nosec G402 -- see above
	}
	if e.Socket != "" {
		socket := e.Socket
		var dialer net.Dialer
		transport.TLSClientConfig = nil
		transport.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, "unix", socket)
		}
	}
	return &http.Client{Timeout: timeout, Transport: transport}
}

// Check performs one poll: GET on the endpoint, healthy only on 200 OK.
func (w *Watchdog) Check(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.url, nil)
	if err != nil {
		return fmt.Errorf("building healthcheck request: %w", err)
	}
	if w.endpoint.hasCredentials() {
		req.SetBasicAuth(w.endpoint.User, w.endpoint.Password)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return redactURL(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return &StatusError{StatusCode: resp.StatusCode}
	}
	return nil
}

// redactURL keeps credentials out of logged errors (they are sent as a
// header, never in the URL, but the error names the URL all the same).
func redactURL(err error) error {
	if urlErr, ok := err.(*url.Error); ok {
		if u, parseErr := url.Parse(urlErr.URL); parseErr == nil {
			urlErr.URL = u.Redacted()
		}
	}
	return err
}

// Watch polls every poll interval, the first poll one interval from now.
// It returns nil when ctx is done (a stop signal), and an *UnhealthyError
// after FailuresBeforeGivingUp failed polls in a row, having added one to
// the failure counter file. Every healthy poll resets that file to 0.
func (w *Watchdog) Watch(ctx context.Context) error {
	var s streak
	for w.wait(ctx, w.pollInterval) {
		w.logger.Debug("Verifying endpoint", lager.Data{"component": w.component, "poll-interval": w.pollInterval.String()})
		err := w.Check(ctx)
		if ctx.Err() != nil {
			break // stopping: a poll cut short is no verdict on the job
		}
		switch s.observe(err) {
		case healthy:
			if resetErr := w.counter.Reset(); resetErr != nil {
				w.logger.Error("resetting-failure-count", resetErr, lager.Data{"file": w.counter.Path})
			}
		case retry:
			w.logger.Debug("Received error", lager.Data{"error": err.Error(), "attempt": s.failures})
		case giveUp:
			w.recordGivingUp()
			return &UnhealthyError{Failures: s.failures, Last: err}
		}
	}
	w.logger.Info("Context done, exiting")
	return nil
}

func (w *Watchdog) recordGivingUp() {
	count, wasGarbage, err := w.counter.Increment()
	if wasGarbage {
		w.logger.Info("converting-failure-counter-string-to-int", lager.Data{"message": "Resetting counter to 0", "file": w.counter.Path})
	}
	if err != nil {
		w.logger.Error("incrementing-failure-count", err, lager.Data{"file": w.counter.Path})
		return
	}
	w.logger.Info("failure-count-incremented", lager.Data{"file": w.counter.Path, "consecutive_failures": count})
}

// Run is the whole watchdog: it waits out the job's start-up delay, creates
// the failure counter file and watches the endpoint. It returns nil when ctx
// is done and an *UnhealthyError when the job is unhealthy.
func Run(ctx context.Context, cfg Config, logger lager.Logger, wait Waiter) error {
	if wait == nil {
		wait = RealWait
	}
	delay := cfg.StartupDelay()
	logger.Debug("Sleeping before the job responds to its health endpoint on startup", lager.Data{"sleep_time_seconds": delay.Seconds()})
	if !wait(ctx, delay) {
		logger.Info("Context done, exiting")
		return nil
	}
	logger.Info("Starting", lager.Data{"url": cfg.HealthcheckEndpoint.URL().String(), "socket": cfg.HealthcheckEndpoint.Socket})
	dog, err := NewWatchdog(cfg, logger, wait)
	if err != nil {
		return err
	}
	return dog.Watch(ctx)
}
