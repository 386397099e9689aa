package server_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"code.cloudfoundry.org/garden"

	"github.com/godiego/diego/garden/config"
	"github.com/godiego/diego/garden/gardentest"
)

func buildGarden(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "garden")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/godiego/diego/cmd/garden").CombinedOutput()
	if err != nil {
		t.Fatalf("building garden: %v\n%s", err, out)
	}
	return bin
}

func writeConfig(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "garden.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func configFile(cfg config.Config) map[string]any {
	return map[string]any{
		"listen_network": cfg.ListenNetwork, "listen_address": cfg.ListenAddress,
		"depot_dir": cfg.DepotDir, "default_rootfs": cfg.DefaultRootFS,
		"network_pool": cfg.NetworkPool, "port_pool_start": cfg.PortPoolStart, "port_pool_size": cfg.PortPoolSize,
		"external_ip": cfg.ExternalIP, "default_grace_time": "0s", "max_containers": 10, "log_level": "debug",
		"preloaded_rootfses": map[string]string{"busybox": cfg.DefaultRootFS},
	}
}

func TestBinaryCheckConfig(t *testing.T) {
	bin := buildGarden(t)
	cfg := gardentest.Config(t)
	good := configFile(cfg)
	if out, err := exec.Command(bin, "-config", writeConfig(t, good), "-check-config").CombinedOutput(); err != nil {
		t.Fatalf("valid config rejected: %v %s", err, out)
	}
	for name, mutate := range map[string]func(map[string]any){
		"unknown key":   func(m map[string]any) { m["tag"] = "x" },
		"bad pool":      func(m map[string]any) { m["network_pool"] = "10.0.0.0/33" },
		"bad network":   func(m map[string]any) { m["listen_network"] = "udp" },
		"bad grace":     func(m map[string]any) { m["default_grace_time"] = "soon" },
		"bad log level": func(m map[string]any) { m["log_level"] = "chatty" },
		"missing rootfs": func(m map[string]any) {
			m["preloaded_rootfses"] = map[string]string{"x": "/no/such"}
		},
	} {
		bad := map[string]any{}
		for k, v := range good {
			bad[k] = v
		}
		mutate(bad)
		cmd := exec.Command(bin, "-config", writeConfig(t, bad), "-check-config")
		out, err := cmd.CombinedOutput()
		if err == nil || cmd.ProcessState.ExitCode() != 2 {
			t.Fatalf("%s: accepted (exit %d): %s", name, cmd.ProcessState.ExitCode(), out)
		}
		if name == "unknown key" && !strings.Contains(string(out), "tag") {
			t.Fatalf("unknown key error does not name the key: %s", out)
		}
	}
	// Defaults fill in missing keys.
	minimal := map[string]any{"depot_dir": cfg.DepotDir}
	if out, err := exec.Command(bin, "-config", writeConfig(t, minimal), "-check-config").CombinedOutput(); err != nil {
		t.Fatalf("minimal config rejected: %v %s", err, out)
	}
}

func startBinary(t *testing.T, bin, configPath string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "-config", configPath)
	logPath := filepath.Join(t.TempDir(), "garden.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("garden log:\n%s", b)
		}
	})
	return cmd
}

func TestBinaryServesAndRestarts(t *testing.T) {
	bin := buildGarden(t)
	cfg := gardentest.Config(t)
	path := writeConfig(t, configFile(cfg))
	cmd := startBinary(t, bin, path)
	client := gardentest.ClientFor(cfg)
	gardentest.WaitForPing(t, client)

	c, err := client.Create(garden.ContainerSpec{Handle: "from-binary", Image: garden.ImageRef{URI: "preloaded:busybox"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := gardentest.Sh(t, c, "cat /etc/marker"); got != "default" {
		t.Fatal(got)
	}
	if _, err := c.Run(garden.ProcessSpec{Path: "sleep", Args: []string{"1000"}}, garden.ProcessIO{}); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("garden exited badly on SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("garden did not exit on SIGTERM")
	}

	// The restarted server removes the container the first one left.
	cmd2 := startBinary(t, bin, path)
	gardentest.WaitForPing(t, client)
	if list, _ := client.Containers(nil); len(list) != 0 {
		t.Fatalf("containers survived restart: %d", len(list))
	}
	if s := gardentest.Observe(t, cfg.Tag(), cfg.DepotDir); !s.Empty() {
		t.Fatalf("restart left: %+v", s)
	}
	c, err = client.Create(garden.ContainerSpec{Handle: "from-binary"})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Destroy(c.Handle()); err != nil {
		t.Fatal(err)
	}
	cmd2.Process.Signal(syscall.SIGTERM)
	cmd2.Wait()
	teardownHost(t, cfg)
}
