// Package certstest gives tests ready mutual-TLS configurations signed by a
// development CA, generated once per CA name per test binary (RSA key
// generation is slow).
package certstest

import (
	"crypto/tls"
	"os"
	"sync"
	"testing"

	"github.com/godiego/diego/internal/certs"
	"github.com/godiego/diego/internal/tlsconf"
)

// PKI is a server and a client mTLS config signed by one development CA.
type PKI struct {
	Server, Client *tls.Config
}

var (
	mu    sync.Mutex
	cache = map[string]PKI{}
)

// New returns the configs of the CA called name; different names are
// different CAs, so a client of one is refused by a server of another.
func New(t testing.TB, name string) PKI {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if p, ok := cache[name]; ok {
		return p
	}
	dir, err := os.MkdirTemp("", "certstest-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir) // everything is in memory once loaded
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
	p := PKI{Server: server, Client: client}
	cache[name] = p
	return p
}
