package routingapi

import (
	"context"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/godiego/diego/internal/certs"
	"github.com/godiego/diego/internal/tlsconf"
	"github.com/godiego/diego/route-emitter/routingtable"
)

// recorded is one request a fake server saw.
type recorded struct {
	method, path, body string
	header             http.Header
}

// recorder stands in for a server process and keeps what it was sent.
type recorder struct {
	mu   sync.Mutex
	reqs []recorded
}

func (r *recorder) record(req *http.Request) recorded {
	body, _ := io.ReadAll(req.Body)
	rec := recorded{method: req.Method, path: req.URL.Path, body: string(body), header: req.Header.Clone()}
	r.mu.Lock()
	r.reqs = append(r.reqs, rec)
	r.mu.Unlock()
	return rec
}

func (r *recorder) all() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}

// fakeUAA is an HTTPS UAA handing out tok-1, tok-2, ... valid for expiresIn.
func fakeUAA(t *testing.T, expiresIn int) (*httptest.Server, *recorder, string) {
	t.Helper()
	rec := &recorder{}
	n := 0
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		rec.record(req)
		rec.mu.Lock()
		n++
		tok := "tok-" + strconv.Itoa(n)
		rec.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"access_token":"`+tok+`","token_type":"bearer","expires_in":`+strconv.Itoa(expiresIn)+`,"scope":"routing.routes.write","jti":"x"}`)
	}))
	t.Cleanup(srv.Close)
	caFile := filepath.Join(t.TempDir(), "uaa-ca.crt")
	pemData := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, pemData, 0o600); err != nil {
		t.Fatal(err)
	}
	return srv, rec, caFile
}

// fakeRoutingAPI answers status(req) for every request.
func fakeRoutingAPI(t *testing.T, status func(recorded) (int, string)) (*httptest.Server, *recorder) {
	t.Helper()
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		code, body := status(rec.record(req))
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, rec
}

func uaaSource(t *testing.T, url, caFile string, now func() time.Time) *UAATokenSource {
	t.Helper()
	src, err := NewUAATokenSource(UAAConfig{URL: url, ClientName: "tcp_emitter", ClientSecret: "s3cret&more",
		CACertsFile: caFile, Timeout: 5 * time.Second}, now)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

var sample = []routingtable.TCPMapping{
	{RouterGroupGUID: "rg-1", BackendIP: "10.0.0.1", BackendPort: 61001, Port: 5222},
	{RouterGroupGUID: "rg-1", BackendIP: "10.0.0.2", BackendPort: 61002, Port: 5222},
}

func TestEmitSendsUpstreamBodiesWithAUAAToken(t *testing.T) {
	uaa, uaaReqs, caFile := fakeUAA(t, 3600)
	api, apiReqs := fakeRoutingAPI(t, func(recorded) (int, string) { return 200, "" })
	client := NewClient(api.URL, nil, 5*time.Second, uaaSource(t, uaa.URL, caFile, nil))
	e := NewEmitter(client, 2*time.Minute, 5*time.Second)

	if err := e.Emit(sample, sample[1:]); err != nil {
		t.Fatal(err)
	}
	if err := e.Emit(sample[:1], nil); err != nil {
		t.Fatal(err)
	}

	tokens := uaaReqs.all()
	if len(tokens) != 1 {
		t.Fatalf("UAA asked %d times, want 1 (token cached)", len(tokens))
	}
	tr := tokens[0]
	if tr.method != "POST" || tr.path != "/oauth/token" {
		t.Fatalf("token request %s %s", tr.method, tr.path)
	}
	if tr.body != "grant_type=client_credentials&token_format=jwt" {
		t.Fatalf("token request body %q", tr.body)
	}
	if ct := tr.header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Fatalf("token request content type %q", ct)
	}
	// Basic auth with the url-escaped client name and secret, as oauth2 sends it.
	if got := tr.header.Get("Authorization"); got != "Basic dGNwX2VtaXR0ZXI6czNjcmV0JTI2bW9yZQ==" {
		t.Fatalf("token request authorization %q", got)
	}

	reqs := apiReqs.all()
	if len(reqs) != 3 {
		t.Fatalf("routing API got %d requests, want 3", len(reqs))
	}
	want := []recorded{
		{method: "POST", path: "/routing/v1/tcp_routes/create", body: `[` +
			`{"router_group_guid":"rg-1","backend_port":61001,"backend_ip":"10.0.0.1","port":5222,"modification_tag":{"guid":"","index":0},"ttl":120,"isolation_segment":""},` +
			`{"router_group_guid":"rg-1","backend_port":61002,"backend_ip":"10.0.0.2","port":5222,"modification_tag":{"guid":"","index":0},"ttl":120,"isolation_segment":""}]`},
		{method: "POST", path: "/routing/v1/tcp_routes/delete", body: `[` +
			`{"router_group_guid":"rg-1","backend_port":61002,"backend_ip":"10.0.0.2","port":5222,"modification_tag":{"guid":"","index":0},"ttl":120,"isolation_segment":""}]`},
		{method: "POST", path: "/routing/v1/tcp_routes/create", body: `[` +
			`{"router_group_guid":"rg-1","backend_port":61001,"backend_ip":"10.0.0.1","port":5222,"modification_tag":{"guid":"","index":0},"ttl":120,"isolation_segment":""}]`},
	}
	for i, r := range reqs {
		if r.method != want[i].method || r.path != want[i].path || r.body != want[i].body {
			t.Fatalf("request %d: %s %s %s\nwant %s %s %s", i, r.method, r.path, r.body, want[i].method, want[i].path, want[i].body)
		}
		if got := r.header.Get("Authorization"); got != "bearer tok-1" {
			t.Fatalf("request %d authorization %q", i, got)
		}
		if got := r.header.Get("Content-Type"); got != "application/json" {
			t.Fatalf("request %d content type %q", i, got)
		}
	}
}

func TestTokenIsCachedUntilShortlyBeforeItExpires(t *testing.T) {
	uaa, uaaReqs, caFile := fakeUAA(t, 3600)
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	src := uaaSource(t, uaa.URL, caFile, func() time.Time { return clock })
	ctx := context.Background()

	get := func() string {
		t.Helper()
		tok, err := src.Token(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	if tok := get(); tok != "tok-1" {
		t.Fatalf("first token %q", tok)
	}
	clock = clock.Add(3600*time.Second - 31*time.Second)
	if tok := get(); tok != "tok-1" || len(uaaReqs.all()) != 1 {
		t.Fatalf("token %q after %d fetches: should still be cached 31s before expiry", tok, len(uaaReqs.all()))
	}
	clock = clock.Add(2 * time.Second)
	if tok := get(); tok != "tok-2" {
		t.Fatalf("token %q 29s before expiry, want a refreshed one", tok)
	}
	if tok, _ := src.Token(ctx, true); tok != "tok-3" {
		t.Fatalf("forced token %q", tok)
	}
	if n := len(uaaReqs.all()); n != 3 {
		t.Fatalf("%d fetches, want 3", n)
	}
}

func TestRefusedTokenIsRefreshedOnce(t *testing.T) {
	uaa, uaaReqs, caFile := fakeUAA(t, 3600)
	api, apiReqs := fakeRoutingAPI(t, func(r recorded) (int, string) {
		if r.header.Get("Authorization") == "bearer tok-1" {
			return 401, `{"name":"UnauthorizedError","message":"Token is expired"}`
		}
		return 200, ""
	})
	e := NewEmitter(NewClient(api.URL, nil, 5*time.Second, uaaSource(t, uaa.URL, caFile, nil)), time.Minute, 0)
	if err := e.Emit(sample[:1], nil); err != nil {
		t.Fatal(err)
	}
	reqs := apiReqs.all()
	if len(reqs) != 2 || reqs[1].header.Get("Authorization") != "bearer tok-2" || len(uaaReqs.all()) != 2 {
		t.Fatalf("%d routing API requests, %d token fetches", len(reqs), len(uaaReqs.all()))
	}

	// A routing API that refuses every token gets exactly one retry.
	api2, apiReqs2 := fakeRoutingAPI(t, func(recorded) (int, string) { return 401, "" })
	e = NewEmitter(NewClient(api2.URL, nil, 5*time.Second, uaaSource(t, uaa.URL, caFile, nil)), time.Minute, 0)
	err := e.Emit(sample[:1], nil)
	var apiErr *Error
	if !errors.As(err, &apiErr) || !apiErr.Unauthorized() || len(apiReqs2.all()) != 2 {
		t.Fatalf("error %v after %d requests", err, len(apiReqs2.all()))
	}
}

func TestAuthDisabledSendsNoTokenAndErrorsCarryTheRoutingAPIBody(t *testing.T) {
	api, apiReqs := fakeRoutingAPI(t, func(recorded) (int, string) {
		return 400, `{"name":"TcpRouteMappingInvalidError","message":"Each tcp mapping requires a positive host port"}`
	})
	err := NewEmitter(NewClient(api.URL, nil, 5*time.Second, nil), time.Minute, 0).Emit(nil, sample[:1])
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.Status != 400 || apiErr.Name != "TcpRouteMappingInvalidError" {
		t.Fatalf("error %v", err)
	}
	reqs := apiReqs.all()
	if len(reqs) != 1 || reqs[0].path != DeleteTCPRoutesPath || reqs[0].header.Get("Authorization") != "" {
		t.Fatalf("requests %+v", reqs)
	}
}

func TestMutualTLSToTheRoutingAPI(t *testing.T) {
	p, err := certs.Generate(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	serverTLS, err := tlsconf.Server(p.ServerCert, p.ServerKey, p.CACert)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		rec.record(req)
		if len(req.TLS.PeerCertificates) == 0 {
			w.WriteHeader(http.StatusForbidden)
		}
	}))
	srv.TLS = serverTLS
	srv.StartTLS()
	t.Cleanup(srv.Close)

	clientTLS, err := tlsconf.Client(p.ClientCert, p.ClientKey, p.CACert, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := NewEmitter(NewClient(srv.URL, clientTLS, 5*time.Second, nil), time.Minute, 0).Emit(sample, nil); err != nil {
		t.Fatal(err)
	}
	// Without a client certificate the handshake fails.
	noCert, _ := tlsconf.Client("", "", p.CACert, false)
	if err := NewEmitter(NewClient(srv.URL, noCert, 5*time.Second, nil), time.Minute, 0).Emit(sample, nil); err == nil {
		t.Fatal("routing API accepted a client without a certificate")
	}
	if len(rec.all()) != 1 {
		t.Fatalf("%d requests reached the handler", len(rec.all()))
	}
}
