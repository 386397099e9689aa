// Command ssh-proxy lets `cf ssh` and operators reach the sshd inside app
// instances: `ssh-proxy -config FILE` (upstream's config keys;
// -check-config validates and exits).
package main

import (
	"context"

	"github.com/godiego/diego/internal/daemon"
	"github.com/godiego/diego/internal/logging"
	sshproxy "github.com/godiego/diego/ssh-proxy"
)

func main() {
	cfg := sshproxy.DefaultConfig()
	daemon.Main("ssh-proxy", &cfg, func(c *sshproxy.Config) logging.LagerConfig { return c.LagerConfig },
		func(_ context.Context, c sshproxy.Config, env daemon.Env) ([]daemon.Member, func(), error) {
			members, err := sshproxy.Members(c, env.Logger, env.Sink, env.Metrics)
			return members, nil, err
		})
}
