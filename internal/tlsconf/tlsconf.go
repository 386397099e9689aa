// Package tlsconf builds the mutual-TLS configurations every Diego component
// uses, with upstream's internal-service defaults: TLS 1.2 to 1.3, the two
// ECDHE-RSA AES-GCM cipher suites for TLS 1.2, and client certificates
// required and verified against the configured CA on servers.
package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"time"
)

// CipherSuites are the TLS 1.2 suites Diego components accept.
var CipherSuites = []uint16{
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
}

func base() *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		MaxVersion:   tls.VersionTLS13,
		CipherSuites: CipherSuites,
	}
}

// Server returns a server config presenting certFile/keyFile and requiring a
// client certificate signed by a CA in caFile.
func Server(certFile, keyFile, caFile string) (*tls.Config, error) {
	cfg := base()
	cert, err := loadKeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	cfg.Certificates = []tls.Certificate{cert}
	pool, err := LoadCAPool(caFile)
	if err != nil {
		return nil, err
	}
	cfg.ClientCAs = pool
	cfg.ClientAuth = tls.RequireAndVerifyClientCert
	return cfg, nil
}

// ServerOnly returns a server config that presents a certificate but asks
// for none (the file-server's optional HTTPS listener).
func ServerOnly(certFile, keyFile string) (*tls.Config, error) {
	cfg := base()
	cert, err := loadKeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	cfg.Certificates = []tls.Certificate{cert}
	return cfg, nil
}

// Client returns a client config presenting certFile/keyFile (when given)
// and trusting the CAs in caFile. With skipVerify the server certificate is
// not checked, as cfdot's --skipCertVerify asks.
func Client(certFile, keyFile, caFile string, skipVerify bool) (*tls.Config, error) {
	cfg := base()
	if certFile != "" || keyFile != "" {
		cert, err := loadKeyPair(certFile, keyFile)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if caFile != "" {
		pool, err := LoadCAPool(caFile)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}
	cfg.InsecureSkipVerify = skipVerify
	return cfg, nil
}

// LoadCAPool reads PEM certificates from path into a pool.
func LoadCAPool(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading CA file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA file %s holds no PEM certificate", path)
	}
	return pool, nil
}

func loadKeyPair(certFile, keyFile string) (tls.Certificate, error) {
	if certFile == "" || keyFile == "" {
		return tls.Certificate{}, errors.New("failed to load keypair: both a certificate and a key file are required")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("failed to load keypair: %w", err)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("failed to load keypair: %w", err)
	}
	if now := time.Now(); now.After(leaf.NotAfter) || now.Before(leaf.NotBefore) {
		return tls.Certificate{}, fmt.Errorf("failed to load keypair: certificate %s is not valid now (valid %s to %s)",
			certFile, leaf.NotBefore.Format(time.RFC3339), leaf.NotAfter.Format(time.RFC3339))
	}
	cert.Leaf = leaf
	return cert, nil
}
