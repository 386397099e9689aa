package client

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/keepalive"

	"github.com/godiego/diego/internal/tlsconf"
	"github.com/godiego/diego/proto/locketmodels"
)

// Client is a connected Locket client.
type Client struct {
	locketmodels.LocketClient
	conn *grpc.ClientConn
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// New connects to Locket with mutual TLS and keepalive, waiting up to
// DialTimeout (or ctx's deadline, if sooner) for the connection, as
// upstream's client does before a daemon starts its runners.
func New(ctx context.Context, cfg Config) (*Client, error) {
	return dial(ctx, cfg, false)
}

// NewSkipCertVerify is New without checking the server certificate
// (cfdot's --skipCertVerify).
func NewSkipCertVerify(ctx context.Context, cfg Config) (*Client, error) {
	return dial(ctx, cfg, true)
}

func dial(ctx context.Context, cfg Config, skipVerify bool) (*Client, error) {
	if cfg.LocketAddress == "" {
		return nil, errors.New("locket client: locket_address is required")
	}
	tlsCfg, err := tlsconf.Client(cfg.LocketClientCertFile, cfg.LocketClientKeyFile, cfg.LocketCACertFile, skipVerify)
	if err != nil {
		return nil, fmt.Errorf("locket client TLS: %w", err)
	}
	t, timeout := cfg.keepAlive()
	conn, err := grpc.NewClient(cfg.LocketAddress,
		grpc.WithTransportCredentials(credentials.NewTLS(tlsCfg)),
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: t, Timeout: timeout}),
	)
	if err != nil {
		return nil, fmt.Errorf("locket client: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, DialTimeout)
	defer cancel()
	if err := waitReady(ctx, conn); err != nil {
		conn.Close()
		return nil, fmt.Errorf("connecting to locket at %s: %w", cfg.LocketAddress, err)
	}
	return &Client{LocketClient: locketmodels.NewLocketClient(conn), conn: conn}, nil
}

func waitReady(ctx context.Context, conn *grpc.ClientConn) error {
	conn.Connect()
	for {
		state := conn.GetState()
		if state == connectivity.Ready {
			return nil
		}
		if !conn.WaitForStateChange(ctx, state) {
			return fmt.Errorf("%w (last state %s)", ctx.Err(), state)
		}
	}
}
