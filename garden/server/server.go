// Package server hosts the backend behind the standard Garden HTTP API
// (code.cloudfoundry.org/garden/server) and gives it an ifrit-style
// lifecycle: start the backend (which cleans up leftovers), arm the
// grace-time reaper, listen, serve until stopped.
package server

import (
	"fmt"
	"net"
	"os"

	"code.cloudfoundry.org/garden/server"
	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/garden/backend"
	"github.com/godiego/diego/garden/config"
)

// Server is one running Garden server.
type Server struct {
	garden   *server.GardenServer
	backend  *backend.Backend
	listener net.Listener
	done     chan error
}

// Start starts the backend and begins serving on the configured address.
func Start(cfg config.Config, logger lager.Logger) (*Server, error) {
	b, err := backend.New(cfg, logger)
	if err != nil {
		return nil, err
	}
	gs := server.New(cfg.ListenNetwork, cfg.ListenAddress, cfg.DefaultGraceTime.D(), b, logger)
	if err := b.Start(); err != nil {
		return nil, fmt.Errorf("starting backend: %w", err)
	}
	if err := gs.SetupBomberman(); err != nil {
		return nil, fmt.Errorf("starting reaper: %w", err)
	}
	if cfg.ListenNetwork == "unix" {
		_ = os.Remove(cfg.ListenAddress)
	}
	l, err := gs.Listen()
	if err != nil {
		_ = b.Stop()
		return nil, fmt.Errorf("listening: %w", err)
	}
	s := &Server{garden: gs, backend: b, listener: l, done: make(chan error, 1)}
	go func() { s.done <- gs.Serve(l) }()
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.listener.Addr() }

// Done yields the serve loop's result when it ends.
func (s *Server) Done() <-chan error { return s.done }

// Stop stops serving and stops the backend. Containers keep running until
// the next start cleans them up.
func (s *Server) Stop() error { return s.garden.Stop() }

// Teardown stops the server and removes every container and host resource
// it made (bridge, chains, cgroups), leaving the machine as it found it.
func (s *Server) Teardown() {
	_ = s.garden.Stop()
	s.backend.Teardown()
}
