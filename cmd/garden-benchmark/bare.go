package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/godiego/diego/garden/cgroups"
	"github.com/godiego/diego/garden/runc"
)

// benchBareRunc runs the same rootfs (read-only, no overlay, no network
// setup) straight through runc, as the baseline.
func benchBareRunc(dir, rootfs string, n, parallel int) (*samples, error) {
	bin, err := runc.Find()
	if err != nil {
		return nil, err
	}
	r := &runc.Runc{Bin: bin, Root: filepath.Join(dir, "state")}
	s := &samples{}
	err = forEach(n, parallel, func(i int) error {
		id := fmt.Sprintf("bare-%d", i)
		bundle := filepath.Join(dir, id)
		if err := os.MkdirAll(bundle, 0o755); err != nil {
			return err
		}
		spec := runc.Spec{
			OCIVersion: "1.0.2",
			Process:    &runc.Process{Args: []string{"/bin/sleep", "1000"}, Cwd: "/", Env: []string{"PATH=/bin"}, Capabilities: runc.ProcessCapabilities(0, runc.Available(runc.DefaultCapabilities))},
			Root:       runc.Root{Path: rootfs, Readonly: true},
			Mounts: []runc.Mount{
				{Destination: "/proc", Type: "proc", Source: "proc"},
				{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "mode=755"}},
			},
			Linux: runc.Linux{
				CgroupsPath: "/garden-benchmark-bare/" + id,
				Namespaces:  []runc.Namespace{{Type: "pid"}, {Type: "ipc"}, {Type: "uts"}, {Type: "mount"}, {Type: "network"}},
				Resources:   &runc.Resources{Devices: []runc.DeviceRule{{Allow: false, Access: "rwm"}}},
			},
		}
		if err := runc.WriteJSON(filepath.Join(bundle, "config.json"), spec); err != nil {
			return err
		}
		t0 := time.Now()
		if err := exec.Command(bin, "--root", r.Root, "run", "-d", "--bundle", bundle, id).Run(); err != nil {
			return fmt.Errorf("runc run: %w", err)
		}
		t1 := time.Now()
		if err := exec.Command(bin, "--root", r.Root, "exec", id, "/bin/true").Run(); err != nil {
			return fmt.Errorf("runc exec: %w", err)
		}
		t2 := time.Now()
		if err := exec.Command(bin, "--root", r.Root, "delete", "--force", id).Run(); err != nil {
			return fmt.Errorf("runc delete: %w", err)
		}
		s.add(t1.Sub(t0), t2.Sub(t1), time.Since(t2))
		return nil
	})
	cgroups.RemoveTree("/garden-benchmark-bare")
	return s, err
}
