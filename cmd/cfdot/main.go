// Command cfdot is the Diego operator CLI (see package cfdot).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/godiego/diego/cfdot"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cfdot.Main(os.Args[1:], cfdot.IO{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Context: ctx})
	stop()
	os.Exit(code)
}
