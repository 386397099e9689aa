package locket

import (
	"crypto/tls"
	"net"
	"os"
	"sync"
	"time"

	"code.cloudfoundry.org/lager/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/keepalive"

	"github.com/godiego/diego/proto/locketmodels"
)

// GracefulStopTimeout bounds how long a stopping server waits for
// in-flight requests before closing connections.
const GracefulStopTimeout = 10 * time.Second

// GRPCRunner serves a LocketServer over mutual TLS until signalled.
type GRPCRunner struct {
	logger  lager.Logger
	addr    string
	tls     *tls.Config
	handler locketmodels.LocketServer

	mu    sync.Mutex
	bound net.Addr
}

// NewGRPCRunner returns the runner serving handler on listenAddress.
func NewGRPCRunner(logger lager.Logger, listenAddress string, tlsConfig *tls.Config, handler locketmodels.LocketServer) *GRPCRunner {
	return &GRPCRunner{logger: logger.Session("grpc-server"), addr: listenAddress, tls: tlsConfig, handler: handler}
}

// Addr returns the bound address once the runner is ready (useful with
// port 0), or nil.
func (r *GRPCRunner) Addr() net.Addr {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bound
}

// Run implements ifrit.Runner.
func (r *GRPCRunner) Run(signals <-chan os.Signal, ready chan<- struct{}) error {
	lis, err := net.Listen("tcp", r.addr)
	if err != nil {
		r.logger.Error("failed-to-listen", err)
		return err
	}
	r.mu.Lock()
	r.bound = lis.Addr()
	r.mu.Unlock()

	server := grpc.NewServer(
		grpc.Creds(credentials.NewTLS(r.tls)),
		// Clients ping every 10 s (locket_client_keepalive_time); allow it.
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 5 * time.Second, PermitWithoutStream: true}),
	)
	locketmodels.RegisterLocketServer(server, r.handler)
	served := make(chan error, 1)
	go func() { served <- server.Serve(lis) }()
	r.logger.Info("started", lager.Data{"address": lis.Addr().String()})
	close(ready)

	select {
	case <-signals:
	case err = <-served:
		r.logger.Error("failed-to-serve", err)
		return err
	}
	stopped := make(chan struct{})
	go func() { server.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(GracefulStopTimeout):
		server.Stop()
	}
	r.logger.Info("stopped")
	return nil
}
