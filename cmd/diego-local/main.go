// Command diego-local runs a whole Diego on this machine (`make run`): every
// daemon as its own process, configured under one state folder, stopped
// cleanly on Ctrl-C.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/godiego/diego/internal/localrun"
)

func main() {
	var set localrun.Settings
	flag.StringVar(&set.Root, "state", ".diego", "state folder: configs, certificates, databases, logs")
	flag.StringVar(&set.BinDir, "bin", "bin", "folder holding the built daemons")
	flag.StringVar(&set.Busybox, "busybox", "/bin/busybox", "static busybox used to build the cells' rootfs")
	flag.StringVar(&set.LogLevel, "log-level", "info", "log_level for every daemon")
	flag.BoolVar(&set.Quiet, "quiet", false, "keep daemon logs in the state folder only")
	flag.BoolVar(&set.NoCells, "no-cells", false, "start the control plane only (no gardens and reps)")
	flag.Parse()
	set.Out = os.Stdout

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := localrun.Run(ctx, set); err != nil {
		fmt.Fprintf(os.Stderr, "diego-local: %v\n", err)
		os.Exit(1)
	}
}
