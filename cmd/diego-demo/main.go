// Command diego-demo (`make demo`) shows a running local Diego at work: it
// desires the sample app with two instances and a route, waits for them to
// run, fetches the app through the dev router, shows the instances with
// cfdot, runs a task and prints its result, then removes everything.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/godiego/diego/internal/demo"
)

func main() {
	var cfg demo.Config
	flag.StringVar(&cfg.StateDir, "state", ".diego", "state folder of the running local Diego (make run)")
	flag.StringVar(&cfg.BinDir, "bin", "bin", "folder holding cfdot")
	flag.DurationVar(&cfg.Timeout, "timeout", 3*time.Minute, "how long to wait for each step")
	flag.BoolVar(&cfg.Keep, "keep", false, "leave the app and task in place at the end")
	flag.Parse()
	cfg.Out = os.Stdout
	if err := demo.Run(context.Background(), cfg); err != nil {
		fmt.Fprintf(os.Stderr, "diego-demo: %v\n", err)
		os.Exit(1)
	}
}
