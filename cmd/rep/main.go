// Command rep is the Diego cell representative with its in-process
// executor: `rep -config FILE [-check-config]`. It registers the cell in
// Locket, serves the rep's network and admin APIs over mutual TLS, runs
// containers on Garden and keeps the BBS in step with them.
package main

import (
	"os"

	"github.com/godiego/diego/internal/daemon"
	repconfig "github.com/godiego/diego/rep/config"
)

func main() {
	flags := daemon.ParseFlags("rep")
	cfg := repconfig.Defaults()
	daemon.LoadConfig("rep", flags, &cfg)
	os.Exit(run(cfg))
}
