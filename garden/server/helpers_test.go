package server_test

import (
	"testing"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/garden/config"
	gardenserver "github.com/godiego/diego/garden/server"
)

// teardownHost removes the bridge and chains a binary server left (a
// normal shutdown keeps them for the next start).
func teardownHost(t *testing.T, cfg config.Config) {
	t.Helper()
	s, err := gardenserver.Start(cfg, lager.NewLogger("teardown"))
	if err != nil {
		t.Fatalf("starting server for teardown: %v", err)
	}
	s.Teardown()
}
