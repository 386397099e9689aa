// Command route-emitter registers running instances' routes with routers
// over NATS: `route-emitter -config FILE` (upstream's config keys;
// -check-config validates and exits).
package main

import (
	"context"
	"os"

	"github.com/godiego/diego/internal/daemon"
	"github.com/godiego/diego/internal/logging"
	"github.com/godiego/diego/internal/metrics"
	routeemitter "github.com/godiego/diego/route-emitter"
)

func main() {
	flags := daemon.ParseFlags("route-emitter")
	cfg := routeemitter.DefaultConfig()
	daemon.LoadConfig("route-emitter", flags, &cfg)

	logger, sink := logging.New("route-emitter", cfg.LagerConfig)
	daemon.NoteUnusedKeys(logger, &cfg)
	members, closeAll, err := routeemitter.Members(context.Background(), cfg, logger, sink, metrics.NewRegistry())
	if err != nil {
		logger.Error("failed-to-start", err)
		os.Exit(daemon.ExitFailed)
	}
	code := daemon.Run(logger, members)
	closeAll()
	os.Exit(code)
}
