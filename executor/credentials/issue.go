package credentials

import (
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
)

// Identity is what a container's certificate names.
type Identity struct {
	// GUID is the container guid: the certificate's CN and DNS SAN.
	GUID string
	// IP is the container's IP address (its internal IP, else its external
	// one); the IP SAN when set.
	IP string
	// OrganizationalUnits are the certificate properties' OUs
	// ("organization:<guid>", "space:<guid>", "app:<guid>" from Cloud Controller).
	OrganizationalUnits []string
}

// Credential is one PEM certificate chain (leaf then CA) and its PEM key.
type Credential struct {
	Cert, Key []byte
}

// Issue generates a 2048-bit RSA key and a certificate for id signed by the
// CA, valid from now for the configured validity, usable for client and
// server authentication.
func (m *Manager) Issue(id Identity) (Credential, error) {
	key, err := rsa.GenerateKey(m.cfg.Rand, 2048)
	if err != nil {
		return Credential{}, fmt.Errorf("generating key: %w", err)
	}
	serial, err := m.serial()
	if err != nil {
		return Credential{}, err
	}
	now := m.cfg.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: id.GUID, OrganizationalUnit: id.OrganizationalUnits},
		DNSNames:     []string{id.GUID},
		NotBefore:    now,
		NotAfter:     now.Add(m.cfg.Validity),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageKeyAgreement,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
	}
	if ip := net.ParseIP(id.IP); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	}
	der, err := x509.CreateCertificate(m.cfg.Rand, tmpl, m.cfg.CACert, &key.PublicKey, m.cfg.CAKey)
	if err != nil {
		return Credential{}, fmt.Errorf("signing certificate: %w", err)
	}
	chain := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: m.cfg.CACert.Raw})...)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	return Credential{Cert: chain, Key: keyPEM}, nil
}

// serial is a random positive 128-bit serial number (upstream uses a
// random UUID's bytes).
func (m *Manager) serial() (*big.Int, error) {
	var b [16]byte
	if _, err := io.ReadFull(m.cfg.Rand, b[:]); err != nil {
		return nil, fmt.Errorf("generating serial number: %w", err)
	}
	b[0] &= 0x7f
	if b[0] == 0 {
		b[0] = 1 // keep it 16 bytes and non-zero
	}
	return new(big.Int).SetBytes(b[:]), nil
}
