package server_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"code.cloudfoundry.org/garden"
	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/garden/gardentest"
	gardenserver "github.com/godiego/diego/garden/server"
)

// busyContainer makes a container with everything that leaves traces on
// the host: a port mapping, egress rules, a running process and a sidecar.
func busyContainer(t *testing.T, client garden.Client, handle string) garden.Container {
	t.Helper()
	c, err := client.Create(garden.ContainerSpec{
		Handle: handle,
		NetIn:  []garden.NetIn{{HostPort: 0, ContainerPort: 8080}},
		NetOut: []garden.NetOutRule{{Protocol: garden.ProtocolTCP, Ports: []garden.PortRange{{Start: 80, End: 80}}}},
		Limits: garden.Limits{Memory: garden.MemoryLimits{LimitInBytes: 64 << 20}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(garden.ProcessSpec{Path: "sleep", Args: []string{"1000"}}, garden.ProcessIO{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(garden.ProcessSpec{Path: "sleep", Args: []string{"1000"}, Image: garden.ImageRef{URI: "preloaded:default"}}, garden.ProcessIO{}); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNothingLeftAfterDestroy(t *testing.T) {
	cfg := gardentest.Config(t)
	cfg.PreloadedRootFSes = map[string]string{"default": cfg.DefaultRootFS}
	client, _ := gardentest.Start(t, cfg)
	tag := cfg.Tag()
	if s := gardentest.Observe(t, tag, cfg.DepotDir); !s.Empty() {
		t.Fatalf("fresh server already has state: %+v", s)
	}
	for _, privileged := range []bool{false, true} {
		c := busyContainer(t, client, fmt.Sprintf("busy-%v", privileged))
		_ = privileged
		during := gardentest.Observe(t, tag, cfg.DepotDir)
		if len(during.Mounts) == 0 || len(during.Rules) == 0 || len(during.Links) == 0 || len(during.Netns) == 0 || len(during.Cgroups) == 0 || len(during.RuncDirs) == 0 {
			t.Fatalf("expected host state for a live container, got %+v", during)
		}
		if err := client.Destroy(c.Handle()); err != nil {
			t.Fatal(err)
		}
		if s := gardentest.Observe(t, tag, cfg.DepotDir); !s.Empty() {
			t.Fatalf("left behind after destroy: %+v", s)
		}
		entries, _ := os.ReadDir(cfg.DepotDir + "/containers")
		if len(entries) != 0 {
			t.Fatalf("container directories left: %v", entries)
		}
	}
	if _, err := client.Lookup("busy-false"); err == nil {
		t.Fatal("destroyed container still listed")
	}
}

func TestRestartCleansUpLeftovers(t *testing.T) {
	cfg := gardentest.Config(t)
	cfg.PreloadedRootFSes = map[string]string{"default": cfg.DefaultRootFS}
	logger := lager.NewLogger("restart-test")
	first, err := gardenserver.Start(cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	client := gardentest.ClientFor(cfg)
	gardentest.WaitForPing(t, client)
	for i := 0; i < 3; i++ {
		busyContainer(t, client, fmt.Sprintf("survivor-%d", i))
	}
	if s := gardentest.Observe(t, cfg.Tag(), cfg.DepotDir); len(s.RuncDirs) < 3 {
		t.Fatalf("containers not running: %+v", s)
	}
	// A plain stop (as on SIGTERM) leaves the containers running.
	if err := first.Stop(); err != nil {
		t.Fatal(err)
	}
	if s := gardentest.Observe(t, cfg.Tag(), cfg.DepotDir); len(s.Mounts) == 0 {
		t.Fatal("stop already removed containers")
	}

	client, _ = gardentest.Start(t, cfg)
	if s := gardentest.Observe(t, cfg.Tag(), cfg.DepotDir); !s.Empty() {
		t.Fatalf("restart left: %+v", s)
	}
	list, err := client.Containers(nil)
	if err != nil || len(list) != 0 {
		t.Fatalf("containers after restart: %v %v", list, err)
	}
	if out, _ := exec.Command("pgrep", "-f", cfg.DepotDir).Output(); len(out) != 0 {
		t.Fatalf("processes of old containers still running: %s", out)
	}
	// The same handles (and addresses) can be used again.
	c := busyContainer(t, client, "survivor-0")
	if got := gardentest.Sh(t, c, "echo fresh"); got != "fresh" {
		t.Fatal(got)
	}
}

func TestBadRequests(t *testing.T) {
	cfg := gardentest.Config(t)
	client, _ := gardentest.Start(t, cfg)
	var notFound garden.ContainerNotFoundError
	if _, err := client.Lookup("nope"); !errors.As(err, &notFound) {
		t.Fatalf("lookup unknown: %T %v", err, err)
	}
	if err := client.Destroy("nope"); !errors.As(err, &notFound) {
		t.Fatalf("destroy unknown: %T %v", err, err)
	}
	for name, spec := range map[string]garden.ContainerSpec{
		"missing rootfs":     {RootFSPath: "/no/such/rootfs"},
		"unsupported rootfs": {Image: garden.ImageRef{URI: "docker:///busybox"}},
		"unknown preloaded":  {RootFSPath: "preloaded:nope"},
		"tiny memory":        {Limits: garden.Limits{Memory: garden.MemoryLimits{LimitInBytes: 1}}},
		"bad bind mount":     {BindMounts: []garden.BindMount{{SrcPath: "/no/such/dir", DstPath: "/x"}}},
	} {
		if _, err := client.Create(spec); err == nil {
			t.Fatalf("%s: create succeeded", name)
		}
	}
	if s := gardentest.Observe(t, cfg.Tag(), cfg.DepotDir); !s.Empty() {
		t.Fatalf("failed creates left: %+v", s)
	}
	c, err := client.Create(garden.ContainerSpec{Handle: "dup"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Create(garden.ContainerSpec{Handle: "dup"}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("duplicate handle: %v", err)
	}
	if err := c.Stop(false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CurrentBandwidthLimits(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CurrentDiskLimits(); err != nil {
		t.Fatal(err)
	}
	if err := client.Ping(); err != nil {
		t.Fatalf("server unhealthy after bad requests: %v", err)
	}
}

func TestPropertiesInfoAndCapacity(t *testing.T) {
	cfg := gardentest.Config(t)
	cfg.MaxContainers = 3
	client, _ := gardentest.Start(t, cfg)
	a, err := client.Create(garden.ContainerSpec{Properties: garden.Properties{"executor:owner": "executor", "x": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := client.Create(garden.ContainerSpec{Properties: garden.Properties{"executor:owner": "other"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Create(garden.ContainerSpec{}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Create(garden.ContainerSpec{}); err == nil {
		t.Fatal("created more than max_containers")
	}
	list, _ := client.Containers(garden.Properties{"executor:owner": "executor"})
	if len(list) != 1 || list[0].Handle() != a.Handle() {
		t.Fatalf("filtered list %v", list)
	}
	if err := b.SetProperty("executor:owner", "executor"); err != nil {
		t.Fatal(err)
	}
	list, _ = client.Containers(garden.Properties{"executor:owner": "executor"})
	if len(list) != 2 {
		t.Fatalf("filtered list after SetProperty: %d", len(list))
	}
	if v, err := a.Property("x"); err != nil || v != "1" {
		t.Fatalf("property x = %q %v", v, err)
	}
	if err := a.RemoveProperty("x"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Property("x"); err == nil {
		t.Fatal("removed property still there")
	}
	infos, err := client.BulkInfo([]string{a.Handle(), "missing"})
	if err != nil || infos[a.Handle()].Err != nil || infos[a.Handle()].Info.Properties["executor:owner"] != "executor" || infos["missing"].Err == nil {
		t.Fatalf("bulk info %+v %v", infos, err)
	}
	capacity, err := client.Capacity()
	if err != nil || capacity.MaxContainers != 3 || capacity.MemoryInBytes == 0 || capacity.DiskInBytes == 0 {
		t.Fatalf("capacity %+v %v", capacity, err)
	}
}

func TestGraceTimeReaping(t *testing.T) {
	cfg := gardentest.Config(t)
	client, _ := gardentest.Start(t, cfg)
	c, err := client.Create(garden.ContainerSpec{GraceTime: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	keep, err := client.Create(garden.ContainerSpec{})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "reaping", func() bool { _, err := client.Lookup(c.Handle()); return err != nil })
	if _, err := client.Lookup(keep.Handle()); err != nil {
		t.Fatal("container without grace time was reaped")
	}
	waitFor(t, "reaped container's leftovers to go", func() bool {
		s := gardentest.Observe(t, cfg.Tag(), cfg.DepotDir)
		return len(s.RuncDirs) == 1
	})
}
