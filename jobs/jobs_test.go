// Package jobs holds Diego's BOSH jobs (spec, monit, ERB templates) for the
// binaries this repository builds. Its only Go code is this test, which
// renders each job with render.rb and checks the result against the real
// daemon's -check-config.
package jobs

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/godiego/diego/internal/certs"
)

// requireRuby skips the test when ruby is missing, unless the run demands
// every dependency (DIEGO_TEST_REQUIRE_SQL=1, as CI sets), then it fails.
func requireRuby(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("ruby"); err == nil {
		return
	}
	msg := "ruby is not installed, so the BOSH job templates cannot be rendered (apt-get install -y ruby)"
	if os.Getenv("DIEGO_TEST_REQUIRE_SQL") == "1" {
		t.Fatal(msg)
	}
	t.Skip("SKIPPING: " + msg)
}

// binary returns the path of a built daemon, skipping the test when it has
// not been built (yet).
func binary(t *testing.T, name string) string {
	t.Helper()
	dir := os.Getenv("DIEGO_BIN")
	if dir == "" {
		dir = filepath.Join("..", "bin")
	}
	path, err := filepath.Abs(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Skipf("SKIPPING: %s is not built (run make build, or set DIEGO_BIN): %v", name, err)
	}
	return path
}

// devCerts writes a CA with server and client pairs and returns them as PEM.
type devCerts struct {
	CA, ServerCert, ServerKey, ClientCert, ClientKey string
}

var (
	certsOnce sync.Once
	certsDir  string
	certsErr  error
)

// TestMain removes the shared development certificates after the run.
func TestMain(m *testing.M) {
	code := m.Run()
	if certsDir != "" {
		os.RemoveAll(certsDir)
	}
	os.Exit(code)
}

// newDevCerts returns one development CA and its pairs, generated once per
// run (RSA generation is the slowest part of these tests).
func newDevCerts(t *testing.T) devCerts {
	t.Helper()
	certsOnce.Do(func() {
		if certsDir, certsErr = os.MkdirTemp("", "jobs-certs-"); certsErr == nil {
			_, certsErr = certs.Generate(certsDir, nil)
		}
	})
	if certsErr != nil {
		t.Fatal(certsErr)
	}
	paths := certs.PathsIn(certsDir)
	read := func(path string) string {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(raw)
	}
	return devCerts{
		CA: read(paths.CACert), ServerCert: read(paths.ServerCert), ServerKey: read(paths.ServerKey),
		ClientCert: read(paths.ClientCert), ClientKey: read(paths.ClientKey),
	}
}

// manifest is what render.rb reads: properties, spec and link stubs.
type manifest map[string]any

// tree builds a nested property map from dotted names, as a deployment
// manifest writes them.
func tree(flat map[string]any) map[string]any {
	out := map[string]any{}
	for name, value := range flat {
		node := out
		parts := strings.Split(name, ".")
		for _, part := range parts[:len(parts)-1] {
			next, ok := node[part].(map[string]any)
			if !ok {
				next = map[string]any{}
				node[part] = next
			}
			node = next
		}
		node[parts[len(parts)-1]] = value
	}
	return out
}

// rendered is one job rendered under a fake /var/vcap.
type rendered struct {
	Root   string // stands in for /var/vcap
	JobDir string // Root/jobs/NAME
}

// render renders every template of job with the given dotted properties
// into a fresh directory standing in for /var/vcap.
func render(t *testing.T, job string, props map[string]any, extra manifest) (rendered, error) {
	t.Helper()
	root := t.TempDir()
	m := manifest{"properties": tree(props)}
	for k, v := range extra {
		m[k] = v
	}
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	manifestPath := filepath.Join(t.TempDir(), "manifest.json")
	if err := os.WriteFile(manifestPath, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	r := rendered{Root: root, JobDir: filepath.Join(root, "jobs", job)}
	if out, err := runRenderer(job, manifestPath, r.JobDir, "--root", root); err != nil {
		return r, errors.New(strings.TrimSpace(out))
	}
	return r, nil
}

// runRenderer runs render.rb with args.
func runRenderer(args ...string) (string, error) {
	out, err := exec.Command("ruby", append([]string{"render.rb"}, args...)...).CombinedOutput()
	return string(out), err
}

// mustRender is render for cases that must render.
func mustRender(t *testing.T, job string, props map[string]any, extra manifest) rendered {
	t.Helper()
	r, err := render(t, job, props, extra)
	if err != nil {
		t.Fatalf("rendering %s: %v", job, err)
	}
	return r
}

// checkConfig runs `BINARY -config FILE -check-config`.
func checkConfig(bin, config string) (string, error) {
	out, err := exec.Command(bin, "-config", config, "-check-config").CombinedOutput()
	return string(out), err
}

// merged returns base with overrides applied.
func merged(base, overrides map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range overrides {
		out[k] = v
	}
	return out
}
