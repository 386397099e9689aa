// Command file-server serves Diego's lifecycle tarballs and other static
// files over HTTP (and optionally HTTPS): `file-server -config FILE`.
package main

import (
	"os"

	"github.com/godiego/diego/file-server"
	"github.com/godiego/diego/internal/daemon"
	"github.com/godiego/diego/internal/debugserver"
	"github.com/godiego/diego/internal/logging"
	"github.com/godiego/diego/internal/metrics"
)

func main() {
	flags := daemon.ParseFlags("file-server")
	cfg := fileserver.DefaultConfig()
	daemon.LoadConfig("file-server", flags, &cfg)

	logger, sink := logging.New("file-server", cfg.LagerConfig)
	daemon.NoteUnusedKeys(logger, &cfg)
	reg := metrics.NewRegistry()

	server, err := fileserver.NewRunner(cfg, logger, reg)
	if err != nil {
		logger.Error("failed-to-create-server", err)
		os.Exit(daemon.ExitFailed)
	}
	var members []daemon.Member
	if cfg.DebugAddress != "" {
		members = append(members, daemon.Member{Name: "debug-server", Runner: debugserver.Runner(cfg.DebugAddress, sink, reg)})
	}
	members = append(members, daemon.Member{Name: "file-server", Runner: server})
	os.Exit(daemon.Run(logger, members))
}
