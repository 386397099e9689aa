package jobs

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// fakeRepAdmin stands in for the rep's admin API: mutual TLS, /ping, and
// /evacuate, after which /ping fails a few calls later as the real rep's
// does once it has evacuated and exited.
type fakeRepAdmin struct {
	mu             sync.Mutex
	evacuated      bool
	pingsAfter     int
	clientVerified bool
}

func (f *fakeRepAdmin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.TLS != nil && len(r.TLS.VerifiedChains) > 0 {
		f.clientVerified = true
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/evacuate":
		f.evacuated = true
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodGet && r.URL.Path == "/ping":
		if f.evacuated {
			f.pingsAfter++
			if f.pingsAfter > 2 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
		}
		w.WriteHeader(http.StatusOK)
	default:
		http.NotFound(w, r)
	}
}

func requireCurl(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv("DIEGO_TEST_REQUIRE_SQL") == "1" {
			t.Fatal("curl is not installed; the rep drain script needs it")
		}
		t.Skip("SKIPPING: curl is not installed; the rep drain script needs it")
	}
}

// renderDrain renders the rep job with its admin API at adminAddr and
// returns the drain script and the fake /var/vcap.
func renderDrain(t *testing.T, c devCerts, adminAddr string) rendered {
	t.Helper()
	return mustRender(t, "rep", map[string]any{
		"tls.ca_cert": c.CA, "tls.cert": c.ServerCert, "tls.key": c.ServerKey,
		"diego.rep.listen_addr_admin": adminAddr,
	}, nil)
}

func runDrain(t *testing.T, r rendered) (string, error) {
	t.Helper()
	cmd := exec.Command("bash", filepath.Join(r.JobDir, "bin", "drain"))
	out, err := cmd.Output()
	return string(out), err
}

func TestRepDrainEvacuatesOverMutualTLSAndWaits(t *testing.T) {
	requireRuby(t)
	requireCurl(t)
	c := newDevCerts(t)
	fake := &fakeRepAdmin{}
	server := httptest.NewUnstartedServer(fake)
	pair, err := tls.X509KeyPair([]byte(c.ServerCert), []byte(c.ServerKey))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(c.CA))
	server.TLS = &tls.Config{Certificates: []tls.Certificate{pair}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert}
	server.StartTLS()
	t.Cleanup(server.Close)

	r := renderDrain(t, c, server.Listener.Addr().String())
	out, err := runDrain(t, r)
	logText, _ := os.ReadFile(filepath.Join(r.Root, "sys", "log", "rep", "drain.log"))
	if err != nil {
		t.Fatalf("drain failed: %v\nstdout: %q\nlog:\n%s", err, out, logText)
	}
	if out != "0\n" {
		t.Fatalf("drain printed %q for BOSH, want \"0\\n\"\nlog:\n%s", out, logText)
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if !fake.evacuated || !fake.clientVerified || fake.pingsAfter < 3 {
		t.Fatalf("drain did not evacuate over mutual TLS and wait: %+v\nlog:\n%s", fake, logText)
	}
	if !strings.Contains(string(logText), "evacuation is over") {
		t.Fatalf("drain log does not say evacuation finished:\n%s", logText)
	}
}

func TestRepDrainWithNoRepRunningFinishesAtOnce(t *testing.T) {
	requireRuby(t)
	requireCurl(t)
	c := newDevCerts(t)
	server := httptest.NewServer(http.NotFoundHandler())
	addr := server.Listener.Addr().String()
	server.Close() // nothing listens there any more

	r := renderDrain(t, c, addr)
	out, err := runDrain(t, r)
	if err != nil || out != "0\n" {
		t.Fatalf("drain with no rep: stdout %q, err %v", out, err)
	}
}
