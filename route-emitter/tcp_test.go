package routeemitter

import (
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/internal/certs"
	"github.com/godiego/diego/internal/config"
	"github.com/godiego/diego/internal/tlsconf"
	"github.com/godiego/diego/route-emitter/routingtable"
)

// splitURL returns scheme://host and port of a test server's URL.
func splitURL(t *testing.T, url string) (string, uint16) {
	t.Helper()
	i := strings.LastIndex(url, ":")
	port, err := strconv.Atoi(url[i+1:])
	if err != nil {
		t.Fatal(err)
	}
	return url[:i], uint16(port)
}

func TestConfiguredTCPEmitterUsesUAAAndMutualTLS(t *testing.T) {
	// UAA over TLS, trusted through oauth.ca_certs.
	var tokenRequests atomic.Int32
	uaa := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		tokenRequests.Add(1)
		if user, pass, _ := req.BasicAuth(); req.URL.Path != "/oauth/token" || user != "tcp_emitter" || pass != "secret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = io.WriteString(w, `{"access_token":"the-token","token_type":"bearer","expires_in":600}`)
	}))
	defer uaa.Close()
	uaaCA := filepath.Join(t.TempDir(), "uaa.crt")
	if err := os.WriteFile(uaaCA, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: uaa.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}

	// The routing API requires a client certificate.
	p, err := certs.Generate(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	serverTLS, err := tlsconf.Server(p.ServerCert, p.ServerKey, p.CACert)
	if err != nil {
		t.Fatal(err)
	}
	type seen struct{ path, auth, body string }
	got := make(chan seen, 4)
	api := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		got <- seen{req.URL.Path, req.Header.Get("Authorization"), string(body)}
	}))
	api.TLS = serverTLS
	api.StartTLS()
	defer api.Close()

	cfg := DefaultConfig()
	cfg.EnableTCPEmitter = true
	cfg.TCPRouteTTL = config.Duration(90 * time.Second)
	cfg.RoutingAPI.URL, cfg.RoutingAPI.Port = splitURL(t, api.URL)
	cfg.RoutingAPI.AuthEnabled = true
	cfg.RoutingAPI.CACertFile, cfg.RoutingAPI.ClientCertFile, cfg.RoutingAPI.ClientKeyFile = p.CACert, p.ClientCert, p.ClientKey
	cfg.OAuth = OAuthConfig{UAAURL: uaa.URL, ClientName: "tcp_emitter", ClientSecret: "secret", CACerts: uaaCA,
		UAARequestTimeout: config.Duration(5 * time.Second)}

	e, err := newRoutingAPIEmitter(cfg, lager.NewLogger("re"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Emit([]routingtable.TCPMapping{{RouterGroupGUID: "rg", BackendIP: "10.0.0.9", BackendPort: 61009, Port: 1883}}, nil); err != nil {
		t.Fatal(err)
	}
	s := <-got
	want := `[{"router_group_guid":"rg","backend_port":61009,"backend_ip":"10.0.0.9","port":1883,"modification_tag":{"guid":"","index":0},"ttl":90,"isolation_segment":""}]`
	if s.path != "/routing/v1/tcp_routes/create" || s.auth != "bearer the-token" || s.body != want || tokenRequests.Load() != 1 {
		t.Fatalf("routing API saw %+v after %d token requests", s, tokenRequests.Load())
	}
}
