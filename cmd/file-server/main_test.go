package main_test

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godiego/diego/internal/certs"
	"github.com/godiego/diego/internal/tlsconf"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "file-server-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "file-server")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func writeConfig(t *testing.T, cfg map[string]any) string {
	t.Helper()
	raw, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "file_server.json")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func start(t *testing.T, configPath string) *bytes.Buffer {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command(binary, "-config", configPath)
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("file-server output:\n%s", out.String())
		}
	})
	return &out
}

func waitFor(t *testing.T, client *http.Client, url string) *http.Response {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := client.Get(url)
		if err == nil {
			return resp
		}
		if time.Now().After(deadline) {
			t.Fatalf("file-server never answered %s: %v", url, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func staticDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "buildpack_app_lifecycle"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "buildpack_app_lifecycle", "buildpack_app_lifecycle.tgz"), []byte("tarball"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

const artifact = "/v1/static/buildpack_app_lifecycle/buildpack_app_lifecycle.tgz"

func TestServesHTTP(t *testing.T) {
	addr, debug := freeAddr(t), freeAddr(t)
	start(t, writeConfig(t, map[string]any{
		"server_address":   addr,
		"static_directory": staticDir(t),
		"debug_address":    debug,
		"log_level":        "debug",
	}))
	resp := waitFor(t, http.DefaultClient, "http://"+addr+artifact)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "tarball" || resp.Header.Get("ETag") == "" {
		t.Fatalf("got %d %q etag %q", resp.StatusCode, body, resp.Header.Get("ETag"))
	}
	resp = waitFor(t, http.DefaultClient, "http://"+debug+"/metrics")
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `file_server_requests_total{code="200"} 1`) {
		t.Fatalf("metrics lack the request:\n%s", body)
	}
}

func TestServesHTTPSAndRedirectsHTTP(t *testing.T) {
	p, err := certs.Generate(t.TempDir(), []string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	addr, tlsAddr := freeAddr(t), freeAddr(t)
	start(t, writeConfig(t, map[string]any{
		"server_address":       addr,
		"static_directory":     staticDir(t),
		"https_server_enabled": true,
		"https_listen_addr":    tlsAddr,
		"cert_file":            p.ServerCert,
		"key_file":             p.ServerKey,
	}))
	pool, err := tlsconf.LoadCAPool(p.CACert)
	if err != nil {
		t.Fatal(err)
	}
	// No client certificate: the HTTPS listener is server-TLS only.
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp := waitFor(t, client, "https://"+tlsAddr+artifact)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "tarball" {
		t.Fatalf("https: got %d %q", resp.StatusCode, body)
	}

	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp = waitFor(t, noFollow, "http://"+addr+artifact)
	resp.Body.Close()
	_, tlsPort, _ := net.SplitHostPort(tlsAddr)
	if want := "https://127.0.0.1:" + tlsPort + artifact; resp.StatusCode != 301 || resp.Header.Get("Location") != want {
		t.Fatalf("http: got %d Location %q, want 301 %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	// Following the redirect lands on the HTTPS listener.
	resp = waitFor(t, client, "http://"+addr+artifact)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "tarball" {
		t.Fatalf("followed redirect: got %d %q", resp.StatusCode, body)
	}
}

func TestCheckConfig(t *testing.T) {
	good := writeConfig(t, map[string]any{"static_directory": t.TempDir()})
	if out, err := exec.Command(binary, "-config", good, "-check-config").CombinedOutput(); err != nil {
		t.Fatalf("valid config rejected: %v\n%s", err, out)
	}
	bad := writeConfig(t, map[string]any{"static_directory": t.TempDir(), "staticDirectory": "x"})
	out, err := exec.Command(binary, "-config", bad, "-check-config").CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), `unknown key "staticDirectory"`) {
		t.Fatalf("bad config: err %v output %s", err, out)
	}
}
