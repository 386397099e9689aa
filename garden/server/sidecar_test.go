package server_test

import (
	"path/filepath"
	"strings"
	"testing"

	"code.cloudfoundry.org/garden"

	"github.com/godiego/diego/garden/gardentest"
)

func TestSidecarWithItsOwnImage(t *testing.T) {
	cfg := gardentest.Config(t)
	sidecarRoot := gardentest.BuildRootFS(t, filepath.Join(t.TempDir(), "sidecar"), "sidecar")
	cfg.PreloadedRootFSes = map[string]string{"sidecar": sidecarRoot}
	client, _ := gardentest.Start(t, cfg)
	for _, privileged := range []bool{false, true} {
		c, err := client.Create(garden.ContainerSpec{Privileged: privileged, Env: []string{"FROM_CONTAINER=1"}})
		if err != nil {
			t.Fatal(err)
		}
		out := &syncBuffer{}
		main, err := c.Run(garden.ProcessSpec{ID: "main-sleeper", Path: "sh", Args: []string{"-c", "echo up; exec sleep 1000"}}, garden.ProcessIO{Stdout: out})
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "main process", func() bool { return strings.Contains(out.String(), "up") })
		info, _ := c.Info()

		var sc strings.Builder
		p, err := c.Run(garden.ProcessSpec{
			Path:       "sh",
			Args:       []string{"-c", "cat /etc/marker; echo; ps -o comm | grep -c sleep; ip -4 addr show eth0 | grep -c " + info.ContainerIP + "; id -u; echo $FROM_CONTAINER; cat /mnt/host/marker"},
			User:       "vcap",
			Image:      garden.ImageRef{URI: "preloaded:sidecar"},
			BindMounts: []garden.BindMount{{SrcPath: filepath.Join(sidecarRoot, "etc"), DstPath: "/mnt/host", Mode: garden.BindMountModeRO}},
		}, garden.ProcessIO{Stdout: &sc, Stderr: &sc})
		if err != nil {
			t.Fatal(err)
		}
		code, _ := p.Wait()
		want := "sidecar\n1\n1\n2000\n1\nsidecar"
		if code != 0 || strings.TrimSpace(sc.String()) != want {
			t.Fatalf("privileged=%v: sidecar exit %d, output %q, want %q", privileged, code, sc.String(), want)
		}
		// With OverrideContainerLimits (as Diego's health checks ask) the
		// sidecar escapes the container's memory limit.
		var o strings.Builder
		p, err = c.Run(garden.ProcessSpec{
			Path: "sh", Args: []string{"-c", "grep memory /proc/self/cgroup"},
			Image:                   garden.ImageRef{URI: "preloaded:sidecar"},
			OverrideContainerLimits: &garden.ProcessLimits{},
		}, garden.ProcessIO{Stdout: &o, Stderr: &o})
		if err != nil {
			t.Fatal(err)
		}
		if code, _ := p.Wait(); code != 0 || !strings.Contains(o.String(), "-sidecar-") || strings.Contains(o.String(), "/sidecar-") {
			t.Fatalf("override sidecar exit %d, cgroup %s", code, o.String())
		}
		if _, err := c.Run(garden.ProcessSpec{Path: "true", BindMounts: []garden.BindMount{{SrcPath: "/tmp", DstPath: "/x"}}}, garden.ProcessIO{}); err == nil {
			t.Fatal("bind mounts for a process without an image were accepted")
		}
		// The main container's rootfs is untouched by the sidecar's.
		if got := gardentest.Sh(t, c, "cat /etc/marker"); got != "default" {
			t.Fatalf("main marker %q", got)
		}
		if err := client.Destroy(c.Handle()); err != nil {
			t.Fatal(err)
		}
		if code, _ := main.Wait(); code == 0 {
			t.Fatal("main process survived destroy")
		}
	}
}
