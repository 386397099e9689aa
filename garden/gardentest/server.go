package gardentest

import (
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"code.cloudfoundry.org/garden"
	"code.cloudfoundry.org/garden/client"
	"code.cloudfoundry.org/garden/client/connection"
	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/garden/config"
	gardenserver "github.com/godiego/diego/garden/server"
)

var poolCounter atomic.Uint32

// Config returns a config for a test server with its own depot, socket,
// network pool and port range, and a busybox default rootfs.
func Config(t testing.TB) config.Config {
	t.Helper()
	base, err := os.MkdirTemp("", "garden-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil { // user-namespaced roots must reach the depot
		t.Fatal(err)
	}
	n := poolCounter.Add(1) + uint32(os.Getpid()%50)*4
	cfg := config.Defaults()
	cfg.ListenNetwork = "unix"
	cfg.ListenAddress = filepath.Join(base, "garden.sock")
	cfg.DepotDir = filepath.Join(base, "depot")
	cfg.DefaultRootFS = BuildRootFS(t, filepath.Join(base, "rootfs"), "default")
	cfg.NetworkPool = fmt.Sprintf("10.%d.%d.0/24", 200+n/250%50, n%250)
	// Below the ephemeral port range (32768-60999), so NetIn rules cannot
	// capture other tests' connections, and clear of other tests' fixed ports.
	cfg.PortPoolStart = 30000 + (n%27)*100
	cfg.PortPoolSize = 100
	cfg.LogLevel = "error"
	return cfg
}

// Start starts an in-process server for cfg and returns a client for it.
// The server and everything it made are removed when the test ends.
func Start(t testing.TB, cfg config.Config) (garden.Client, *gardenserver.Server) {
	t.Helper()
	logger := lager.NewLogger("garden-test")
	if os.Getenv("GARDEN_TEST_LOG") != "" {
		logger.RegisterSink(lager.NewWriterSink(os.Stderr, lager.DEBUG))
	}
	s, err := gardenserver.Start(cfg, logger)
	if err != nil {
		t.Fatalf("starting garden: %v", err)
	}
	t.Cleanup(s.Teardown)
	c := client.New(connection.New(cfg.ListenNetwork, cfg.ListenAddress))
	WaitForPing(t, c)
	return c, s
}

// WaitForPing polls c until it answers or 20s pass.
func WaitForPing(t testing.TB, c garden.Client) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := c.Ping()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("garden never answered ping: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ClientFor returns a client for cfg's listen address.
func ClientFor(cfg config.Config) garden.Client {
	return client.New(connection.New(cfg.ListenNetwork, cfg.ListenAddress))
}
