package fileserver

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/internal/metrics"
)

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

type fixture struct {
	dir    string
	url    string
	hashes *atomic.Int64
	reg    *metrics.Registry
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "test"), "hello")
	write(t, filepath.Join(dir, "test2.."), "world")
	write(t, filepath.Join(dir, "lifecycle", "app.tgz"), "0123456789")
	if err := os.Mkdir(filepath.Join(dir, "testdir"), 0o755); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-10 * time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "test"), old, old); err != nil {
		t.Fatal(err)
	}
	reg := metrics.NewRegistry()
	h := NewHandler(dir, lager.NewLogger("test"), reg)
	var hashes atomic.Int64
	// Count digest computations through the Static behind the handler.
	h = countingHandler(t, h, &hashes, reg)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return fixture{dir: dir, url: srv.URL + StaticRoutePrefix, hashes: &hashes, reg: reg}
}

// countingHandler reads the checksum counter from the registry after each request.
func countingHandler(t *testing.T, h http.Handler, n *atomic.Int64, reg *metrics.Registry) http.Handler {
	t.Helper()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		var v int64
		for _, line := range strings.Split(reg.Text(), "\n") {
			if rest, ok := strings.CutPrefix(line, "file_server_checksum_computations_total "); ok {
				fmt.Sscan(rest, &v)
			}
		}
		n.Store(v)
	})
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func do(t *testing.T, method, url string, headers ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestServesFileWithSHA256ETag(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 3; i++ {
		resp, body := do(t, "GET", f.url+"test")
		if resp.StatusCode != 200 || body != "hello" {
			t.Fatalf("got %d %q", resp.StatusCode, body)
		}
		if got := resp.Header.Get("ETag"); got != sha("hello") {
			t.Fatalf("ETag %s, want %s", got, sha("hello"))
		}
	}
	if n := f.hashes.Load(); n != 1 {
		t.Fatalf("digest computed %d times for 3 requests, want 1 (cached)", n)
	}
	resp, body := do(t, "GET", f.url+"lifecycle/app.tgz")
	if resp.StatusCode != 200 || body != "0123456789" {
		t.Fatalf("nested file: %d %q", resp.StatusCode, body)
	}
}

func TestNameContainingDotsIsServed(t *testing.T) {
	f := newFixture(t)
	resp, body := do(t, "GET", f.url+"test2..")
	if resp.StatusCode != 200 || body != "world" || resp.Header.Get("ETag") != sha("world") {
		t.Fatalf("got %d %q etag %s", resp.StatusCode, body, resp.Header.Get("ETag"))
	}
}

func TestIfNoneMatch(t *testing.T) {
	f := newFixture(t)
	resp, body := do(t, "GET", f.url+"test", "If-None-Match", sha("hello"))
	if resp.StatusCode != http.StatusNotModified || body != "" {
		t.Fatalf("matching ETag: got %d %q, want 304 and no body", resp.StatusCode, body)
	}
	if resp.Header.Get("ETag") != sha("hello") {
		t.Fatalf("304 lacks the ETag: %q", resp.Header.Get("ETag"))
	}
	// A different ETag wins over an If-Modified-Since the file would satisfy.
	resp, body = do(t, "GET", f.url+"test",
		"If-None-Match", `"different"`,
		"If-Modified-Since", time.Now().Add(-2*time.Hour).UTC().Format(http.TimeFormat))
	if resp.StatusCode != 200 || body != "hello" {
		t.Fatalf("non-matching ETag: got %d %q", resp.StatusCode, body)
	}
}

func TestRange(t *testing.T) {
	f := newFixture(t)
	resp, body := do(t, "GET", f.url+"lifecycle/app.tgz", "Range", "bytes=2-5")
	if resp.StatusCode != http.StatusPartialContent || body != "2345" {
		t.Fatalf("got %d %q, want 206 \"2345\"", resp.StatusCode, body)
	}
	if got := resp.Header.Get("Content-Range"); got != "bytes 2-5/10" {
		t.Fatalf("Content-Range %q", got)
	}
	if resp.Header.Get("ETag") != sha("0123456789") {
		t.Fatalf("partial response ETag %q is not the whole file's digest", resp.Header.Get("ETag"))
	}
	resp, _ = do(t, "GET", f.url+"lifecycle/app.tgz", "Range", "bytes=20-30")
	if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable {
		t.Fatalf("unsatisfiable range: got %d", resp.StatusCode)
	}
}

func TestErrors(t *testing.T) {
	f := newFixture(t)
	write(t, filepath.Join(filepath.Dir(f.dir), "secret"), "nope")
	cases := []struct {
		path   string
		status int
		body   string
	}{
		{"../secret", 400, "invalid URL path\n"},
		{"lifecycle/../test", 400, "invalid URL path\n"},
		{"%2e%2e/secret", 400, "invalid URL path\n"},
		{`..%5csecret`, 400, "invalid URL path\n"},
		{"does-not-exist", 404, "File not found: does-not-exist\n"},
		{"testdir", 401, "Unauthorized to list the directory\n"},
		{"", 401, "Unauthorized to list the directory\n"},
	}
	for _, c := range cases {
		resp, body := do(t, "GET", f.url+c.path)
		if resp.StatusCode != c.status || body != c.body {
			t.Errorf("GET %s: got %d %q, want %d %q", c.path, resp.StatusCode, body, c.status, c.body)
		}
	}
	base := strings.TrimSuffix(f.url, StaticRoutePrefix)
	if resp, _ := do(t, "GET", base+"/v1/other/test"); resp.StatusCode != 404 {
		t.Errorf("unknown route: got %d, want 404", resp.StatusCode)
	}
	if resp, _ := do(t, "POST", f.url+"test"); resp.StatusCode != 405 {
		t.Errorf("POST: got %d, want 405", resp.StatusCode)
	}
	if resp, body := do(t, "HEAD", f.url+"test"); resp.StatusCode != 200 || body != "" || resp.Header.Get("ETag") != sha("hello") {
		t.Errorf("HEAD: got %d %q %q", resp.StatusCode, body, resp.Header.Get("ETag"))
	}
}

func TestDigestRecomputedWhenFileChanges(t *testing.T) {
	f := newFixture(t)
	path := filepath.Join(f.dir, "test")
	if resp, _ := do(t, "GET", f.url+"test"); resp.Header.Get("ETag") != sha("hello") {
		t.Fatal("initial ETag wrong")
	}

	// Same size, new modification time.
	write(t, path, "HELLO")
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	if resp, body := do(t, "GET", f.url+"test"); resp.Header.Get("ETag") != sha("HELLO") || body != "HELLO" {
		t.Fatalf("after rewrite: ETag %s body %q", resp.Header.Get("ETag"), body)
	}

	// New size, modification time forced back to the cached one.
	write(t, path, "hello, world")
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	if resp, _ := do(t, "GET", f.url+"test"); resp.Header.Get("ETag") != sha("hello, world") {
		t.Fatalf("after resize: ETag %s", resp.Header.Get("ETag"))
	}
	if n := f.hashes.Load(); n != 3 {
		t.Fatalf("digest computed %d times, want 3", n)
	}
}

func TestRedirectToHTTPS(t *testing.T) {
	srv := httptest.NewServer(RedirectToHTTPS("0.0.0.0:8443"))
	t.Cleanup(srv.Close)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(srv.URL + "/v1/static/a/b.tgz?x=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if got, want := resp.Header.Get("Location"), "https://127.0.0.1:8443/v1/static/a/b.tgz?x=1"; got != want {
		t.Fatalf("Location %q, want %q", got, want)
	}
}

func TestHasDotDot(t *testing.T) {
	for p, want := range map[string]bool{
		"..": true, "/a/../b": true, `a\..\b`: true, "a..b": false, "/a/..b/": false, "...": false, "": false,
	} {
		if got := hasDotDot(p); got != want {
			t.Errorf("hasDotDot(%q) = %v", p, got)
		}
	}
}
