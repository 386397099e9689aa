// Command auctioneer places LRP instances and tasks on cells by auction:
// `auctioneer -config FILE` (upstream's config keys; -check-config
// validates and exits).
package main

import (
	"context"

	"github.com/godiego/diego/auctioneer"
	"github.com/godiego/diego/internal/daemon"
	"github.com/godiego/diego/internal/logging"
)

func main() {
	cfg := auctioneer.DefaultConfig()
	daemon.Main("auctioneer", &cfg, func(c *auctioneer.Config) logging.LagerConfig { return c.LagerConfig },
		func(ctx context.Context, c auctioneer.Config, env daemon.Env) ([]daemon.Member, func(), error) {
			return auctioneer.Members(ctx, c, env.Logger, env.Sink, env.Metrics)
		})
}
