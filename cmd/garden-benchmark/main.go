// Command garden-benchmark measures our Garden server against bare runc on
// the same busybox rootfs: container create, first process start and
// destroy latency (p50, p99), N containers with P in parallel.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"code.cloudfoundry.org/garden"
	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/garden/config"
	"github.com/godiego/diego/garden/gardentest"
	gardenserver "github.com/godiego/diego/garden/server"
)

func main() {
	n := flag.Int("n", 100, "containers to create")
	parallel := flag.Int("parallel", 4, "containers created at once")
	pool := flag.String("network-pool", "10.253.0.0/22", "network pool of the benchmark server")
	flag.Parse()
	if err := run(*n, *parallel, *pool); err != nil {
		fmt.Fprintln(os.Stderr, "garden-benchmark:", err)
		os.Exit(1)
	}
}

func run(n, parallel int, pool string) error {
	base, err := os.MkdirTemp("", "garden-benchmark-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(base)
	if err := os.Chmod(base, 0o755); err != nil {
		return err
	}
	rootfs := filepath.Join(base, "rootfs")
	if err := gardentest.WriteRootFS(rootfs, "bench"); err != nil {
		return err
	}

	bare, err := benchBareRunc(filepath.Join(base, "bare"), rootfs, n, parallel)
	if err != nil {
		return fmt.Errorf("bare runc: %w", err)
	}

	cfg := config.Defaults()
	cfg.ListenNetwork, cfg.ListenAddress = "unix", filepath.Join(base, "garden.sock")
	cfg.DepotDir, cfg.DefaultRootFS, cfg.NetworkPool = filepath.Join(base, "depot"), rootfs, pool
	cfg.PortPoolStart, cfg.PortPoolSize, cfg.MaxContainers = 50000, 1000, uint64(n+10)
	srv, err := gardenserver.Start(cfg, lager.NewLogger("garden-benchmark"))
	if err != nil {
		return err
	}
	defer srv.Teardown()
	ours := map[string]*samples{}
	for _, privileged := range []bool{false, true} {
		s, err := benchGarden(gardentest.ClientFor(cfg), n, parallel, privileged)
		if err != nil {
			return fmt.Errorf("garden: %w", err)
		}
		ours[fmt.Sprint(privileged)] = s
	}

	fmt.Printf("%d containers, %d in parallel, busybox rootfs\n\n", n, parallel)
	fmt.Printf("%-34s %10s %10s %10s %10s %10s %10s\n", "", "create50", "create99", "start50", "start99", "destroy50", "destroy99")
	row := func(name string, s *samples) {
		fmt.Printf("%-34s %10s %10s %10s %10s %10s %10s\n", name,
			ms(s.create.p(50)), ms(s.create.p(99)), ms(s.start.p(50)), ms(s.start.p(99)), ms(s.destroy.p(50)), ms(s.destroy.p(99)))
	}
	row("bare runc (run -d / exec / delete)", bare)
	row("garden unprivileged (userns)", ours["false"])
	row("garden privileged", ours["true"])
	fmt.Printf("\ncreate p50 ratio vs bare runc: unprivileged %.2fx, privileged %.2fx (target < 3x)\n",
		float64(ours["false"].create.p(50))/float64(bare.create.p(50)),
		float64(ours["true"].create.p(50))/float64(bare.create.p(50)))
	return nil
}

func benchGarden(client garden.Client, n, parallel int, privileged bool) (*samples, error) {
	s := &samples{}
	err := forEach(n, parallel, func(i int) error {
		t0 := time.Now()
		c, err := client.Create(garden.ContainerSpec{Privileged: privileged, NetIn: []garden.NetIn{{ContainerPort: 8080}}})
		if err != nil {
			return err
		}
		t1 := time.Now()
		p, err := c.Run(garden.ProcessSpec{Path: "true"}, garden.ProcessIO{})
		if err != nil {
			return err
		}
		if code, err := p.Wait(); err != nil || code != 0 {
			return fmt.Errorf("first process exited %d: %v", code, err)
		}
		t2 := time.Now()
		if err := client.Destroy(c.Handle()); err != nil {
			return err
		}
		s.add(t1.Sub(t0), t2.Sub(t1), time.Since(t2))
		return nil
	})
	return s, err
}
