// Package certs creates development certificates: a CA plus a server and a
// client certificate signed by it (RSA, since upstream's TLS 1.2 cipher
// suites are ECDHE-RSA), for local runs and tests. Never for production.
package certs

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// DefaultHosts are the SANs of the server certificate: loopback plus the
// BOSH-DNS names upstream clients are configured with.
var DefaultHosts = []string{
	"127.0.0.1", "::1", "localhost",
	"bbs.service.cf.internal", "locket.service.cf.internal",
	"auctioneer.service.cf.internal", "*.cell.service.cf.internal",
}

// Paths names the files Generate writes.
type Paths struct {
	Dir        string
	CACert     string
	CAKey      string
	ServerCert string
	ServerKey  string
	ClientCert string
	ClientKey  string
}

// PathsIn returns the file names used inside dir.
func PathsIn(dir string) Paths {
	return Paths{
		Dir:        dir,
		CACert:     filepath.Join(dir, "ca.crt"),
		CAKey:      filepath.Join(dir, "ca.key"),
		ServerCert: filepath.Join(dir, "server.crt"),
		ServerKey:  filepath.Join(dir, "server.key"),
		ClientCert: filepath.Join(dir, "client.crt"),
		ClientKey:  filepath.Join(dir, "client.key"),
	}
}

// Generate writes a fresh CA, server and client certificate into dir,
// valid for one year. The server certificate is valid for hosts (DefaultHosts
// when empty) and, like upstream's deployments, also usable as a client
// certificate.
func Generate(dir string, hosts []string) (Paths, error) {
	if len(hosts) == 0 {
		hosts = DefaultHosts
	}
	p := PathsIn(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return p, err
	}
	caKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return p, err
	}
	now := time.Now().Add(-time.Hour)
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "diego-dev-ca", Organization: []string{"godiego"}},
		NotBefore:             now,
		NotAfter:              now.Add(365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return p, err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return p, err
	}
	if err := writePair(p.CACert, p.CAKey, caDER, caKey); err != nil {
		return p, err
	}
	leaf := func(cn string, usage []x509.ExtKeyUsage, certPath, keyPath string) error {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return err
		}
		tmpl := &x509.Certificate{
			SerialNumber: serial(),
			Subject:      pkix.Name{CommonName: cn, Organization: []string{"godiego"}},
			NotBefore:    now,
			NotAfter:     now.Add(365 * 24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
			ExtKeyUsage:  usage,
		}
		for _, h := range hosts {
			if ip := net.ParseIP(h); ip != nil {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			} else {
				tmpl.DNSNames = append(tmpl.DNSNames, h)
			}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		if err != nil {
			return err
		}
		return writePair(certPath, keyPath, der, key)
	}
	both := []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	if err := leaf("diego-server", both, p.ServerCert, p.ServerKey); err != nil {
		return p, err
	}
	if err := leaf("diego-client", both, p.ClientCert, p.ClientKey); err != nil {
		return p, err
	}
	return p, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	return n
}

func writePair(certPath, keyPath string, der []byte, key *rsa.PrivateKey) error {
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	if err := os.WriteFile(certPath, certPEM, 0o644); err != nil {
		return err
	}
	return os.WriteFile(keyPath, keyPEM, 0o600)
}
