//go:build external || windows

package main

import (
	"os"

	"github.com/godiego/diego/healthcheck"
)

// mapPort turns -port into the host port named in CF_INSTANCE_PORTS, for
// platforms where the check runs outside the container's network.
func mapPort(port string) string {
	return healthcheck.ExternalPort(port, os.Getenv("CF_INSTANCE_PORTS"))
}
