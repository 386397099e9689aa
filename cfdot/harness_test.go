package cfdot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	bbsclient "github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/internal/certs"
	"github.com/godiego/diego/internal/tlsconf"
	locketclient "github.com/godiego/diego/locket/client"
)

// binaries used by the tests: cfdot is built by TestMain, bbs and locket
// come from the repository's bin/ (make build) or are built when missing.
var bins = map[string]string{}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cfdot-test-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		for _, name := range []string{"cfdot", "bbs", "locket"} {
			prebuilt := filepath.Join("..", "bin", name)
			if _, err := os.Stat(prebuilt); err == nil && name != "cfdot" {
				bins[name], _ = filepath.Abs(prebuilt)
				continue
			}
			out := filepath.Join(dir, name)
			build := exec.Command("go", "build", "-o", out, "../cmd/"+name)
			build.Stdout, build.Stderr = os.Stderr, os.Stderr
			if err := build.Run(); err != nil {
				fmt.Fprintf(os.Stderr, "building %s: %v\n", name, err)
				return 1
			}
			bins[name] = out
		}
		return m.Run()
	}()
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

// lockedBuffer is a goroutine-safe output sink.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// daemon starts bins[name] with cfg as its JSON config, stopping it at
// cleanup and showing its output when the test failed.
func daemon(t *testing.T, name string, cfg map[string]any) {
	t.Helper()
	raw, _ := json.Marshal(cfg)
	path := filepath.Join(t.TempDir(), name+".json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	out := &lockedBuffer{}
	cmd := exec.Command(bins[name], "-config", path)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("--- %s output ---\n%s", name, out.String())
		}
	})
}

func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// cluster is a locket and a BBS (SQLite) with clients for both and the
// environment cfdot reaches them with.
type cluster struct {
	certs      certs.Paths
	bbsURL     string
	locketAddr string
	bbs        *bbsclient.Client
	locket     *locketclient.Client
}

func startCluster(t *testing.T) *cluster {
	t.Helper()
	paths, err := certs.Generate(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster{certs: paths, locketAddr: freeAddr(t)}
	daemon(t, "locket", map[string]any{
		"listen_address": c.locketAddr, "ca_file": paths.CACert, "cert_file": paths.ServerCert, "key_file": paths.ServerKey,
		"database_driver": "sqlite", "database_connection_string": filepath.Join(t.TempDir(), "locket.db"),
	})
	// The BBS calls the auctioneer only to place work: accept and forget.
	auctioneer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusAccepted) }))
	t.Cleanup(auctioneer.Close)
	addr := freeAddr(t)
	daemon(t, "bbs", map[string]any{
		"listen_address": addr, "health_address": freeAddr(t), "uuid": "bbs-cfdot-test",
		"ca_file": paths.CACert, "cert_file": paths.ServerCert, "key_file": paths.ServerKey,
		"database_driver": "sqlite", "database_connection_string": filepath.Join(t.TempDir(), "bbs.db"),
		"encryption_keys": map[string]string{"k": "passphrase"}, "active_key_label": "k",
		"auctioneer_address": auctioneer.URL, "converge_repeat_interval": "1h",
		"locket_address": c.locketAddr, "locket_ca_cert_file": paths.CACert,
		"locket_client_cert_file": paths.ClientCert, "locket_client_key_file": paths.ClientKey,
	})
	c.bbsURL = "https://" + addr
	tlsCfg, err := tlsconf.Client(paths.ClientCert, paths.ClientKey, paths.CACert, false)
	if err != nil {
		t.Fatal(err)
	}
	c.bbs, err = bbsclient.New(bbsclient.Config{URL: c.bbsURL, TLS: tlsCfg, Retries: 1})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 60*time.Second, "the BBS to answer pings", func() bool { return c.bbs.Ping(context.Background()) })
	c.locket, err = locketclient.New(context.Background(), locketclient.Config{
		LocketAddress: c.locketAddr, LocketCACertFile: paths.CACert,
		LocketClientCertFile: paths.ClientCert, LocketClientKeyFile: paths.ClientKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.locket.Close() })
	return c
}

// env is the environment cfdot reaches the cluster with.
func (c *cluster) env() []string {
	return []string{
		"BBS_URL=" + c.bbsURL, "LOCKET_API_LOCATION=" + c.locketAddr,
		"CA_CERT_FILE=" + c.certs.CACert, "CLIENT_CERT_FILE=" + c.certs.ClientCert, "CLIENT_KEY_FILE=" + c.certs.ClientKey,
	}
}

// tlsServer serves h over mutual TLS with the cluster's certificates, as a
// rep does.
func (c *cluster) tlsServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	cfg, err := tlsconf.Server(c.certs.ServerCert, c.certs.ServerKey, c.certs.CACert)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = cfg
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// outcome is one cfdot run.
type outcome struct {
	stdout, stderr string
	code           int
}

func (o outcome) lines() []string {
	s := strings.TrimRight(o.stdout, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func (o outcome) String() string {
	return fmt.Sprintf("exit %d\nstdout: %s\nstderr: %s", o.code, o.stdout, o.stderr)
}

// cfdot runs the cfdot binary with env (only) and args.
func cfdot(t *testing.T, env []string, args ...string) outcome {
	t.Helper()
	cmd := exec.Command(bins["cfdot"], args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	o := outcome{stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		o.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o
}

// ok runs cfdot and requires exit 0.
func (c *cluster) ok(t *testing.T, args ...string) outcome {
	t.Helper()
	o := cfdot(t, c.env(), args...)
	if o.code != 0 {
		t.Fatalf("cfdot %s: %s", strings.Join(args, " "), o)
	}
	return o
}

// fails runs cfdot and requires the exit code and a stderr substring.
func fails(t *testing.T, env []string, code int, stderr string, args ...string) {
	t.Helper()
	o := cfdot(t, env, args...)
	if o.code != code || !strings.Contains(o.stderr, stderr) {
		t.Errorf("cfdot %s: want exit %d and stderr containing %q, got %s", strings.Join(args, " "), code, stderr, o)
	}
}

// object decodes a printed JSON line.
func object(t *testing.T, line string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Fatalf("not a JSON object: %q: %v", line, err)
	}
	return m
}
