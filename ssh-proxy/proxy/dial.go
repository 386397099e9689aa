package proxy

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"code.cloudfoundry.org/lager/v3"
	"golang.org/x/crypto/ssh"
)

// Backend says how the proxy reaches backends.
type Backend struct {
	// TLS, when set, is used for targets that offer a TLS address (the
	// cell's TLS proxy port); its ServerName becomes the target's
	// ServerCertDomainSAN (the instance guid). A failed TLS dial falls back
	// to the plain address, as upstream does.
	TLS *tls.Config
	// DialTimeout bounds the TCP (and TLS) connect and the SSH handshake;
	// zero means no bound.
	DialTimeout time.Duration
}

// dialNet opens the transport connection to the target.
func (b Backend) dialNet(logger lager.Logger, target TargetConfig) (net.Conn, error) {
	dialer := &net.Dialer{Timeout: b.DialTimeout}
	if b.TLS != nil && target.TLSAddress != "" {
		cfg := b.TLS.Clone()
		cfg.ServerName = target.ServerCertDomainSAN
		conn, err := tls.DialWithDialer(dialer, "tcp", target.TLSAddress, cfg)
		if err == nil {
			return conn, nil
		}
		logger.Error("tls-dial-failed", err, lager.Data{
			"tcp_address":            target.TLSAddress,
			"server_cert_domain_san": target.ServerCertDomainSAN,
		})
	}
	conn, err := dialer.Dial("tcp", target.Address)
	if err != nil {
		logger.Error("dial-failed", err, lager.Data{"address": target.Address})
		return nil, err
	}
	return conn, nil
}

// clientConfig builds the SSH client config for the target: public-key
// auth when it has a private key, password auth when it has a user and a
// password, and a host key check by fingerprint.
func clientConfig(target TargetConfig) (*ssh.ClientConfig, error) {
	cfg := &ssh.ClientConfig{User: target.User, HostKeyCallback: HostKeyCallback(target.HostFingerprint)}
	if target.PrivateKey != "" {
		signer, err := ssh.ParsePrivateKey([]byte(target.PrivateKey))
		if err != nil {
			return nil, fmt.Errorf("parsing target private key: %w", err)
		}
		cfg.Auth = append(cfg.Auth, ssh.PublicKeys(signer))
	}
	if target.User != "" && target.Password != "" {
		cfg.Auth = append(cfg.Auth, ssh.Password(target.Password))
	}
	return cfg, nil
}

// Dial connects to the target's sshd and completes the SSH handshake.
func (b Backend) Dial(logger lager.Logger, target TargetConfig) (ssh.Conn, <-chan ssh.NewChannel, <-chan *ssh.Request, error) {
	logger = logger.Session("new-client-conn")
	cfg, err := clientConfig(target)
	if err != nil {
		logger.Error("parsing-key-failed", err)
		return nil, nil, nil, err
	}
	conn, err := b.dialNet(logger, target)
	if err != nil {
		return nil, nil, nil, err
	}
	logger.Info("connected-to-backend", lager.Data{"backend-address": conn.RemoteAddr().String()})
	if b.DialTimeout > 0 {
		_ = conn.SetDeadline(time.Now().Add(b.DialTimeout))
	}
	sshConn, chans, reqs, err := ssh.NewClientConn(conn, target.Address, cfg)
	if err != nil {
		conn.Close()
		if errors.Is(err, ErrFingerprintMismatch) {
			logger.Error("host-key-fingerprint-mismatch", err)
		}
		logger.Error("handshake-failed", err)
		return nil, nil, nil, err
	}
	_ = conn.SetDeadline(time.Time{})
	return sshConn, chans, reqs, nil
}
