package localrun

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestMain doubles as a tiny daemon when LOCALRUN_HELPER_LISTEN is set: it
// listens there until SIGTERM, so the supervisor can be tested with real
// processes.
func TestMain(m *testing.M) {
	if addr := os.Getenv("LOCALRUN_HELPER_LISTEN"); addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			os.Exit(3)
		}
		println("helper listening")
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM)
		<-sig
		ln.Close()
		println("helper stopping")
		os.Exit(0)
	}
	os.Exit(m.Run())
}

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

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestSupervisorStartsWaitsPrefixesAndStops(t *testing.T) {
	st, err := Prepare(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	binDir := t.TempDir()
	self, _ := os.Executable()
	if err := os.Symlink(self, filepath.Join(binDir, "helper")); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	t.Setenv("LOCALRUN_HELPER_LISTEN", addr)
	out := &syncBuffer{}
	sup := &Supervisor{BinDir: binDir, Root: st.Root, Out: out}
	err = sup.Start(context.Background(), Component{
		Name: "helper", Binary: "helper", Ready: TCPReady(addr), ReadyAt: addr,
		Config: map[string]any{"listen_address": addr},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(st.Path("config", "helper.json")); err != nil {
		t.Fatalf("config not written: %v", err)
	}
	sup.StopAll(5 * time.Second)
	if err := TCPReady(addr)(context.Background()); err == nil {
		t.Fatal("helper still listening after StopAll")
	}
	text := out.String()
	for _, want := range []string{"ready", "helper        | helper listening", "stopped"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	logged, _ := os.ReadFile(st.Path("logs", "helper.log"))
	if !strings.Contains(string(logged), "helper stopping") {
		t.Errorf("log file lacks the helper's last line: %q", logged)
	}
}

func TestSupervisorReportsAComponentThatExitsBeforeReady(t *testing.T) {
	st, _ := Prepare(t.TempDir())
	binDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(binDir, "broken"), []byte("#!/bin/sh\necho boom >&2\nexit 7\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	sup := &Supervisor{BinDir: binDir, Root: st.Root, Out: &syncBuffer{}, Quiet: true}
	err := sup.Start(context.Background(), Component{Name: "broken", Binary: "broken", Ready: TCPReady(freeAddr(t))})
	if err == nil || !strings.Contains(err.Error(), "exit status 7") {
		t.Fatalf("want the exit status in the error, got %v", err)
	}
}

func TestBusyboxRootfs(t *testing.T) {
	if _, err := os.Stat("/bin/busybox"); err != nil {
		t.Skip("busybox-static not installed")
	}
	dir := filepath.Join(t.TempDir(), "rootfs")
	if err := BuildBusyboxRootfs("/bin/busybox", dir); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"bin/sh", "bin/busybox", "etc/passwd", "tmp"} {
		if _, err := os.Lstat(filepath.Join(dir, p)); err != nil {
			t.Errorf("missing %s: %v", p, err)
		}
	}
	passwd, _ := os.ReadFile(filepath.Join(dir, "etc/passwd"))
	if !strings.Contains(string(passwd), "vcap:x:2000") {
		t.Errorf("no vcap user: %s", passwd)
	}
}

func TestPlanGivesEachCellItsOwnPortsPoolsAndZone(t *testing.T) {
	st, _ := Prepare(t.TempDir())
	plan := Plan(st, Options{WithCells: true})
	seen := map[string]string{}
	for _, c := range plan {
		if c.Binary == "garden" {
			pool := c.Config["network_pool"].(string)
			if other, dup := seen[pool]; dup {
				t.Errorf("%s and %s share network pool %s", c.Name, other, pool)
			}
			seen[pool] = c.Name
		}
		if c.Binary == "rep" {
			addr := c.Config["listen_addr_securable"].(string)
			if other, dup := seen[addr]; dup {
				t.Errorf("%s and %s share %s", c.Name, other, addr)
			}
			seen[addr] = c.Name
			seen[c.Config["zone"].(string)] = c.Name
		}
	}
	if _, ok := seen["z1"]; !ok {
		t.Error("no cell in zone z1")
	}
	if _, ok := seen["z2"]; !ok {
		t.Error("no cell in zone z2")
	}
	without := Plan(st, Options{})
	for _, c := range without {
		if c.Binary == "garden" || c.Binary == "rep" {
			t.Errorf("plan without cells includes %s", c.Name)
		}
	}
}

func TestWriteEnv(t *testing.T) {
	st, _ := Prepare(t.TempDir())
	lines, err := WriteEnv(st, "https://127.0.0.1:8889", DefaultAddresses().Locket)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(st.Path("env"))
	if !strings.Contains(string(data), "export BBS_URL='https://127.0.0.1:8889'") || len(lines) != 5 {
		t.Fatalf("env file: %s", data)
	}
}

func TestPublishTarballKeepsTheFileExecutable(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "demo-app")
	if err := os.WriteFile(src, []byte("#!/bin/sh\necho hi\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "out", "demo-app.tgz")
	if err := publishTarball(src, dst); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("tar", "-tvzf", dst).CombinedOutput()
	if err != nil {
		t.Fatalf("tar: %v %s", err, out)
	}
	if !strings.Contains(string(out), "-rwxr-xr-x") || !strings.Contains(string(out), "demo-app") {
		t.Fatalf("listing: %s", out)
	}
	if err := publishTarball(filepath.Join(dir, "missing"), filepath.Join(dir, "x.tgz")); err != nil {
		t.Fatalf("a missing source should be skipped: %v", err)
	}
}

func TestSupervisorRefusesAnAddressSomeoneElseAnswersOn(t *testing.T) {
	st, _ := Prepare(t.TempDir())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	binDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(binDir, "squatted"), []byte("#!/bin/sh\nsleep 30\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	sup := &Supervisor{BinDir: binDir, Root: st.Root, Out: &syncBuffer{}, Quiet: true}
	defer sup.StopAll(time.Second)
	err = sup.Start(context.Background(), Component{Name: "squatted", Binary: "squatted",
		Ready: TCPReady(ln.Addr().String()), ReadyAt: ln.Addr().String()})
	if err == nil || !strings.Contains(err.Error(), "already answering") {
		t.Fatalf("want an already-answering error, got %v", err)
	}
}

func TestPlanUsesEachAddressOnce(t *testing.T) {
	st, _ := Prepare(t.TempDir())
	seen := map[string]string{}
	for _, c := range Plan(st, Options{WithCells: true}) {
		for _, key := range []string{"listen_address", "health_address", "debug_address", "healthcheck_address",
			"server_address", "listen_addr", "listen_addr_securable"} {
			addr, ok := c.Config[key].(string)
			if !ok || addr == "" || strings.HasPrefix(addr, "/") {
				continue
			}
			if other, dup := seen[addr]; dup {
				t.Errorf("%s %s=%s collides with %s", c.Name, key, addr, other)
			}
			seen[addr] = c.Name + " " + key
		}
	}
}
