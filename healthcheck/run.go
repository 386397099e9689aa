package healthcheck

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"time"
)

// Options are the command-line settings of the healthcheck binary.
type Options struct {
	Check

	StartupInterval    time.Duration // retry until success, bounded by StartupTimeout
	StartupTimeout     time.Duration // 0: no bound
	LivenessInterval   time.Duration // repeat until failure
	ReadinessInterval  time.Duration // repeat until failure
	UntilReadyInterval time.Duration // repeat until success, unbounded
}

// ParseFlags reads upstream's flags from args (without the program name).
// Errors have already been reported on stderr by the flag package;
// flag.ErrHelp means -h was asked for.
func ParseFlags(args []string, stderr io.Writer) (Options, error) {
	var o Options
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Network, "network", "tcp", "network type to dial with (e.g. unix, tcp)")
	fs.StringVar(&o.URI, "uri", "", "uri to healthcheck")
	fs.StringVar(&o.Port, "port", "8080", "port to healthcheck")
	fs.DurationVar(&o.Timeout, "timeout", time.Second, "dial timeout")
	fs.DurationVar(&o.StartupInterval, "startup-interval", 0,
		"if set, starts the healthcheck in startup mode, i.e. do not exit until the healthcheck passes. runs checks every startup-interval")
	fs.DurationVar(&o.StartupTimeout, "startup-timeout", 60*time.Second,
		"Only relevant if healthcheck is running in startup mode. When the timeout is set to a non-zero value, the healthcheck will return non-zero with any errors if this timeout is hit without the healthcheck passing")
	fs.DurationVar(&o.LivenessInterval, "liveness-interval", 0,
		"if set, starts the healthcheck in liveness mode, i.e. the app is alive and hasn't crashed, do not exit until the healthcheck fails. runs checks every liveness-interval")
	fs.DurationVar(&o.ReadinessInterval, "readiness-interval", 0,
		"if set, starts the healthcheck in readiness mode, i.e. the app is ready to serve traffic, do not exit until the healthcheck fails because the target isn't serving traffic or another process doesn't exist. runs checks every readiness-interval")
	fs.DurationVar(&o.UntilReadyInterval, "until-ready-interval", 0,
		"if set, starts the healthcheck in until-ready mode, i.e. do not exit until the healthcheck passes and the app is ready to serve traffic. runs checks every until-ready-interval")
	err := fs.Parse(args)
	return o, err
}

// Main is the whole healthcheck program: parse args, find the interfaces,
// run the selected mode and return the exit code. Failures are written to
// stderr. listInterfaces is normally net.Interfaces; mapPort rewrites the
// -port value (identity, or ExternalPort for the external-port build).
func Main(args []string, stderr io.Writer, listInterfaces func() ([]net.Interface, error), mapPort func(string) string) int {
	opts, err := ParseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	if err != nil {
		return ExitUsage
	}
	interfaces, err := listInterfaces()
	if err != nil {
		fmt.Fprintf(stderr, "Failed to get interfaces: %s\n", err)
		return ExitInterfacesError
	}
	if mapPort != nil {
		opts.Port = mapPort(opts.Port)
	}
	probe := func() error { return opts.CheckInterfaces(interfaces, stderr) }
	return Run(opts, probe, stderr)
}

// Run runs probe according to the mode opts select and returns the exit
// code, writing the failure (if any) to stderr. The first set interval wins,
// in upstream's order: startup, liveness, readiness, until-ready; with none
// set, probe runs once.
func Run(opts Options, probe func() error, stderr io.Writer) int {
	switch {
	case opts.StartupInterval > 0:
		return runStartup(opts.StartupInterval, opts.StartupTimeout, probe, stderr)
	case opts.LivenessInterval > 0:
		return untilFailure("Liveness check unsuccessful: ", opts.LivenessInterval, probe, stderr)
	case opts.ReadinessInterval > 0:
		return untilFailure("Readiness check unsuccessful: ", opts.ReadinessInterval, probe, stderr)
	case opts.UntilReadyInterval > 0:
		for probe() != nil {
			time.Sleep(opts.UntilReadyInterval)
		}
		return ExitOK
	}
	if err := probe(); err != nil {
		return fail("", err, stderr)
	}
	return ExitOK
}

// runStartup starts a probe on every tick of interval until one passes. The
// timeout counts from the start; when it expires the last failure is
// reported, prefixed with how long and how many attempts it took.
func runStartup(interval, timeout time.Duration, probe func() error, stderr io.Writer) int {
	var deadline <-chan time.Time
	if timeout > 0 {
		timer := time.NewTimer(timeout)
		defer timer.Stop()
		deadline = timer.C
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()

	var last error
	for attempt := 1; ; attempt++ {
		result := make(chan error, 1)
		go func() { result <- probe() }()
		select {
		case err := <-result:
			if err == nil {
				return ExitOK
			}
			last = err
		case <-deadline:
			return startupTimedOut(timeout, attempt, last, stderr)
		}
		select {
		case <-ticker.C:
		case <-deadline:
			return startupTimedOut(timeout, attempt, last, stderr)
		}
	}
}

func startupTimedOut(timeout time.Duration, attempts int, last error, stderr io.Writer) int {
	if last == nil {
		last = errors.New("no check completed before the timeout")
	}
	prefix := fmt.Sprintf("Timed out after %s (%d attempts) waiting for startup check to succeed: ", timeout, attempts)
	return fail(prefix, last, stderr)
}

// untilFailure probes, then sleeps interval, until a probe fails.
func untilFailure(prefix string, interval time.Duration, probe func() error, stderr io.Writer) int {
	for {
		if err := probe(); err != nil {
			return fail(prefix, err, stderr)
		}
		time.Sleep(interval)
	}
}

// fail prints prefix and the failure and returns its exit code.
func fail(prefix string, err error, stderr io.Writer) int {
	var hcErr *Error
	if errors.As(err, &hcErr) {
		fmt.Fprintf(stderr, "%s%s\n", prefix, hcErr.Message)
		return hcErr.Code
	}
	fmt.Fprintf(stderr, "%sUnknown error encountered in healthcheck: %s\n", prefix, err)
	return ExitUnknown
}
