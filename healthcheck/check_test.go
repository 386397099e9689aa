package healthcheck

import (
	"bytes"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func wantError(t *testing.T, err error, code int, msg string) {
	t.Helper()
	var hcErr *Error
	if !errors.As(err, &hcErr) {
		t.Fatalf("got %v, want a healthcheck error %d", err, code)
	}
	if hcErr.Code != code || !strings.HasPrefix(hcErr.Message, msg) {
		t.Fatalf("got %d %q, want %d %q...", hcErr.Code, hcErr.Message, code, msg)
	}
}

func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	return port
}

func TestTCPProbe(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	_, port, _ := net.SplitHostPort(l.Addr().String())

	if err := (Check{Network: "tcp", Port: port, Timeout: time.Second}).Probe("127.0.0.1"); err != nil {
		t.Fatalf("listening port: %v", err)
	}
	refused := closedPort(t)
	wantError(t, Check{Network: "tcp", Port: refused, Timeout: time.Second}.Probe("127.0.0.1"),
		ExitTCPFailed, "failed to make TCP connection to 127.0.0.1:"+refused+": dial tcp 127.0.0.1:"+refused+": connect: connection refused")
	wantError(t, Check{Network: "tcp", Port: "-1", Timeout: time.Second}.Probe("127.0.0.1"),
		ExitTCPFailed, "failed to make TCP connection to 127.0.0.1:-1: dial tcp: address -1: invalid port")
	wantError(t, Check{Network: "tcp", Port: port, Timeout: time.Nanosecond}.Probe("127.0.0.1"),
		ExitTCPTimeout, "failed to make TCP connection to 127.0.0.1:"+port+": timed out after 0.00 seconds")
}

func TestHTTPProbe(t *testing.T) {
	var status = http.StatusOK
	var seen http.Header
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.Header.Clone()
		if r.URL.Path == "/slow" {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		w.WriteHeader(status)
		w.Write([]byte("body"))
	}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	check := Check{Network: "tcp", URI: "/api/_ping", Port: port, Timeout: time.Second}

	if err := check.Probe("127.0.0.1"); err != nil {
		t.Fatalf("200: %v", err)
	}
	if seen.Get("User-Agent") != "diego-healthcheck" || seen.Get("X-Forwarded-Proto") != "https" {
		t.Fatalf("headers %v", seen)
	}
	for _, s := range []int{http.StatusNoContent, http.StatusMovedPermanently, http.StatusInternalServerError} {
		status = s
		wantError(t, check.Probe("127.0.0.1"), ExitHTTPFailed,
			"failed to make HTTP request to '/api/_ping' on port "+port+": received status code "+strconv.Itoa(s)+" in ")
	}
	status = http.StatusOK

	slow := Check{Network: "tcp", URI: "/slow", Port: port, Timeout: 50 * time.Millisecond}
	wantError(t, slow.Probe("127.0.0.1"), ExitHTTPTimeout, "failed to make HTTP request to '/slow' on port "+port+": timed out after 0.05 seconds")

	refused := closedPort(t)
	wantError(t, Check{Network: "tcp", URI: "/x", Port: refused, Timeout: time.Second}.Probe("127.0.0.1"),
		ExitHTTPRefused, "failed to make HTTP request to '/x' on port "+refused+": connection refused")
	wantError(t, Check{Network: "tcp", URI: "nope", Port: port, Timeout: time.Second}.Probe("127.0.0.1"),
		ExitHTTPFailed, "failed to create an HTTP request to 'nope' on port "+port)
}

func TestInterfaces(t *testing.T) {
	var warn bytes.Buffer
	wantError(t, Check{Network: "tcp", Port: "8080", Timeout: time.Second}.CheckInterfaces(nil, &warn),
		ExitNoInterface, "failure to find suitable interface")

	interfaces, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	ip, ok := FirstIPv4(interfaces, &warn)
	if !ok {
		t.Skip("this machine has no non-loopback IPv4 address")
	}
	parsed := net.ParseIP(ip)
	if parsed == nil || parsed.To4() == nil || parsed.IsLoopback() {
		t.Fatalf("FirstIPv4 returned %q", ip)
	}
	var loopbackOnly []net.Interface
	for _, intf := range interfaces {
		if intf.Flags&net.FlagLoopback != 0 {
			loopbackOnly = append(loopbackOnly, intf)
		}
	}
	if ip, ok := FirstIPv4(loopbackOnly, &warn); ok {
		t.Fatalf("loopback interfaces yielded %q", ip)
	}
}

func TestExternalPort(t *testing.T) {
	ports := `[{"internal":8080,"external":61001},{"internal":2222,"external":61002}]`
	for _, c := range []struct{ port, env, want string }{
		{"8080", ports, "61001"},
		{"2222", ports, "61002"},
		{"9090", ports, "9090"},
		{"8080", "", "8080"},
		{"8080", "not json", "8080"},
	} {
		if got := ExternalPort(c.port, c.env); got != c.want {
			t.Errorf("ExternalPort(%s, %s) = %s, want %s", c.port, c.env, got, c.want)
		}
	}
}
