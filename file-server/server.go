package fileserver

import (
	"fmt"
	"net"
	"os"
	"strings"

	"code.cloudfoundry.org/lager/v3"
	"github.com/tedsuo/ifrit"
	"github.com/tedsuo/ifrit/grouper"
	"github.com/tedsuo/ifrit/http_server"

	"github.com/godiego/diego/internal/metrics"
	"github.com/godiego/diego/internal/tlsconf"
)

// NewRunner returns the file-server's listeners as one runner: plain HTTP
// on server_address, or, with https_server_enabled, HTTPS on
// https_listen_addr plus a plain listener that redirects to it (as upstream).
func NewRunner(cfg Config, logger lager.Logger, reg *metrics.Registry) (ifrit.Runner, error) {
	handler := NewHandler(cfg.StaticDirectory, logger, reg)
	if !cfg.HTTPSServerEnabled {
		return http_server.New(cfg.ServerAddress, handler), nil
	}
	tlsConfig, err := tlsconf.ServerOnly(cfg.CertFile, cfg.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("https listener: %w", err)
	}
	return grouper.NewParallel(os.Interrupt, grouper.Members{
		{Name: "tls-server", Runner: http_server.NewTLSServer(cfg.HTTPSListenAddr, handler, tlsConfig)},
		{Name: "redirect-server", Runner: http_server.New(cfg.ServerAddress, RedirectToHTTPS(cfg.HTTPSListenAddr))},
	}), nil
}

func joinHostPort(host, port string) string {
	if port == "" {
		return host
	}
	return net.JoinHostPort(strings.Trim(host, "[]"), port)
}
