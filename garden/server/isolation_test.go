package server_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"code.cloudfoundry.org/garden"

	"github.com/godiego/diego/garden/gardentest"
)

func TestPidAndMountIsolation(t *testing.T) {
	cfg := gardentest.Config(t)
	client, _ := gardentest.Start(t, cfg)
	c, err := client.Create(garden.ContainerSpec{})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Destroy(c.Handle())

	// Only the container's own init and this shell are visible.
	pids := gardentest.Sh(t, c, "ls -d /proc/[0-9]* | wc -l")
	if pids != "3" && pids != "4" { // init, sh, ls (and wc)
		t.Fatalf("container sees %s processes", pids)
	}
	if init := gardentest.Sh(t, c, "cat /proc/1/cmdline"); !strings.HasPrefix(init, "/tmp/garden-init") {
		t.Fatalf("pid 1 is %q", init)
	}
	if got := gardentest.Sh(t, c, "cat /etc/marker"); got != "default" {
		t.Fatalf("rootfs marker %q", got)
	}
	if r := gardentest.Run(t, c, "root", "/bin/ls", "/work"); r.Code == 0 {
		t.Fatal("host directory /work is visible in the container")
	}
	// Writes go to the container's own layer, never to the base rootfs.
	gardentest.Sh(t, c, "echo changed > /etc/marker && rm /bin/echo && touch /newfile")
	if b, _ := os.ReadFile(filepath.Join(cfg.DefaultRootFS, "etc/marker")); string(b) != "default" {
		t.Fatalf("base rootfs was modified: %q", b)
	}
	if _, err := os.Lstat(filepath.Join(cfg.DefaultRootFS, "bin/echo")); err != nil {
		t.Fatal("base rootfs lost bin/echo")
	}
	other, err := client.Create(garden.ContainerSpec{})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Destroy(other.Handle())
	if got := gardentest.Sh(t, other, "cat /etc/marker; ls /newfile 2>&1 || true"); !strings.HasPrefix(got, "default") || !strings.Contains(got, "No such file") {
		t.Fatalf("second container sees the first one's writes: %q", got)
	}
	// Orphans are reaped by the container's init.
	gardentest.Sh(t, c, "sleep 0.2 & exit 0")
	waitFor(t, "orphan to be reaped", func() bool {
		return gardentest.Sh(t, c, "ps -o stat,comm | grep -v grep | grep -c sleep || true") == "0"
	})
	if z := gardentest.Sh(t, c, "ps -o stat | grep -c Z || true"); z != "0" {
		t.Fatalf("%s zombies", z)
	}
	if h := gardentest.Sh(t, c, "hostname"); h != c.Handle() {
		t.Fatalf("hostname %q, want the handle %q", h, c.Handle())
	}
}

func TestUnprivilegedRootIsNotHostRoot(t *testing.T) {
	client, _ := gardentest.Start(t, gardentest.Config(t))
	c, err := client.Create(garden.ContainerSpec{})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Destroy(c.Handle())
	uidMap := gardentest.Sh(t, c, "cat /proc/self/uid_map")
	if !strings.Contains(uidMap, "4294967294") {
		t.Fatalf("unprivileged container is not user-namespaced: uid_map %q", uidMap)
	}
	// Root in the container still owns its rootfs.
	gardentest.Sh(t, c, "echo ok > /etc/written-by-root && chown vcap /etc/written-by-root")
	if r := gardentest.Run(t, c, "root", "/bin/sh", "-c", "echo 1 > /proc/sys/kernel/panic"); r.Code == 0 {
		t.Fatal("unprivileged root could write /proc/sys")
	}

	p, err := client.Create(garden.ContainerSpec{Privileged: true})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Destroy(p.Handle())
	if m := gardentest.Sh(t, p, "cat /proc/self/uid_map"); !strings.Contains(m, "4294967295") {
		t.Fatalf("privileged container has a user namespace: %q", m)
	}
}

func TestEnvUserAndDir(t *testing.T) {
	client, _ := gardentest.Start(t, gardentest.Config(t))
	c, err := client.Create(garden.ContainerSpec{Env: []string{"A=container", "B=container"}})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Destroy(c.Handle())
	var out strings.Builder
	p, err := c.Run(garden.ProcessSpec{
		Path: "sh", Args: []string{"-c", "echo $A $B $USER $HOME; id -u; id -g; pwd"},
		Env: []string{"B=process"}, User: "vcap",
	}, garden.ProcessIO{Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := p.Wait(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	want := "container process vcap /home/vcap\n2000\n2000\n/home/vcap\n"
	if out.String() != want {
		t.Fatalf("got %q, want %q", out.String(), want)
	}
	r := gardentest.Run(t, c, "vcap", "/bin/sh", "-c", "cd /; touch /etc/nope")
	if r.Code == 0 {
		t.Fatal("vcap could write /etc")
	}
	// A missing working directory is created for the user.
	out.Reset()
	p, err = c.Run(garden.ProcessSpec{Path: "pwd", Dir: "/home/vcap/app/sub", User: "vcap"}, garden.ProcessIO{Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	p.Wait()
	if out.String() != "/home/vcap/app/sub\n" {
		t.Fatalf("pwd %q", out.String())
	}
	if _, err := c.Run(garden.ProcessSpec{Path: "/no/such/binary"}, garden.ProcessIO{}); err == nil {
		t.Fatal("running a missing executable succeeded")
	}
	if _, err := c.Run(garden.ProcessSpec{Path: "sh", User: "nobody-here"}, garden.ProcessIO{}); err == nil {
		t.Fatal("running as an unknown user succeeded")
	}
}
