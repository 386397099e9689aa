// Command auctioneer places LRP instances and tasks on cells by auction:
// `auctioneer -config FILE` (upstream's config keys; -check-config
// validates and exits).
package main

import (
	"context"
	"os"

	"github.com/godiego/diego/auctioneer"
	"github.com/godiego/diego/internal/daemon"
	"github.com/godiego/diego/internal/logging"
	"github.com/godiego/diego/internal/metrics"
)

func main() {
	flags := daemon.ParseFlags("auctioneer")
	cfg := auctioneer.DefaultConfig()
	daemon.LoadConfig("auctioneer", flags, &cfg)

	logger, sink := logging.New("auctioneer", cfg.LagerConfig)
	daemon.NoteUnusedKeys(logger, &cfg)
	members, closeAll, err := auctioneer.Members(context.Background(), cfg, logger, sink, metrics.NewRegistry())
	if err != nil {
		logger.Error("failed-to-start", err)
		os.Exit(daemon.ExitFailed)
	}
	code := daemon.Run(logger, members)
	closeAll()
	os.Exit(code)
}
