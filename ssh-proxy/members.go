package sshproxy

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"code.cloudfoundry.org/lager/v3"
	"github.com/tedsuo/ifrit"
	"github.com/tedsuo/ifrit/http_server"
	"golang.org/x/crypto/ssh"

	bbsclient "github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/internal/daemon"
	"github.com/godiego/diego/internal/debugserver"
	"github.com/godiego/diego/internal/metrics"
	"github.com/godiego/diego/internal/tlsconf"
	"github.com/godiego/diego/ssh-proxy/authenticators"
	"github.com/godiego/diego/ssh-proxy/proxy"
)

// ServerVersion is the SSH identification string the proxy presents.
const ServerVersion = "SSH-2.0-diego-ssh-proxy"

// Members builds the daemon's process group: debug server (when
// configured), the SSH server, and the health server (unless disabled).
func Members(cfg Config, logger lager.Logger, sink *lager.ReconfigurableSink, reg *metrics.Registry) ([]daemon.Member, error) {
	serverConfig, err := SSHServerConfig(cfg, logger)
	if err != nil {
		return nil, err
	}
	backendTLS, err := BackendsTLSConfig(cfg)
	if err != nil {
		return nil, err
	}
	connections := reg.Gauge("ssh_proxy_connections", "Open ssh-proxy sessions (upstream metric ssh-connections).")
	p := proxy.New(logger, serverConfig,
		proxy.Backend{TLS: backendTLS, DialTimeout: cfg.CommunicationTimeout.D()},
		nil, func(n int) { connections.Set(float64(n)) })
	server := proxy.NewServer(logger, cfg.Address, p, cfg.IdleConnectionTimeout.D())

	var members []daemon.Member
	if cfg.DebugAddress != "" {
		members = append(members, daemon.Member{Name: "debug-server", Runner: debugserver.Runner(cfg.DebugAddress, sink, reg)})
	}
	members = append(members, daemon.Member{Name: "ssh-proxy", Runner: server})
	if !cfg.DisableHealthCheckServer {
		members = append(members, daemon.Member{Name: "healthcheck", Runner: HealthServer(cfg.HealthCheckAddress)})
	}
	return members, nil
}

// HealthServer answers 200 to every request on address.
func HealthServer(address string) ifrit.Runner {
	return http_server.New(address, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	}))
}

// SSHServerConfig builds the client-facing SSH server: host key, algorithm
// lists, and the password authenticators the config enables.
func SSHServerConfig(cfg Config, logger lager.Logger) (*ssh.ServerConfig, error) {
	hostKey, err := ssh.ParsePrivateKey([]byte(cfg.HostKey))
	if err != nil {
		return nil, fmt.Errorf("parsing host_key: %w", err)
	}
	auth, err := Authenticator(cfg, logger)
	if err != nil {
		return nil, err
	}
	sc := &ssh.ServerConfig{
		ServerVersion:    ServerVersion,
		PasswordCallback: auth.Authenticate,
		AuthLogCallback: func(meta ssh.ConnMetadata, method string, err error) {
			if err != nil {
				// "none" is every client's first probe; not worth an error line.
				if method != "none" {
					logger.Error("authentication-failed", err, lager.Data{"user": meta.User()})
				}
				return
			}
			logger.Info("authentication-attempted", lager.Data{"user": meta.User()})
		},
	}
	sc.Ciphers, sc.MACs, sc.KeyExchanges = cfg.Algorithms()
	sc.SetDefaults()
	sc.AddHostKey(hostKey)
	return sc, nil
}

// Authenticator builds the composite authenticator over the enabled
// methods, all resolving instances through the BBS.
func Authenticator(cfg Config, logger lager.Logger) (*authenticators.Composite, error) {
	bbs, err := BBSClient(cfg)
	if err != nil {
		return nil, err
	}
	perms := authenticators.NewBBSPermissions(bbs, cfg.ConnectToInstanceAddress, cfg.CommunicationTimeout.D())
	var list []authenticators.PasswordAuthenticator
	if cfg.EnableDiegoAuth {
		list = append(list, authenticators.NewDiego(logger, []byte(cfg.DiegoCredentials), perms))
	}
	if cfg.EnableCFAuth {
		client, err := HTTPClient(cfg)
		if err != nil {
			return nil, err
		}
		list = append(list, authenticators.NewCF(logger, client, authenticators.CFConfig{
			CCAPIURL: cfg.CCAPIURL, UAATokenURL: cfg.UAATokenURL,
			UAAUsername: cfg.UAAUsername, UAAPassword: cfg.UAAPassword,
		}, perms))
	}
	return authenticators.NewComposite(list...), nil
}

// BBSClient is the BBS client the config describes (mutual TLS for https).
func BBSClient(cfg Config) (*bbsclient.Client, error) {
	return bbsclient.NewForAddress(cfg.BBSAddress, cfg.BBSCACert, cfg.BBSClientCert, cfg.BBSClientKey, cfg.CommunicationTimeout.D())
}

// HTTPClient is the client for UAA and Cloud Controller: it trusts
// uaa_ca_cert and cc_api_ca_cert (the system roots when neither is set),
// or nothing at all with skip_cert_verify.
func HTTPClient(cfg Config) (*http.Client, error) {
	tlsCfg := &tls.Config{InsecureSkipVerify: cfg.SkipCertVerify, MinVersion: tls.VersionTLS12}
	var pool *x509.CertPool
	for _, path := range []string{cfg.UAACACert, cfg.CCAPICACert} {
		if path == "" {
			continue
		}
		pem, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("failed to read ca cert file: %w", err)
		}
		if pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("Unable to load caCert %s", path)
		}
	}
	tlsCfg.RootCAs = pool
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{
		Transport: &http.Transport{DialContext: dialer.DialContext, TLSClientConfig: tlsCfg, Proxy: http.ProxyFromEnvironment},
		Timeout:   cfg.CommunicationTimeout.D(),
	}, nil
}

// BackendsTLSConfig is the TLS client config for backends' TLS proxy
// ports; nil when backends_tls_enabled is off. A client certificate is
// presented only when both its files are given (as upstream).
func BackendsTLSConfig(cfg Config) (*tls.Config, error) {
	if !cfg.BackendsTLSEnabled {
		return nil, nil
	}
	if cfg.BackendsTLSCACerts == "" {
		return nil, fmt.Errorf("backend tls ca certificates must be specified if backend TLS is enabled")
	}
	pool, err := tlsconf.LoadCAPool(cfg.BackendsTLSCACerts)
	if err != nil {
		return nil, fmt.Errorf("Failed to parse backends_tls_ca_certificates: %w", err)
	}
	if cfg.BackendsTLSClientCert == "" || cfg.BackendsTLSClientKey == "" {
		return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
	}
	tlsCfg, err := tlsconf.Client(cfg.BackendsTLSClientCert, cfg.BackendsTLSClientKey, "", false)
	if err != nil {
		return nil, err
	}
	tlsCfg.RootCAs = pool
	return tlsCfg, nil
}
