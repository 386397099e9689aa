// Command bbs is the Diego Bulletin Board System: `bbs -config FILE`
// (upstream's config keys; -check-config validates and exits).
package main

import (
	"context"

	"github.com/godiego/diego/bbs/server"
	"github.com/godiego/diego/internal/daemon"
	"github.com/godiego/diego/internal/logging"
)

func main() {
	cfg := server.DefaultConfig()
	daemon.Main("bbs", &cfg, func(c *server.Config) logging.LagerConfig { return c.LagerConfig },
		func(ctx context.Context, c server.Config, env daemon.Env) ([]daemon.Member, func(), error) {
			return server.Members(ctx, c, env.Logger, env.Sink, env.Metrics)
		})
}
