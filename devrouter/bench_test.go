package devrouter

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"code.cloudfoundry.org/lager/v3"
)

// BenchmarkProxyRequest measures one small request routed by Host header to
// one of two loopback backends.
func BenchmarkProxyRequest(b *testing.B) {
	table := NewTable()
	for i := 0; i < 2; i++ {
		backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }))
		defer backend.Close()
		u, _ := url.Parse(backend.URL)
		host, port := u.Hostname(), u.Port()
		var p uint32
		for _, c := range port {
			p = p*10 + uint32(c-'0')
		}
		table.Register(RegistryMessage{Host: host, Port: p, URIs: []string{"bench.example.com"}}, time.Now())
	}
	router := httptest.NewServer(NewProxy(table, lager.NewLogger("bench")))
	defer router.Close()
	req, _ := http.NewRequest("GET", router.URL+"/", nil)
	req.Host = "bench.example.com"
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}
