// Package daemon holds what every Diego binary's main shares: the
// `-config FILE` and `-check-config` flags, loading and validating the
// config, and running the daemon's members as an ordered process group that
// starts each member after the previous one is ready and stops them in
// reverse order on SIGTERM or SIGINT.
package daemon

import (
	"flag"
	"fmt"
	"os"
	"syscall"

	"code.cloudfoundry.org/lager/v3"
	"github.com/tedsuo/ifrit"
	"github.com/tedsuo/ifrit/grouper"
	"github.com/tedsuo/ifrit/sigmon"

	"github.com/godiego/diego/internal/config"
)

// Exit codes shared by the daemons.
const (
	ExitOK          = 0
	ExitFailed      = 1
	ExitConfigError = 2
)

// Flags are the command-line flags every daemon takes.
type Flags struct {
	ConfigPath  string
	CheckConfig bool
}

// ParseFlags parses os.Args for -config and -check-config.
func ParseFlags(name string) Flags { return ParseFlagsWith(name, nil) }

// ParseFlagsWith is ParseFlags for a daemon with flags of its own, which
// extra registers on the flag set before parsing.
func ParseFlagsWith(name string, extra func(*flag.FlagSet)) Flags {
	fs := flag.NewFlagSet(name, flag.ExitOnError)
	var f Flags
	fs.StringVar(&f.ConfigPath, "config", "", "path to the JSON config file")
	fs.BoolVar(&f.CheckConfig, "check-config", false, "validate the config file, then exit (0 when valid)")
	if extra != nil {
		extra(fs)
	}
	_ = fs.Parse(os.Args[1:])
	return f
}

// LoadConfig loads the config named by the flags into cfg (which holds the
// defaults). On any problem it prints every problem to stderr and exits with
// ExitConfigError; with -check-config it exits 0 once the config is valid.
func LoadConfig(name string, f Flags, cfg any) {
	if f.ConfigPath == "" {
		fmt.Fprintf(os.Stderr, "%s: -config FILE is required\n", name)
		os.Exit(ExitConfigError)
	}
	if err := config.Load(f.ConfigPath, cfg); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %s: %v\n", name, f.ConfigPath, err)
		os.Exit(ExitConfigError)
	}
	if f.CheckConfig {
		fmt.Printf("%s: %s is valid\n", name, f.ConfigPath)
		os.Exit(ExitOK)
	}
}

// NoteUnusedKeys logs one line for each upstream key that is set but that
// this implementation accepts without acting on.
func NoteUnusedKeys(logger lager.Logger, cfg any) {
	for _, key := range config.UnusedKeys(cfg) {
		logger.Info("config-key-accepted-but-unused", lager.Data{"key": key})
	}
}

// Member is one named runner of a daemon.
type Member = grouper.Member

// Run starts members in order and blocks until the group exits, returning
// the process exit code. SIGTERM and SIGINT stop the members in reverse order.
func Run(logger lager.Logger, members []Member) int {
	group := grouper.NewOrdered(os.Interrupt, members)
	process := ifrit.Invoke(sigmon.New(group, syscall.SIGTERM, syscall.SIGINT))
	logger.Info("started")
	if err := <-process.Wait(); err != nil {
		logger.Error("exited-with-failure", err)
		return ExitFailed
	}
	logger.Info("exited")
	return ExitOK
}
