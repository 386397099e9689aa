// Command bbs is the Diego Bulletin Board System: `bbs -config FILE`
// (upstream's config keys; -check-config validates and exits).
package main

import (
	"context"
	"os"

	"github.com/godiego/diego/bbs/server"
	"github.com/godiego/diego/internal/daemon"
	"github.com/godiego/diego/internal/logging"
	"github.com/godiego/diego/internal/metrics"
)

func main() {
	flags := daemon.ParseFlags("bbs")
	cfg := server.DefaultConfig()
	daemon.LoadConfig("bbs", flags, &cfg)

	logger, sink := logging.New("bbs", cfg.LagerConfig)
	daemon.NoteUnusedKeys(logger, &cfg)
	members, closeAll, err := server.Members(context.Background(), cfg, logger, sink, metrics.NewRegistry())
	if err != nil {
		logger.Error("failed-to-start", err)
		os.Exit(daemon.ExitFailed)
	}
	code := daemon.Run(logger, members)
	closeAll()
	os.Exit(code)
}
