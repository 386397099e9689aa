package routeemitter

import (
	"crypto/tls"
	"fmt"
	"strconv"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/internal/tlsconf"
	"github.com/godiego/diego/route-emitter/routingapi"
)

// RoutingAPIURL is where the routing API listens: routing_api.url with
// routing_api.port appended when set, as upstream joins them.
func (c *Config) RoutingAPIURL() string {
	if c.RoutingAPI.Port == 0 {
		return c.RoutingAPI.URL
	}
	return c.RoutingAPI.URL + ":" + strconv.Itoa(int(c.RoutingAPI.Port))
}

// newRoutingAPIEmitter builds the TCP side: mTLS to the routing API when
// its CA, certificate and key are all configured (as upstream requires
// all three), and UAA tokens when routing_api.auth_enabled.
func newRoutingAPIEmitter(cfg Config, logger lager.Logger) (*routingapi.Emitter, error) {
	var tlsCfg *tls.Config
	ra := cfg.RoutingAPI
	if ra.CACertFile != "" && ra.ClientCertFile != "" && ra.ClientKeyFile != "" {
		var err error
		if tlsCfg, err = tlsconf.Client(ra.ClientCertFile, ra.ClientKeyFile, ra.CACertFile, false); err != nil {
			return nil, fmt.Errorf("routing API TLS: %w", err)
		}
	}
	var tokens routingapi.TokenSource
	if ra.AuthEnabled {
		src, err := routingapi.NewUAATokenSource(routingapi.UAAConfig{
			URL:            cfg.OAuth.UAAURL,
			ClientName:     cfg.OAuth.ClientName,
			ClientSecret:   cfg.OAuth.ClientSecret,
			CACertsFile:    cfg.OAuth.CACerts,
			SkipCertVerify: cfg.OAuth.SkipCertVerify,
			Timeout:        cfg.OAuth.UAARequestTimeout.D(),
		}, nil)
		if err != nil {
			return nil, err
		}
		tokens = src
	}
	url := cfg.RoutingAPIURL()
	logger.Info("tcp-emitter-enabled", lager.Data{"routing_api": url, "auth_enabled": ra.AuthEnabled, "mtls": tlsCfg != nil})
	client := routingapi.NewClient(url, tlsCfg, cfg.CommunicationTimeout.D(), tokens)
	return routingapi.NewEmitter(client, cfg.TCPRouteTTL.D(), cfg.CommunicationTimeout.D()), nil
}
