// Package executortest starts what executor and rep integration tests need
// on a real host: a busybox root filesystem and a real `garden` process
// (built from ./cmd/garden) on a temporary depot and socket. Tests reach
// it only through the Garden client, as the executor does.
package executortest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"code.cloudfoundry.org/garden"
	"code.cloudfoundry.org/garden/client"
	"code.cloudfoundry.org/garden/client/connection"
)

// Applets are the busybox commands linked into the test rootfs.
var Applets = []string{"sh", "ls", "cat", "echo", "sleep", "env", "mkdir", "rm", "touch", "kill", "true",
	"false", "test", "nc", "wget", "httpd", "dd", "head", "tail", "grep", "tar", "id", "yes", "sed", "seq"}

// RootFS writes a busybox root filesystem into dir with root and vcap users.
func RootFS(t testing.TB, dir string) string {
	t.Helper()
	for _, d := range []string{"bin", "etc", "tmp", "root", "home/vcap", "proc", "sys", "dev", "www"} {
		must(t, os.MkdirAll(filepath.Join(dir, d), 0o755))
	}
	must(t, os.Chmod(filepath.Join(dir, "tmp"), 0o1777))
	must(t, os.Chown(filepath.Join(dir, "home/vcap"), 2000, 2000))
	bb, err := os.ReadFile("/bin/busybox")
	must(t, err)
	must(t, os.WriteFile(filepath.Join(dir, "bin/busybox"), bb, 0o755))
	for _, a := range Applets {
		must(t, os.Symlink("busybox", filepath.Join(dir, "bin", a)))
	}
	must(t, os.WriteFile(filepath.Join(dir, "etc/passwd"), []byte("root:x:0:0:root:/root:/bin/sh\nvcap:x:2000:2000:vcap:/home/vcap:/bin/sh\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "etc/group"), []byte("root:x:0:\nvcap:x:2000:\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "www/index.html"), []byte("hello from busybox\n"), 0o644))
	return dir
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// RepoRoot is the module root (found from this file's location).
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
	counter   atomic.Uint32
)

// Binary builds ./cmd/NAME once per test process and returns its path.
func Binary(t testing.TB, name string) string {
	t.Helper()
	buildOnce.Do(func() { buildDir, buildErr = os.MkdirTemp("", "executortest-bin-") })
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	out := filepath.Join(buildDir, name)
	if _, err := os.Stat(out); err == nil {
		return out
	}
	cmd := exec.Command("go", "build", "-o", out, "./cmd/"+name)
	cmd.Dir = RepoRoot()
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0") // static: the healthcheck runs inside busybox rootfses
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", name, err, b)
	}
	return out
}

// freeNetwork picks a random 10.x.y.0/24 that no interface on the host uses.
func freeNetwork(t testing.TB) string {
	t.Helper()
	used := map[string]bool{}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
				ip := n.IP.To4()
				used[fmt.Sprintf("%d.%d.%d", ip[0], ip[1], ip[2])] = true
			}
		}
	}
	for i := 0; i < 1000; i++ {
		b, c := 100+rand.IntN(120), rand.IntN(250)
		if !used[fmt.Sprintf("10.%d.%d", b, c)] {
			return fmt.Sprintf("10.%d.%d.0/24", b, c)
		}
	}
	t.Fatal("no free network")
	return ""
}

// Garden is a running garden process.
type Garden struct {
	Client  garden.Client
	Socket  string
	RootFS  string
	Dir     string
	cmd     *exec.Cmd
	Network string
}

// Skip skips the test unless real containers can run here.
func Skip(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root for runc")
	}
	if _, err := exec.LookPath("runc"); err != nil {
		t.Skip("needs runc")
	}
	if _, err := os.Stat(filepath.Join(RepoRoot(), "cmd", "garden")); err != nil {
		t.Skip("cmd/garden not present")
	}
}

// StartGarden builds and starts a garden process with a busybox default
// rootfs (also preloaded as "busybox"); it is stopped when the test ends.
func StartGarden(t testing.TB, maxContainers int) *Garden {
	t.Helper()
	Skip(t)
	bin := Binary(t, "garden")
	base, err := os.MkdirTemp("", "executortest-garden-")
	must(t, err)
	must(t, os.Chmod(base, 0o755))
	t.Cleanup(func() { os.RemoveAll(base) })
	n := counter.Add(1) + uint32(os.Getpid()%40)*5
	g := &Garden{Socket: filepath.Join(base, "garden.sock"), RootFS: RootFS(t, filepath.Join(base, "rootfs")), Dir: base,
		Network: freeNetwork(t)}
	cfg := map[string]any{
		"listen_network": "unix", "listen_address": g.Socket, "depot_dir": filepath.Join(base, "depot"),
		"default_rootfs": g.RootFS, "preloaded_rootfses": map[string]string{"busybox": g.RootFS},
		// Host ports below the kernel's ephemeral range (32768-60999), where
		// NetIn rules cannot capture other tests' listeners, and clear of the
		// fixed ports of make run, the e2e suite and the benchmarks.
		"network_pool": g.Network, "port_pool_start": 22000 + (n%50)*100, "port_pool_size": 100,
		"external_ip": "127.0.0.1", "max_containers": maxContainers, "log_level": "error",
	}
	raw, _ := json.Marshal(cfg)
	cfgPath := filepath.Join(base, "garden.json")
	must(t, os.WriteFile(cfgPath, raw, 0o644))
	logf, err := os.Create(filepath.Join(base, "garden.log"))
	must(t, err)
	g.cmd = exec.Command(bin, "-config", cfgPath)
	g.cmd.Stdout, g.cmd.Stderr = logf, logf
	g.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	must(t, g.cmd.Start())
	t.Cleanup(func() {
		// Garden keeps containers across its own restarts, so destroy them
		// first: a container left running after its depot is removed leaks
		// processes, cgroups and kernel keys (the per-uid key quota is small).
		if containers, err := g.Client.Containers(nil); err == nil {
			for _, c := range containers {
				g.Client.Destroy(c.Handle())
			}
		}
		g.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { g.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			g.cmd.Process.Kill()
			<-done
		}
		// SIGTERM keeps host networking for a restart; remove it all.
		if out, err := exec.Command(bin, "-config", cfgPath, "-teardown").CombinedOutput(); err != nil {
			t.Logf("garden -teardown: %v: %s", err, out)
		}
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			if len(b) > 4000 {
				b = b[len(b)-4000:]
			}
			t.Logf("garden log tail:\n%s", b)
		}
	})
	g.Client = client.New(connection.New("unix", g.Socket))
	deadline := time.Now().Add(30 * time.Second)
	for g.Client.Ping() != nil {
		if time.Now().After(deadline) {
			t.Fatal("garden never answered ping")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return g
}
