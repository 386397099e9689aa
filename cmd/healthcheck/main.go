// Command healthcheck is the in-container health check Diego runs beside
// each app instance (`healthcheck -port=8080 [-uri=/path] [-<mode>-interval=D]`).
// It must stay a static binary: build with CGO_ENABLED=0.
package main

import (
	"net"
	"os"

	"github.com/godiego/diego/healthcheck"
)

func main() {
	os.Exit(healthcheck.Main(os.Args[1:], os.Stderr, net.Interfaces, mapPort))
}
