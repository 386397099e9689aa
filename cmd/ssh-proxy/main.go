// Command ssh-proxy lets `cf ssh` and operators reach the sshd inside app
// instances: `ssh-proxy -config FILE` (upstream's config keys;
// -check-config validates and exits).
package main

import (
	"os"

	"github.com/godiego/diego/internal/daemon"
	"github.com/godiego/diego/internal/logging"
	"github.com/godiego/diego/internal/metrics"
	sshproxy "github.com/godiego/diego/ssh-proxy"
)

func main() {
	flags := daemon.ParseFlags("ssh-proxy")
	cfg := sshproxy.DefaultConfig()
	daemon.LoadConfig("ssh-proxy", flags, &cfg)

	logger, sink := logging.New("ssh-proxy", cfg.LagerConfig)
	daemon.NoteUnusedKeys(logger, &cfg)
	members, err := sshproxy.Members(cfg, logger, sink, metrics.NewRegistry())
	if err != nil {
		logger.Error("configure-failed", err)
		os.Exit(daemon.ExitFailed)
	}
	os.Exit(daemon.Run(logger, members))
}
