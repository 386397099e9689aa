// Command dev-router is a small NATS-driven HTTP router for local Diego
// runs (`dev-router -config FILE`): it routes by Host header to the
// endpoints the route-emitter registers. It is not a gorouter.
package main

import (
	"os"

	"github.com/godiego/diego/devrouter"
	"github.com/godiego/diego/internal/daemon"
	"github.com/godiego/diego/internal/debugserver"
	"github.com/godiego/diego/internal/logging"
	"github.com/godiego/diego/internal/metrics"
)

func main() {
	flags := daemon.ParseFlags("dev-router")
	cfg := devrouter.DefaultConfig()
	daemon.LoadConfig("dev-router", flags, &cfg)

	logger, sink := logging.New("dev-router", cfg.LagerConfig)
	reg := metrics.NewRegistry()
	var members []daemon.Member
	if cfg.DebugAddress != "" {
		members = append(members, daemon.Member{Name: "debug-server", Runner: debugserver.Runner(cfg.DebugAddress, sink, reg)})
	}
	members = append(members, daemon.Member{Name: "router", Runner: devrouter.New(cfg, logger, reg)})
	os.Exit(daemon.Run(logger, members))
}
