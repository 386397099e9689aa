package tlsconf_test

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/godiego/diego/internal/certs"
	"github.com/godiego/diego/internal/tlsconf"
)

func serve(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "hello")
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "https://" + ln.Addr().String()
}

func TestMutualTLSRequiresAClientCertificate(t *testing.T) {
	p, err := certs.Generate(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	serverCfg, err := tlsconf.Server(p.ServerCert, p.ServerKey, p.CACert)
	if err != nil {
		t.Fatal(err)
	}
	url := serve(t, serverCfg)

	withCert, err := tlsconf.Client(p.ClientCert, p.ClientKey, p.CACert, false)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: &http.Transport{TLSClientConfig: withCert}}).Get(url)
	if err != nil {
		t.Fatalf("client with certificate: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hello" {
		t.Fatalf("body %q", body)
	}

	noCert, err := tlsconf.Client("", "", p.CACert, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&http.Client{Transport: &http.Transport{TLSClientConfig: noCert}}).Get(url); err == nil {
		t.Fatal("a client without a certificate was accepted")
	}
}

func TestTLS12UsesOnlyUpstreamSuites(t *testing.T) {
	p, err := certs.Generate(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	serverCfg, _ := tlsconf.Server(p.ServerCert, p.ServerKey, p.CACert)
	addr := strings.TrimPrefix(serve(t, serverCfg), "https://")
	client, _ := tlsconf.Client(p.ClientCert, p.ClientKey, p.CACert, false)
	client.MaxVersion = tls.VersionTLS12
	client.CipherSuites = []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}
	conn, err := tls.DialWithDialer(&net.Dialer{}, "tcp", addr, client)
	if err == nil {
		conn.Close()
		t.Fatal("server accepted a cipher suite outside upstream's list")
	}
}

func TestMissingFilesAreClearErrors(t *testing.T) {
	if _, err := tlsconf.Server("/nonexistent.crt", "/nonexistent.key", "/nonexistent-ca"); err == nil ||
		!strings.Contains(err.Error(), "failed to load keypair") {
		t.Fatalf("got %v", err)
	}
	if _, err := tlsconf.LoadCAPool("/nonexistent-ca"); err == nil {
		t.Fatal("want an error for a missing CA file")
	}
}
