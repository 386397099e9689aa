// Package lockettest starts a real Locket server in-process for tests: a
// gRPC listener on 127.0.0.1 with mutual TLS from fresh dev certificates,
// a real database, TTL expiry and the burglar, all driven by the clock the
// test passes.
package lockettest

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"code.cloudfoundry.org/lager/v3"
	"github.com/tedsuo/ifrit"
	"github.com/tedsuo/ifrit/grouper"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/db/locketdb"
	"github.com/godiego/diego/internal/certs"
	"github.com/godiego/diego/internal/tlsconf"
	"github.com/godiego/diego/locket"
	"github.com/godiego/diego/locket/client"
	"github.com/godiego/diego/locket/clock"
)

// Server is a running Locket server.
type Server struct {
	// Addr is host:port of the gRPC listener.
	Addr string
	// ClientConfig reaches the server with the dev client certificate.
	ClientConfig client.Config
	// Store is the server's storage, for looking behind its back.
	Store *locketdb.Store
	// Expiry is the server's TTL tracker.
	Expiry *locket.Expiry
	// Certs are the certificates the server and its clients use.
	Certs certs.Paths

	process ifrit.Process
}

// Start runs a server on the database cfg names (created with
// dbtest.Config, say), stopped at cleanup. certDir may hold certificates
// from an earlier Start (to restart a server with the same identity); when
// empty, fresh ones are made.
func Start(t *testing.T, cfg db.Config, clk clock.Clock, certDir string) *Server {
	t.Helper()
	if certDir == "" {
		certDir = t.TempDir()
	}
	paths := certs.PathsIn(certDir)
	if _, err := os.Stat(paths.ServerCert); err != nil {
		if paths, err = certs.Generate(certDir, nil); err != nil {
			t.Fatalf("generating certs: %v", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := db.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("opening locket database: %v", err)
	}
	store := locketdb.New(d, nil)
	if err := store.Migrate(ctx); err != nil {
		d.Close()
		t.Fatalf("migrating locket database: %v", err)
	}
	tlsCfg, err := tlsconf.Server(paths.ServerCert, paths.ServerKey, paths.CACert)
	if err != nil {
		t.Fatal(err)
	}
	logger := lager.NewLogger("locket")
	out := &testWriter{t: t}
	logger.RegisterSink(lager.NewWriterSink(out, lager.ERROR))
	expiry := locket.NewExpiry(logger, store, clk)
	m := locket.NewMetrics(nil, expiry)
	grpcRunner := locket.NewGRPCRunner(logger, "127.0.0.1:0", tlsCfg, locket.NewHandler(logger, store, expiry, m, nil))
	group := grouper.NewOrdered(os.Interrupt, grouper.Members{
		{Name: "server", Runner: grpcRunner},
		{Name: "burglar", Runner: locket.NewBurglar(logger, store, expiry, clk, locket.RetryInterval)},
	})
	process := ifrit.Invoke(group)
	s := &Server{
		Addr:  grpcRunner.Addr().String(),
		Store: store, Expiry: expiry, Certs: paths, process: process,
	}
	s.ClientConfig = client.Config{
		LocketAddress:        s.Addr,
		LocketCACertFile:     paths.CACert,
		LocketClientCertFile: paths.ClientCert,
		LocketClientKeyFile:  paths.ClientKey,
	}
	t.Cleanup(func() {
		s.Stop()
		d.Close()
		out.close()
	})
	return s
}

// Stop stops the server (idempotent).
func (s *Server) Stop() {
	s.process.Signal(os.Interrupt)
	<-s.process.Wait()
}

// Client returns a connected client, closed at cleanup.
func (s *Server) Client(t *testing.T) *client.Client {
	t.Helper()
	c, err := client.New(context.Background(), s.ClientConfig)
	if err != nil {
		t.Fatalf("connecting to locket: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// testWriter sends the server's error logs to the test log until the
// test's cleanup, and drops them after.
type testWriter struct {
	mu     sync.Mutex
	t      *testing.T
	closed bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.t.Logf("locket: %s", p)
	}
	return len(p), nil
}

func (w *testWriter) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
}
