// Package e2e is the end-to-end suite, our counterpart of upstream's inigo:
// every test starts the real binaries from bin/ (built by `make build`) as
// processes, on ports shifted away from `make run`'s, and drives them with
// our clients the way Cloud Controller and operators would.
package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	bbsclient "github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/internal/localrun"
	"github.com/godiego/diego/internal/tlsconf"
)

// portOffset moves every port of the test Diego away from make run's while
// keeping them below the kernel's ephemeral range (32768-60999), where an
// outgoing connection could hold one of them.
const portOffset = 10000

// World is one running Diego.
type World struct {
	State localrun.State
	Addr  localrun.Addresses
	Sup   *localrun.Supervisor
	BBS   *bbsclient.Client
	Plan  []localrun.Component
}

// Component returns the planned component with that name.
func (w *World) Component(t *testing.T, name string) localrun.Component {
	t.Helper()
	for _, c := range w.Plan {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no component %s in the plan", name)
	return localrun.Component{}
}

// BBSClient returns a BBS client for another BBS address of this world.
func (w *World) BBSClient(t *testing.T, addr string) *bbsclient.Client {
	t.Helper()
	tlsCfg, err := tlsconf.Client(w.State.Certs.ClientCert, w.State.Certs.ClientKey, w.State.Certs.CACert, false)
	if err != nil {
		t.Fatal(err)
	}
	c, err := bbsclient.New(bbsclient.Config{URL: "https://" + addr, TLS: tlsCfg, Retries: 1, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// binDir finds the built binaries: $DIEGO_BIN, else the repository's bin/.
func binDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("DIEGO_BIN"); dir != "" {
		return dir
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "bin")
}

// requireBinaries skips (or fails, when services are required, as CI
// requires them) when a binary the test needs is not built.
func requireBinaries(t *testing.T, dir string, names ...string) {
	t.Helper()
	var missing []string
	for _, n := range names {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("binaries not built in %s: %s (run make build)", dir, strings.Join(missing, ", "))
	if os.Getenv("DIEGO_TEST_REQUIRE_SQL") == "1" {
		t.Fatal(msg)
	}
	t.Skip("SKIPPING END-TO-END TEST: " + msg)
}

// WorldOptions choose the components.
type WorldOptions struct {
	Cells bool
	// ConvergeInterval overrides the BBS's converge_repeat_interval.
	ConvergeInterval string
	// Tweak, when set, may change each component's config before it starts.
	Tweak func(*localrun.Component)
	// Only, when set, limits the components to these names.
	Only []string
}

// StartWorld starts a Diego for the test and stops it at cleanup.
func StartWorld(t *testing.T, opts WorldOptions) *World {
	t.Helper()
	dir := binDir(t)
	// Not t.TempDir: unprivileged containers need every parent of the
	// depot to be searchable by other users, and t.TempDir is 0700.
	root, err := os.MkdirTemp("", "diego-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(root) })
	st, err := localrun.Prepare(root)
	if err != nil {
		t.Fatal(err)
	}
	addrs := localrun.DefaultAddresses().Shifted(portOffset)
	stopNATS, err := localrun.EnsureNATS(addrs.NATS, &testWriter{t})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stopNATS)
	sup := &localrun.Supervisor{BinDir: dir, Root: st.Root, Out: &testWriter{t}, Quiet: true}
	t.Cleanup(func() { sup.StopAll(10 * time.Second) })
	only := map[string]bool{}
	for _, n := range opts.Only {
		only[n] = true
	}
	if opts.Cells {
		requireCells(t)
		if err := localrun.BuildBusyboxRootfs("/bin/busybox", st.Path("rootfs", localrun.Stack)); err != nil {
			t.Fatal(err)
		}
		if err := publishApp(dir, st); err != nil {
			t.Fatal(err)
		}
		if err := localrun.PrepareCellDirs(st, testCells); err != nil {
			t.Fatal(err)
		}
	}
	plan := localrun.Plan(st, localrun.Options{WithCells: opts.Cells, Addresses: addrs, LogLevel: "debug", Cells: testCells,
		Tweak: func(c *localrun.Component) {
			if opts.ConvergeInterval != "" && c.Binary == "bbs" {
				c.Config["converge_repeat_interval"] = opts.ConvergeInterval
			}
			if opts.Tweak != nil {
				opts.Tweak(c)
			}
		}})
	var names []string
	for _, c := range plan {
		if len(only) == 0 || only[c.Name] {
			names = append(names, c.Binary)
		}
	}
	requireBinaries(t, dir, names...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, c := range plan {
		if len(only) > 0 && !only[c.Name] {
			continue
		}
		if err := sup.Start(ctx, c); err != nil {
			dumpLogs(t, st)
			t.Fatal(err)
		}
	}
	tlsCfg, err := tlsconf.Client(st.Certs.ClientCert, st.Certs.ClientKey, st.Certs.CACert, false)
	if err != nil {
		t.Fatal(err)
	}
	bbs, err := bbsclient.New(bbsclient.Config{URL: "https://" + addrs.BBS, TLS: tlsCfg})
	if err != nil {
		t.Fatal(err)
	}
	w := &World{State: st, Addr: addrs, Sup: sup, BBS: bbs, Plan: plan}
	t.Cleanup(func() {
		if t.Failed() {
			dumpLogs(t, st)
		}
	})
	return w
}

// dumpLogs prints the tail of every component's log into the test output.
func dumpLogs(t *testing.T, st localrun.State) {
	t.Helper()
	files, _ := filepath.Glob(st.Path("logs", "*.log"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		if len(lines) > 40 {
			lines = lines[len(lines)-40:]
		}
		t.Logf("==== %s (last %d lines)\n%s", filepath.Base(f), len(lines), strings.Join(lines, "\n"))
	}
}

// Eventually polls check every 100 ms until it returns nil or timeout passes.
func Eventually(t *testing.T, timeout time.Duration, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		if last = check(); last == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s: %v", what, timeout, last)
}

type testWriter struct{ t *testing.T }

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// testCells use their own network pools so a test Diego can run beside make run's.
var testCells = []localrun.Cell{
	{ID: "cell-1", Zone: "z1", Index: 0, NetworkPool: "10.253.0.0/24"},
	{ID: "cell-2", Zone: "z2", Index: 1, NetworkPool: "10.253.1.0/24"},
}

// requireCells skips unless cells can run here (root, runc, busybox).
func requireCells(t *testing.T) {
	t.Helper()
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, "root")
	}
	if _, err := exec.LookPath("runc"); err != nil {
		missing = append(missing, "runc")
	}
	if _, err := os.Stat("/bin/busybox"); err != nil {
		missing = append(missing, "busybox-static")
	}
	if len(missing) == 0 {
		return
	}
	msg := "cells need " + strings.Join(missing, ", ")
	if os.Getenv("DIEGO_TEST_REQUIRE_SQL") == "1" {
		t.Fatal(msg)
	}
	t.Skip("SKIPPING END-TO-END TEST WITH CELLS: " + msg)
}

// publishApp puts the lifecycle binaries and the demo app on the test
// file-server, as make run does.
func publishApp(binDir string, st localrun.State) error {
	return localrun.PublishLifecycles(st, binDir)
}
