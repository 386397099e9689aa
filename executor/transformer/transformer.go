// Package transformer owns the translation of a container's BBS actions,
// monitor and check definitions into a step tree: setup, then the action
// codependent with its sidecars and health checks, exactly as upstream's
// executor composes them.
package transformer

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"code.cloudfoundry.org/garden"
	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/executor"
	"github.com/godiego/diego/executor/steps"
	"github.com/godiego/diego/proto/models"
)

// Upstream's defaults and names for declarative health checks.
const (
	HealthLogSource              = "HEALTH"
	HealthcheckDstPath           = "/etc/cf-assets/healthcheck"
	DefaultCheckRequestTimeoutMs = 1000
	healthCheckNofiles           = 1024
)

// Config holds what every container's steps share.
type Config struct {
	Fetcher                     steps.Fetcher
	DownloadLimit               chan struct{}
	UploadClient                *http.Client
	GracefulShutdownInterval    time.Duration
	HealthyMonitoringInterval   time.Duration
	UnhealthyMonitoringInterval time.Duration
	// DeclarativeHealthcheck enables check_definition; the in-container
	// binary is bind-mounted at HealthcheckDstPath.
	DeclarativeHealthcheck bool
	// SidecarImage is the rootfs URI health-check processes run in (empty:
	// the container's own rootfs).
	SidecarImage string
	// SidecarBindMounts are mounted into health-check processes.
	SidecarBindMounts []garden.BindMount
	// PostSetupHook runs after setup as PostSetupUser when non-empty.
	PostSetupHook []string
	PostSetupUser string
}

// Input is one container to build steps for.
type Input struct {
	Container executor.Container
	Garden    garden.Container
	Streamer  steps.Streamer
	// SetRoutable is called by readiness checks.
	SetRoutable func(bool)
	// BindMounts are the container's bind mounts; health-check sidecars,
	// which run in their own image, get them too (the healthcheck binary
	// is one of them).
	BindMounts []garden.BindMount
}

// Steps builds the container's step tree. hasReadiness reports whether
// readiness checks will drive routability (otherwise the container is
// routable once running).
func Steps(cfg Config, in Input) (step steps.Step, hasReadiness bool, err error) {
	c := in.Container
	if c.Action == nil {
		return nil, false, fmt.Errorf("container cannot have empty action")
	}
	b := builder{cfg: cfg, in: in, net: steps.Network{ExternalIP: c.ExternalIP, InternalIP: c.InternalIP, Ports: c.Ports}}

	long := []steps.Step{b.stepFor(in.Streamer, c.Action, false)}
	for _, sc := range c.Sidecars {
		long = append(long, b.stepFor(in.Streamer, sc.GetAction(), false))
	}
	if c.CheckDefinition != nil && cfg.DeclarativeHealthcheck {
		if len(c.CheckDefinition.GetChecks()) > 0 {
			if m := b.checkDefinition(); m != nil {
				long = append(long, m)
			}
		}
		if len(c.CheckDefinition.GetReadinessChecks()) > 0 {
			if r := b.readiness(); r != nil {
				long = append(long, r)
				hasReadiness = true
			}
		}
	} else if c.Monitor != nil {
		long = append(long, b.monitor())
	}

	var main steps.Step = long[0]
	if len(long) > 1 {
		main = steps.Codependent{Steps: long}
	}
	var serial steps.Serial
	if c.Setup != nil {
		serial = append(serial, b.stepFor(in.Streamer, c.Setup, false))
	}
	if len(cfg.PostSetupHook) > 0 && c.Setup != nil {
		serial = append(serial, steps.Run{
			Container: in.Garden, Streamer: in.Streamer.WithSource(""), Network: b.net,
			Action:           &models.RunAction{Path: cfg.PostSetupHook[0], Args: cfg.PostSetupHook[1:], User: cfg.PostSetupUser, SuppressLogOutput: true},
			GracefulShutdown: cfg.GracefulShutdownInterval,
		})
	}
	if len(serial) == 0 {
		return main, hasReadiness, nil
	}
	return append(serial, main), hasReadiness, nil
}

type builder struct {
	cfg Config
	in  Input
	net steps.Network
}

// stepFor translates one action. monitor marks actions run as a legacy
// health check: exit codes are left out of messages and the output of
// each run becomes its error text.
func (b builder) stepFor(s steps.Streamer, a *models.Action, monitor bool) steps.Step {
	switch {
	case a.GetRunAction() != nil:
		run := a.GetRunAction()
		step := steps.Run{Container: b.in.Garden, Action: run, Streamer: s.WithSource(run.GetLogSource()),
			Network: b.net, GracefulShutdown: b.cfg.GracefulShutdownInterval, SuppressExitStatus: monitor}
		return step
	case a.GetDownloadAction() != nil:
		d := a.GetDownloadAction()
		return steps.Download{Container: b.in.Garden, Action: d, Fetcher: b.cfg.Fetcher,
			Streamer: s.WithSource(d.GetLogSource()), Limit: b.cfg.DownloadLimit}
	case a.GetUploadAction() != nil:
		u := a.GetUploadAction()
		return steps.Upload{Container: b.in.Garden, Action: u, Streamer: s.WithSource(u.GetLogSource()),
			Client: b.cfg.UploadClient, Attempts: 3}
	case a.GetEmitProgressAction() != nil:
		e := a.GetEmitProgressAction()
		return steps.EmitProgress{Step: b.stepFor(s, e.GetAction(), monitor), StartMessage: e.GetStartMessage(),
			SuccessMessage: e.GetSuccessMessage(), FailurePrefix: e.GetFailureMessagePrefix(),
			Streamer: s.WithSource(e.GetLogSource())}
	case a.GetTimeoutAction() != nil:
		t := a.GetTimeoutAction()
		d := time.Duration(t.GetTimeoutMs()) * time.Millisecond
		if d == 0 {
			d = time.Duration(t.GetDeprecatedTimeoutNs())
		}
		return steps.Timeout{Step: b.stepFor(s.WithSource(t.GetLogSource()), t.GetAction(), monitor), Duration: d}
	case a.GetTryAction() != nil:
		t := a.GetTryAction()
		return steps.Try{Step: b.stepFor(s.WithSource(t.GetLogSource()), t.GetAction(), monitor)}
	case a.GetParallelAction() != nil:
		p := a.GetParallelAction()
		return steps.Parallel(b.subSteps(s.WithSource(p.GetLogSource()), p.GetActions(), monitor))
	case a.GetCodependentAction() != nil:
		c := a.GetCodependentAction()
		return steps.Codependent{Steps: b.subSteps(s.WithSource(c.GetLogSource()), c.GetActions(), monitor), ErrorOnExit: true}
	case a.GetSerialAction() != nil:
		var out steps.Serial
		for _, sub := range a.GetSerialAction().GetActions() {
			out = append(out, b.stepFor(s, sub, monitor))
		}
		return out
	}
	return steps.Func(func(_ context.Context, _ func()) error { return fmt.Errorf("unknown action: %T", a) })
}

// subSteps builds the members of a parallel or codependent action. In a
// monitor each member's output is captured to become its error message.
func (b builder) subSteps(s steps.Streamer, actions []*models.Action, monitor bool) []steps.Step {
	out := make([]steps.Step, 0, len(actions))
	for _, a := range actions {
		if monitor {
			buf := newBuffer()
			out = append(out, steps.OutputWrapper{Step: b.stepFor(bufferStreamer{buf, s.SourceName()}, a, true), Output: buf})
			continue
		}
		out = append(out, b.stepFor(s, a, false))
	}
	return out
}

// monitor builds the legacy health check from the monitor action.
func (b builder) monitor() steps.Step {
	c := b.in.Container
	action := proto.Clone(c.Monitor).(*models.Action)
	unsuppress(action)
	check := func() steps.Step {
		if action.GetRunAction() != nil {
			buf := newBuffer()
			return steps.OutputWrapper{Step: b.stepFor(bufferStreamer{buf, HealthLogSource}, action, true), Output: buf}
		}
		return b.stepFor(b.in.Streamer, action, true)
	}
	return steps.HealthCheck{
		Startup: steps.EventuallySucceeds{Check: check, Interval: b.cfg.UnhealthyMonitoringInterval,
			Timeout: time.Duration(c.StartTimeoutMs) * time.Millisecond},
		Liveness:       steps.ConsistentlySucceeds{Check: check, Interval: b.cfg.HealthyMonitoringInterval},
		Streamer:       b.in.Streamer,
		HealthStreamer: b.in.Streamer,
	}
}

// unsuppress turns log output back on for every run in a monitor action, so
// its output can become the failure message.
func unsuppress(a *models.Action) {
	switch {
	case a == nil:
	case a.GetRunAction() != nil:
		a.GetRunAction().SuppressLogOutput = false
	case a.GetTryAction() != nil:
		unsuppress(a.GetTryAction().GetAction())
	case a.GetEmitProgressAction() != nil:
		unsuppress(a.GetEmitProgressAction().GetAction())
	case a.GetTimeoutAction() != nil:
		unsuppress(a.GetTimeoutAction().GetAction())
	case a.GetParallelAction() != nil:
		for _, s := range a.GetParallelAction().GetActions() {
			unsuppress(s)
		}
	case a.GetSerialAction() != nil:
		for _, s := range a.GetSerialAction().GetActions() {
			unsuppress(s)
		}
	case a.GetCodependentAction() != nil:
		for _, s := range a.GetCodependentAction().GetActions() {
			unsuppress(s)
		}
	}
}

// buffer is a concurrency-safe bytes.Buffer.
type buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func newBuffer() *buffer { return &buffer{} }

func (b *buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *buffer) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Read(p)
}
