// Package cfdot_test checks our bin/cfdot against upstream's JSON: it
// starts bin/locket and bin/bbs, writes records with upstream's own
// clients, runs bin/cfdot, and compares every printed line with
// encoding/json of the same record as upstream's client fetches it, which
// is exactly what upstream's cfdot prints.
package cfdot_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"code.cloudfoundry.org/bbs"
	"code.cloudfoundry.org/lager/v3"
	locket "code.cloudfoundry.org/locket"
	locketmodels "code.cloudfoundry.org/locket/models"

	"conformance/harness"
)

// env is a running locket + bbs pair, upstream clients for both, and the
// environment cfdot runs with.
type env struct {
	bbs        bbs.InternalClient
	locket     locketmodels.LocketClient
	certs      harness.Certs
	logger     lager.Logger
	bbsURL     string
	locketAddr string
}

func startEnv(t *testing.T) *env {
	t.Helper()
	certs := harness.NewCerts(t)
	locketAddr := harness.FreePort(t)
	lp := harness.Start(t, "locket", map[string]any{
		"ca_file": certs.CACert, "cert_file": certs.ServerCert, "key_file": certs.ServerKey,
		"listen_address": locketAddr, "database_driver": "sqlite",
		"database_connection_string": t.TempDir() + "/locket.db",
	})
	lp.WaitForListen(t, locketAddr, 30*time.Second)

	// The BBS only calls the auctioneer to place work; accept and drop.
	auctioneer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(auctioneer.Close)

	addr := harness.FreePort(t)
	bp := harness.Start(t, "bbs", map[string]any{
		"listen_address": addr, "health_address": harness.FreePort(t), "uuid": "bbs-cfdot",
		"ca_file": certs.CACert, "cert_file": certs.ServerCert, "key_file": certs.ServerKey,
		"database_driver": "sqlite", "database_connection_string": t.TempDir() + "/bbs.db",
		"encryption_keys": map[string]string{"k1": "a passphrase"}, "active_key_label": "k1",
		"auctioneer_address":       auctioneer.URL,
		"locket_address":           locketAddr,
		"locket_ca_cert_file":      certs.CACert,
		"locket_client_cert_file":  certs.ClientCert,
		"locket_client_key_file":   certs.ClientKey,
		"converge_repeat_interval": "1h",
		"loggregator":              map[string]any{"loggregator_api_port": 3458},
	})
	bp.WaitForListen(t, addr, 60*time.Second)
	e := &env{certs: certs, logger: lager.NewLogger("cfdot-conformance"), bbsURL: "https://" + addr, locketAddr: locketAddr}
	client, err := bbs.NewClient(e.bbsURL, certs.CACert, certs.ClientCert, certs.ClientKey, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	e.bbs = client
	harness.Eventually(t, 30*time.Second, "bbs to answer pings", func() bool { return e.bbs.Ping(e.logger, "") })
	lc, err := locket.NewClient(e.logger, locket.ClientLocketConfig{
		LocketAddress: locketAddr, LocketCACertFile: certs.CACert,
		LocketClientCertFile: certs.ClientCert, LocketClientKeyFile: certs.ClientKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.locket = lc
	return e
}

// environ is what cfdot needs to reach both servers, by environment.
func (e *env) environ() []string {
	return []string{
		"BBS_URL=" + e.bbsURL,
		"LOCKET_API_LOCATION=" + e.locketAddr,
		"CA_CERT_FILE=" + e.certs.CACert,
		"CLIENT_CERT_FILE=" + e.certs.ClientCert,
		"CLIENT_KEY_FILE=" + e.certs.ClientKey,
	}
}

// result is one cfdot run.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) lines() []string {
	out := strings.TrimRight(r.stdout, "\n")
	if out == "" {
		return nil
	}
	return strings.Split(out, "\n")
}

// cfdot runs bin/cfdot with args and e's environment.
func (e *env) cfdot(t *testing.T, args ...string) result {
	t.Helper()
	cmd := exec.Command(harness.Binary(t, "cfdot"), args...)
	cmd.Env = append(os.Environ(), e.environ()...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running cfdot: %v", err)
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

// ok runs cfdot and fails the test unless it exits 0.
func (e *env) ok(t *testing.T, args ...string) result {
	t.Helper()
	r := e.cfdot(t, args...)
	if r.code != 0 {
		t.Fatalf("cfdot %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// upstreamLine is what upstream's cfdot prints for v: encoding/json's
// Encoder output without the newline.
func upstreamLine(t *testing.T, v any) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// sameLines compares cfdot's lines with the upstream encodings of want,
// ignoring order (both list the same records, perhaps ordered differently).
func sameLines[T any](t *testing.T, what string, got result, want []T) {
	t.Helper()
	var exp []string
	for _, w := range want {
		exp = append(exp, upstreamLine(t, w))
	}
	lines := got.lines()
	sort.Strings(lines)
	sort.Strings(exp)
	if len(exp) == 0 {
		t.Fatalf("%s: the upstream client returned nothing to compare", what)
	}
	if len(lines) != len(exp) {
		t.Fatalf("%s: cfdot printed %d lines, upstream has %d records\ncfdot:\n%s\nupstream:\n%s", what, len(lines), len(exp), strings.Join(lines, "\n"), strings.Join(exp, "\n"))
	}
	for i := range exp {
		if lines[i] != exp[i] {
			t.Errorf("%s: line differs\ncfdot:    %s\nupstream: %s", what, lines[i], exp[i])
		}
	}
}

// tlsServer starts an HTTPS server with the env's server certificate that
// requires client certificates signed by the env's CA, as a rep does.
func (e *env) tlsServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(e.certs.ServerCert, e.certs.ServerKey)
	if err != nil {
		t.Fatal(err)
	}
	caPEM, err := os.ReadFile(e.certs.CACert)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}
