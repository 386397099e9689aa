package main_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	bbsclient "github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/internal/localrun"
	"github.com/godiego/diego/internal/tlsconf"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func newKey(t *testing.T) (ssh.Signer, string) {
	t.Helper()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	return signer, string(pem.EncodeToMemory(block))
}

func writeJSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ssh-proxy.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		if last = check(); last == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: not within 20s: %v", what, last)
}

// controlPlane starts locket and the BBS on free loopback ports and
// returns a BBS client and the state (certificates) they use.
func controlPlane(t *testing.T) (*bbsclient.Client, localrun.State, string) {
	t.Helper()
	st, err := localrun.Prepare(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	addrs := localrun.Addresses{
		Locket: freeAddr(t), BBS: freeAddr(t), BBSHealth: freeAddr(t), Auctioneer: freeAddr(t),
		FileServer: freeAddr(t), Router: freeAddr(t), RouteEmitterHealth: freeAddr(t), NATS: freeAddr(t),
	}
	plan := localrun.Plan(st, localrun.Options{Addresses: addrs, LogLevel: "debug", Tweak: func(c *localrun.Component) {
		delete(c.Config, "debug_address")
		if c.Name == "bbs" {
			// No rep stands behind the stand-in cell: keep convergence
			// from reclaiming the instance while the test runs.
			c.Config["converge_repeat_interval"] = "1h"
		}
	}})
	var log syncBuffer
	sup := &localrun.Supervisor{BinDir: binDir, Root: st.Root, Out: &log, Quiet: true}
	t.Cleanup(func() {
		sup.StopAll(10 * time.Second)
		if t.Failed() {
			t.Logf("supervisor:\n%s", log.String())
			for _, name := range []string{"locket", "bbs"} {
				data, _ := os.ReadFile(st.Path("logs", name+".log"))
				t.Logf("==== %s.log (tail)\n%s", name, tail(string(data), 30))
			}
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, c := range plan {
		if c.Name != "locket" && c.Name != "bbs" {
			continue
		}
		if err := sup.Start(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	tlsCfg, err := tlsconf.Client(st.Certs.ClientCert, st.Certs.ClientKey, st.Certs.CACert, false)
	if err != nil {
		t.Fatal(err)
	}
	client, err := bbsclient.New(bbsclient.Config{URL: "https://" + addrs.BBS, TLS: tlsCfg})
	if err != nil {
		t.Fatal(err)
	}
	return client, st, "https://" + addrs.BBS
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// startProcess runs a binary from binDir until the test ends.
func startProcess(t *testing.T, out *syncBuffer, env []string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, name), args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("==== %s output (tail)\n%s", name, tail(out.String(), 60))
		}
	})
}

func waitListening(t *testing.T, addr string) {
	t.Helper()
	eventually(t, addr+" listening", func() error {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err
	})
}
