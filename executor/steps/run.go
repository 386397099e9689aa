package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"code.cloudfoundry.org/garden"

	"github.com/godiego/diego/proto/models"
)

// DefaultExitTimeout is how long a run step waits for a killed process.
const DefaultExitTimeout = 10 * time.Second

// PortMapping is one container port and the host port it is reachable on.
type PortMapping struct {
	ContainerPort         uint32
	HostPort              uint32
	ContainerTLSProxyPort uint32
	HostTLSProxyPort      uint32
}

// Network is what a run step exports to the process as CF_INSTANCE_* env.
type Network struct {
	ExternalIP string
	InternalIP string
	Ports      []PortMapping
}

// Env returns CF_INSTANCE_IP, CF_INSTANCE_INTERNAL_IP, CF_INSTANCE_PORT,
// CF_INSTANCE_ADDR and CF_INSTANCE_PORTS for n, as upstream's run step sets them.
func (n Network) Env() []string {
	env := []string{"CF_INSTANCE_IP=" + n.ExternalIP, "CF_INSTANCE_INTERNAL_IP=" + n.InternalIP}
	if len(n.Ports) == 0 {
		return append(env, "CF_INSTANCE_PORT=", "CF_INSTANCE_ADDR=", "CF_INSTANCE_PORTS=[]")
	}
	if hp := n.Ports[0].HostPort; hp > 0 {
		env = append(env, "CF_INSTANCE_PORT="+strconv.Itoa(int(hp)),
			fmt.Sprintf("CF_INSTANCE_ADDR=%s:%d", n.ExternalIP, hp))
	}
	type cfPort struct {
		External         uint32 `json:"external,omitempty"`
		Internal         uint32 `json:"internal"`
		ExternalTLSProxy uint32 `json:"external_tls_proxy,omitempty"`
		InternalTLSProxy uint32 `json:"internal_tls_proxy,omitempty"`
	}
	ports := make([]cfPort, 0, len(n.Ports))
	for _, p := range n.Ports {
		ports = append(ports, cfPort{External: p.HostPort, Internal: p.ContainerPort,
			ExternalTLSProxy: p.HostTLSProxyPort, InternalTLSProxy: p.ContainerTLSProxyPort})
	}
	raw, _ := json.Marshal(ports)
	return append(env, "CF_INSTANCE_PORTS="+string(raw))
}

// Sidecar runs a process in its own image beside the container's processes
// (used by the declarative health checks).
type Sidecar struct {
	Name           string
	Image          garden.ImageRef
	BindMounts     []garden.BindMount
	OverrideLimits *garden.ProcessLimits
}

// Run runs one process in a Garden container. It is ready once the process
// has started. Cancellation sends TERM, then KILL after GracefulShutdown,
// then gives up after ExitTimeout.
type Run struct {
	Container        garden.Container
	Action           *models.RunAction
	Streamer         Streamer
	Network          Network
	GracefulShutdown time.Duration
	ExitTimeout      time.Duration
	// SuppressExitStatus leaves the "Exit status N" line and the exit code
	// out of messages (monitor and health-check processes).
	SuppressExitStatus bool
	Sidecar            Sidecar
}

type waitResult struct {
	status int
	err    error
}

// Run starts the process and waits for it.
func (r Run) Run(ctx context.Context, ready func()) error {
	if ctx.Err() != nil {
		return ErrCancelled
	}
	env := make([]string, 0, len(r.Action.GetEnv())+5)
	for _, e := range r.Action.GetEnv() {
		env = append(env, e.GetName()+"="+e.GetValue())
	}
	env = append(env, r.Network.Env()...)

	var limits garden.ResourceLimits
	if rl := r.Action.GetResourceLimits(); rl != nil {
		if nf, ok := rl.GetOptionalNofile().(*models.ResourceLimits_Nofile); ok {
			v := nf.Nofile
			limits.Nofile = &v
		}
	}
	pio := garden.ProcessIO{Stdout: io.Discard, Stderr: io.Discard}
	if !r.Action.GetSuppressLogOutput() {
		pio = garden.ProcessIO{Stdout: r.Streamer.Stdout(), Stderr: r.Streamer.Stderr()}
	}
	spec := garden.ProcessSpec{
		ID: r.Sidecar.Name, Path: r.Action.GetPath(), Args: r.Action.GetArgs(), Dir: r.Action.GetDir(),
		Env: env, User: r.Action.GetUser(), Limits: limits,
		Image: r.Sidecar.Image, BindMounts: r.Sidecar.BindMounts, OverrideContainerLimits: r.Sidecar.OverrideLimits,
	}

	started := make(chan garden.Process, 1)
	failed := make(chan error, 1)
	go func() {
		p, err := r.Container.Run(spec, pio)
		if err != nil {
			failed <- err
			return
		}
		started <- p
	}()
	var proc garden.Process
	select {
	case err := <-failed:
		return err
	case proc = <-started:
	case <-ctx.Done():
		go func() { // do not leak a process that starts after all
			if p := <-started; p != nil {
				p.Signal(garden.SignalKill)
			}
		}()
		return ErrCancelled
	}
	once(ready)()

	exited := make(chan waitResult, 1)
	go func() {
		status, err := proc.Wait()
		exited <- waitResult{status, err}
	}()

	var kill, giveUp <-chan time.Time
	cancelled, killed := false, false
	done := ctx.Done()
	for {
		select {
		case res := <-exited:
			if res.err != nil {
				return res.err
			}
			return r.exited(res.status, cancelled, killed)
		case <-done:
			done = nil
			cancelled = true
			proc.Signal(garden.SignalTerminate)
			kill = time.After(r.GracefulShutdown)
		case <-kill:
			kill = nil
			killed = true
			proc.Signal(garden.SignalKill)
			timeout := r.ExitTimeout
			if timeout == 0 {
				timeout = DefaultExitTimeout
			}
			giveUp = time.After(timeout)
		case <-giveUp:
			return ErrExitTimeout
		}
	}
}

func (r Run) exited(status int, cancelled, killed bool) error {
	var msg, emittable string
	if !r.SuppressExitStatus {
		msg = fmt.Sprintf("Exit status %d", status)
		emittable = fmt.Sprintf("%s: Exited with status %d", r.Streamer.SourceName(), status)
	}
	if killed {
		msg = fmt.Sprintf("%s (exceeded %s graceful shutdown interval)", msg, r.GracefulShutdown)
	}
	if status != 0 && r.oom() {
		msg += " (out of memory)"
		emittable += " (out of memory)"
	}
	if !r.Action.GetSuppressLogOutput() {
		io.WriteString(r.Streamer.Stdout(), msg)
		r.Streamer.Flush()
	}
	switch {
	case killed:
		return ErrExceededGracefulShutdown
	case cancelled:
		return ErrCancelled
	case status != 0:
		return Emittable(nil, emittable)
	}
	return nil
}

func (r Run) oom() bool {
	info, err := r.Container.Info()
	if err != nil {
		return false
	}
	for _, ev := range info.Events {
		if ev == "out of memory" || ev == "Out of memory" || ev == "oom" {
			return true
		}
	}
	return false
}
