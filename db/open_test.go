package db

import (
	"crypto/tls"
	"testing"

	"github.com/godiego/diego/internal/certs"
)

// TestSQLTLSConfig checks upstream's two modes against a real TLS server
// whose certificate names only "localhost": chain-only verification accepts
// it at 127.0.0.1, identity verification does not; a foreign CA fails both.
func TestSQLTLSConfig(t *testing.T) {
	good, err := certs.Generate(t.TempDir(), []string{"localhost"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := certs.Generate(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	serverCert, err := tls.LoadX509KeyPair(good.ServerCert, good.ServerKey)
	if err != nil {
		t.Fatal(err)
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{serverCert}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { _ = c.(*tls.Conn).Handshake(); c.Close() }()
		}
	}()
	addr := l.Addr().String()
	handshake := func(caFile string, verifyIdentity bool) error {
		cfg, err := sqlTLSConfig(caFile, verifyIdentity, addr)
		if err != nil {
			t.Fatal(err)
		}
		conn, err := tls.Dial("tcp", addr, cfg)
		if err == nil {
			conn.Close()
		}
		return err
	}
	if err := handshake(good.CACert, false); err != nil {
		t.Errorf("chain-only verification rejected a certificate from the CA: %v", err)
	}
	if err := handshake(good.CACert, true); err == nil {
		t.Error("identity verification accepted a certificate not naming 127.0.0.1")
	}
	if err := handshake(other.CACert, false); err == nil {
		t.Error("chain-only verification accepted a certificate from another CA")
	}
	if cfg, _ := sqlTLSConfig("", true, addr); cfg != nil {
		t.Error("TLS enabled without sql_ca_cert_file")
	}
}
