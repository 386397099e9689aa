// Command route-emitter registers running instances' routes with routers
// over NATS: `route-emitter -config FILE` (upstream's config keys;
// -check-config validates and exits).
package main

import (
	"context"

	"github.com/godiego/diego/internal/daemon"
	"github.com/godiego/diego/internal/logging"
	routeemitter "github.com/godiego/diego/route-emitter"
)

func main() {
	cfg := routeemitter.DefaultConfig()
	daemon.Main("route-emitter", &cfg, func(c *routeemitter.Config) logging.LagerConfig { return c.LagerConfig },
		func(ctx context.Context, c routeemitter.Config, env daemon.Env) ([]daemon.Member, func(), error) {
			return routeemitter.Members(ctx, c, env.Logger, env.Sink, env.Metrics)
		})
}
