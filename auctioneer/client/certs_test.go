package client

import (
	"crypto/tls"
	"os"
	"sync"
	"testing"

	"github.com/godiego/diego/internal/certs"
	"github.com/godiego/diego/internal/tlsconf"
)

// testPKI is a server and a client mTLS config signed by one development CA.
type testPKI struct {
	server, client *tls.Config
}

var (
	pkiOnce  sync.Mutex
	pkiCache = map[string]testPKI{}
)

// newTestPKI returns the mTLS configs of the named CA, generating it once per test binary
// (RSA key generation is slow).
func newTestPKI(t *testing.T, name string) testPKI {
	t.Helper()
	pkiOnce.Lock()
	defer pkiOnce.Unlock()
	if p, ok := pkiCache[name]; ok {
		return p
	}
	dir, err := os.MkdirTemp("", "auctioneerclient-pki-")
	if err != nil {
		t.Fatal(err)
	}
	paths, err := certs.Generate(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	server, err := tlsconf.Server(paths.ServerCert, paths.ServerKey, paths.CACert)
	if err != nil {
		t.Fatal(err)
	}
	client, err := tlsconf.Client(paths.ClientCert, paths.ClientKey, paths.CACert, false)
	if err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(dir) // everything is loaded in memory now
	p := testPKI{server: server, client: client}
	pkiCache[name] = p
	return p
}
