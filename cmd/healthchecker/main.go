// Command healthchecker is healthchecker-release's monit-side watchdog:
// `healthchecker -c healthchecker.yml` waits out the job's start-up delay,
// then polls the job's health endpoint and exits non-zero once it is
// unhealthy, so that monit runs restart-monit-job. `-config FILE` is accepted
// for `-c`, and `-check-config` validates the file and exits.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/godiego/diego/healthchecker"
	"github.com/godiego/diego/internal/logging"
)

const name = "healthchecker"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var short, long string
	var checkOnly bool
	fs.StringVar(&short, "c", "", "path to the YAML config file")
	fs.StringVar(&long, "config", "", "same as -c")
	fs.BoolVar(&checkOnly, "check-config", false, "validate the config file, then exit (0 when valid)")
	if err := fs.Parse(args); err != nil {
		return healthchecker.ExitBadConfig
	}
	path, err := configPath(short, long)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return healthchecker.ExitBadConfig
	}
	cfg, err := healthchecker.LoadConfig(path)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s: %v\n", name, path, err)
		return healthchecker.ExitBadConfig
	}
	if checkOnly {
		fmt.Fprintf(stdout, "%s: %s is valid\n", name, path)
		return healthchecker.ExitOK
	}

	// Stop cleanly on the signals bpm and monit send (and SIGUSR1, as upstream).
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT, syscall.SIGUSR1)
	defer stop()
	logger, _ := logging.New(cfg.ComponentName, cfg.Lager())
	err = healthchecker.Run(ctx, cfg, logger, nil)
	var unhealthy *healthchecker.UnhealthyError
	switch {
	case err == nil:
		return healthchecker.ExitOK
	case errors.As(err, &unhealthy):
		logger.Error("Error running healthcheck", err)
		return healthchecker.ExitUnhealthy
	default:
		logger.Error("cannot-create-failure-counter-file", err)
		return healthchecker.ExitUnhealthy
	}
}

func configPath(short, long string) (string, error) {
	switch {
	case short == "" && long == "":
		return "", errors.New("-c FILE is required")
	case short != "" && long != "" && short != long:
		return "", errors.New("-c and -config name different files")
	case short != "":
		return short, nil
	}
	return long, nil
}
