// Command garden serves the Garden API with real runc containers.
// Usage: garden -config FILE [-check-config | -teardown]. See garden/README.md.
package main

import (
	"flag"
	"fmt"
	"os"

	"code.cloudfoundry.org/lager/v3"
	"github.com/tedsuo/ifrit"

	"github.com/godiego/diego/garden/config"
	gardenserver "github.com/godiego/diego/garden/server"
	"github.com/godiego/diego/internal/daemon"
	"github.com/godiego/diego/internal/logging"
)

func main() {
	var teardown bool
	flags := daemon.ParseFlagsWith("garden", func(fs *flag.FlagSet) {
		fs.BoolVar(&teardown, "teardown", false, "destroy every container of depot_dir and remove the server's bridge, firewall rules and cgroups, then exit")
	})
	cfg := config.Defaults()
	daemon.LoadConfig("garden", flags, &cfg)
	logger, _ := logging.New("garden", logging.Config{LogLevel: cfg.LogLevel})
	if teardown {
		s, err := gardenserver.Start(cfg, logger)
		if err != nil {
			fmt.Fprintf(os.Stderr, "garden: teardown: %v\n", err)
			os.Exit(daemon.ExitFailed)
		}
		s.Teardown()
		return
	}
	os.Exit(daemon.Run(logger, []daemon.Member{{Name: "garden-server", Runner: runner(cfg, logger)}}))
}

func runner(cfg config.Config, logger lager.Logger) ifrit.Runner {
	return ifrit.RunFunc(func(signals <-chan os.Signal, ready chan<- struct{}) error {
		s, err := gardenserver.Start(cfg, logger)
		if err != nil {
			return err
		}
		logger.Info("listening", lager.Data{"network": cfg.ListenNetwork, "address": s.Addr().String()})
		close(ready)
		select {
		case <-signals:
			return s.Stop()
		case err := <-s.Done():
			return err
		}
	})
}
