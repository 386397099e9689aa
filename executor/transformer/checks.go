package transformer

import (
	"fmt"
	"io"
	"path"
	"time"

	"code.cloudfoundry.org/garden"

	"github.com/godiego/diego/executor/steps"
	"github.com/godiego/diego/proto/models"
)

type checkMode int

const (
	startupCheck checkMode = iota
	livenessCheck
	untilReadyCheck
	untilFailureCheck
)

// checkSpec is one declarative check with upstream's defaults applied.
type checkSpec struct {
	port      uint32
	timeoutMs uint64
	interval  time.Duration
	uri       string // empty: TCP
}

func (b builder) spec(c *models.Check) (checkSpec, bool) {
	var s checkSpec
	var intervalMs uint64
	switch {
	case c.GetHttpCheck() != nil:
		h := c.GetHttpCheck()
		s = checkSpec{port: h.GetPort(), timeoutMs: h.GetRequestTimeoutMs(), uri: h.GetPath()}
		if s.uri == "" {
			s.uri = "/"
		}
		intervalMs = h.GetIntervalMs()
	case c.GetTcpCheck() != nil:
		t := c.GetTcpCheck()
		s = checkSpec{port: t.GetPort(), timeoutMs: t.GetConnectTimeoutMs()}
		intervalMs = t.GetIntervalMs()
	default:
		return s, false
	}
	if s.port == 0 {
		return s, false
	}
	if s.timeoutMs == 0 {
		s.timeoutMs = DefaultCheckRequestTimeoutMs
	}
	s.interval = time.Duration(intervalMs) * time.Millisecond
	if s.interval == 0 {
		s.interval = b.cfg.HealthyMonitoringInterval
	}
	return s, true
}

// HealthcheckArgs are the in-container healthcheck binary's arguments for
// one check in one mode, as upstream passes them.
func HealthcheckArgs(s checkSpec, mode checkMode, interval, startTimeout time.Duration) []string {
	args := []string{fmt.Sprintf("-port=%d", s.port), fmt.Sprintf("-timeout=%dms", s.timeoutMs)}
	if s.uri != "" {
		args = append(args, "-uri="+s.uri)
	}
	switch mode {
	case startupCheck:
		args = append(args, "-startup-interval="+interval.String(), "-startup-timeout="+startTimeout.String())
	case livenessCheck:
		args = append(args, "-liveness-interval="+interval.String())
	case untilReadyCheck:
		args = append(args, "-until-ready-interval="+interval.String())
	case untilFailureCheck:
		args = append(args, "-readiness-interval="+interval.String())
	}
	return args
}

// check builds one healthcheck sidecar process whose stderr becomes its
// failure message.
func (b builder) check(s checkSpec, mode checkMode, interval time.Duration, name string) steps.Step {
	c := b.in.Container
	source := HealthLogSource
	if ls := c.CheckDefinition.GetLogSource(); ls != "" {
		source = ls
	}
	startTimeout := time.Duration(c.StartTimeoutMs) * time.Millisecond
	action := &models.RunAction{
		Path:           path.Join(HealthcheckDstPath, "healthcheck"),
		Args:           HealthcheckArgs(s, mode, interval, startTimeout),
		LogSource:      source,
		ResourceLimits: &models.ResourceLimits{OptionalNofile: &models.ResourceLimits_Nofile{Nofile: healthCheckNofiles}},
	}
	buf := newBuffer()
	sidecar := steps.Sidecar{Name: name, OverrideLimits: &garden.ProcessLimits{}}
	if b.cfg.SidecarImage != "" {
		sidecar.Image = garden.ImageRef{URI: b.cfg.SidecarImage}
		sidecar.BindMounts = append(append([]garden.BindMount(nil), b.in.BindMounts...), b.cfg.SidecarBindMounts...)
	}
	run := steps.Run{Container: b.in.Garden, Action: action, Streamer: bufferStreamer{buf, source},
		Network: b.net, GracefulShutdown: b.cfg.GracefulShutdownInterval, SuppressExitStatus: true, Sidecar: sidecar}
	return steps.OutputWrapper{Step: run, Output: buf}
}

// checkDefinition builds the startup-then-liveness monitor of the
// declarative checks.
func (b builder) checkDefinition() steps.Step {
	handle := b.in.Container.Guid
	var startups, livenesses []steps.Step
	for i, c := range b.in.Container.CheckDefinition.GetChecks() {
		s, ok := b.spec(c)
		if !ok {
			continue
		}
		startups = append(startups, b.check(s, startupCheck, b.cfg.UnhealthyMonitoringInterval, fmt.Sprintf("%s-startup-healthcheck-%d", handle, i)))
		livenesses = append(livenesses, b.check(s, livenessCheck, s.interval, fmt.Sprintf("%s-liveness-healthcheck-%d", handle, i)))
	}
	if len(startups) == 0 {
		return nil
	}
	source := HealthLogSource
	if ls := b.in.Container.CheckDefinition.GetLogSource(); ls != "" {
		source = ls
	}
	return steps.HealthCheck{
		Startup:        steps.Parallel(startups),
		Liveness:       steps.Codependent{Steps: livenesses},
		Streamer:       b.in.Streamer,
		HealthStreamer: b.in.Streamer.WithSource(source),
	}
}

// readiness builds the readiness monitor that toggles routability.
func (b builder) readiness() steps.Step {
	handle := b.in.Container.Guid
	var untilReady, untilFailure []steps.Step
	for i, c := range b.in.Container.CheckDefinition.GetReadinessChecks() {
		s, ok := b.spec(c)
		if !ok {
			continue
		}
		untilReady = append(untilReady, b.check(s, untilReadyCheck, s.interval, fmt.Sprintf("%s-until-ready-healthcheck-%d", handle, i)))
		untilFailure = append(untilFailure, b.check(s, untilFailureCheck, s.interval, fmt.Sprintf("%s-readiness-healthcheck-%d", handle, i)))
	}
	if len(untilReady) == 0 {
		return nil
	}
	set := b.in.SetRoutable
	if set == nil {
		set = func(bool) {}
	}
	return steps.Readiness{
		UntilReady:   steps.Parallel(untilReady),
		UntilFailure: steps.Codependent{Steps: untilFailure, ErrorOnExit: true, CancelOthersOnExit: true},
		SetReady:     set,
		Streamer:     b.in.Streamer,
	}
}

// bufferStreamer sends both streams of a check process into one buffer.
type bufferStreamer struct {
	buf    io.Writer
	source string
}

func (s bufferStreamer) Stdout() io.Writer  { return s.buf }
func (s bufferStreamer) Stderr() io.Writer  { return s.buf }
func (s bufferStreamer) SourceName() string { return s.source }
func (s bufferStreamer) Flush()             {}
func (s bufferStreamer) WithSource(name string) steps.Streamer {
	if name == "" {
		return s
	}
	return bufferStreamer{s.buf, name}
}
