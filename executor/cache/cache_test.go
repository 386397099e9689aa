package cache

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

func tgz(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, body := range files {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
		tw.Write([]byte(body))
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

func serve(t *testing.T, blobs map[string][]byte) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		b, ok := blobs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func names(t *testing.T, r io.Reader) []string {
	t.Helper()
	var out []string
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, h.Name)
	}
}

func TestFetchVerifiesChecksumAndCaches(t *testing.T) {
	blob := tgz(t, map[string]string{"app/run.sh": "echo hi"})
	sum := sha256.Sum256(blob)
	srv, hits := serve(t, map[string][]byte{"/app.tgz": blob})
	c, err := New(Config{Dir: filepath.Join(t.TempDir(), "c"), MaxBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(srv.URL + "/app.tgz")
	rc, size, err := c.Fetch(t.Context(), u, "key", "sha256", hex.EncodeToString(sum[:]))
	if err != nil {
		t.Fatal(err)
	}
	if got := names(t, rc); len(got) != 1 || got[0] != "app/run.sh" || size != int64(len(blob)) {
		t.Fatalf("names=%v size=%d", got, size)
	}
	rc.Close()
	rc, size, err = c.Fetch(t.Context(), u, "key", "sha256", hex.EncodeToString(sum[:]))
	if err != nil || size != 0 || hits.Load() != 1 {
		t.Fatalf("second fetch: err=%v size=%d hits=%d", err, size, hits.Load())
	}
	rc.Close()

	if _, _, err := c.Fetch(t.Context(), u, "", "md5", "00"); err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Fatalf("err = %v", err)
	}
	if _, _, err := c.Fetch(t.Context(), u, "", "crc", "00"); err == nil {
		t.Fatal("unknown algorithm accepted")
	}
	missing, _ := url.Parse(srv.URL + "/nope")
	if _, _, err := c.Fetch(t.Context(), missing, "", "", ""); err == nil {
		t.Fatal("404 accepted")
	}
}

func TestEvictsLeastRecentlyUsedOverBudget(t *testing.T) {
	a := bytes.Repeat([]byte("a"), 600)
	b := bytes.Repeat([]byte("b"), 600)
	srv, _ := serve(t, map[string][]byte{"/a": a, "/b": b})
	c, _ := New(Config{Dir: filepath.Join(t.TempDir(), "c"), MaxBytes: 1000})
	ua, _ := url.Parse(srv.URL + "/a")
	ub, _ := url.Parse(srv.URL + "/b")
	rc, _, err := c.Fetch(t.Context(), ua, "a", "", "")
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
	rc, _, _ = c.Fetch(t.Context(), ub, "b", "", "")
	rc.Close()
	if c.Usage() != 600 {
		t.Fatalf("usage = %d", c.Usage())
	}
	c.mu.Lock()
	_, hasA := c.entries["a"]
	c.mu.Unlock()
	if hasA {
		t.Fatal("a should have been evicted")
	}
}

func TestFetchAsDirectory(t *testing.T) {
	blob := tgz(t, map[string]string{"lifecycle/launcher": "#!/bin/sh"})
	srv, hits := serve(t, map[string][]byte{"/l.tgz": blob})
	c, _ := New(Config{Dir: filepath.Join(t.TempDir(), "c"), MaxBytes: 1 << 20})
	u, _ := url.Parse(srv.URL + "/l.tgz")
	dir, release, err := c.FetchAsDirectory(t.Context(), u, "lc", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "lifecycle/launcher")); err != nil || string(b) != "#!/bin/sh" {
		t.Fatalf("%q %v", b, err)
	}
	dir2, release2, _ := c.FetchAsDirectory(t.Context(), u, "lc", "", "")
	if dir2 != dir || hits.Load() != 1 {
		t.Fatal("directory not shared")
	}
	release()
	release2()
}
