package jobs

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestCfdotSetupTargetsTheBBSOverMutualTLS sources the rendered setup
// script and runs the real cfdot against a stand-in BBS that demands a
// client certificate, so the exported URL and certificate paths are proved
// to work together.
func TestCfdotSetupTargetsTheBBSOverMutualTLS(t *testing.T) {
	requireRuby(t)
	bin := binary(t, "cfdot")
	c := newDevCerts(t)

	var calls atomic.Int32
	bbs := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/domains/list" || len(r.TLS.VerifiedChains) == 0 {
			http.Error(w, "unexpected request", http.StatusTeapot)
			return
		}
		calls.Add(1)
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK) // an empty DomainsResponse
	}))
	pair, err := tls.X509KeyPair([]byte(c.ServerCert), []byte(c.ServerKey))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(c.CA))
	bbs.TLS = &tls.Config{Certificates: []tls.Certificate{pair}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert}
	bbs.StartTLS()
	t.Cleanup(bbs.Close)
	host, port, _ := net.SplitHostPort(bbs.Listener.Addr().String())

	r := mustRender(t, "cfdot", map[string]any{
		"tls.ca_certificate": c.CA, "tls.certificate": c.ClientCert, "tls.private_key": c.ClientKey,
		"bbs.hostname": host, "bbs.port": port,
	}, nil)
	// The cfdot package's binary, where setup puts it on PATH.
	pkgBin := filepath.Join(r.Root, "packages", "cfdot", "bin")
	if err := os.MkdirAll(pkgBin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(bin, filepath.Join(pkgBin, "cfdot")); err != nil {
		t.Fatal(err)
	}

	script := `source "$1" && echo "LOCKET=$LOCKET_API_LOCATION" && exec cfdot domains`
	cmd := exec.Command("bash", "-c", script, "bash", filepath.Join(r.JobDir, "bin", "setup"))
	cmd.Env = append(os.Environ(), "PATH=/usr/bin:/bin")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("cfdot domains after sourcing setup: %v\n%s", err, out)
	}
	if calls.Load() != 1 {
		t.Fatalf("the BBS saw %d authenticated domains requests, want 1\n%s", calls.Load(), out)
	}
	if !strings.Contains(string(out), "LOCKET=locket.service.cf.internal:8891") {
		t.Fatalf("setup did not export the default Locket location:\n%s", out)
	}
}
