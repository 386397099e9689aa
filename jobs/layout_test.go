package jobs

import (
	"bufio"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// specTemplates reads the `templates:` section of a job spec: source →
// destination. The specs here keep it a flat two-space-indented map.
func specTemplates(t *testing.T, job string) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(job, "spec"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	inTemplates := false
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		line := scanner.Text()
		switch {
		case line == "templates:":
			inTemplates = true
		case inTemplates && strings.HasPrefix(line, "  ") && strings.Contains(line, ":"):
			src, dest, _ := strings.Cut(strings.TrimSpace(line), ":")
			out[src] = strings.TrimSpace(dest)
		case inTemplates && strings.TrimSpace(line) != "":
			inTemplates = false
		}
	}
	if err := scanner.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// jobDirs lists the job directories (those with a spec).
func jobDirs(t *testing.T) []string {
	t.Helper()
	specs, err := filepath.Glob("*/spec")
	if err != nil {
		t.Fatal(err)
	}
	var jobs []string
	for _, s := range specs {
		jobs = append(jobs, filepath.Dir(s))
	}
	sort.Strings(jobs)
	return jobs
}

func TestEveryJobIsComplete(t *testing.T) {
	want := []string{"auctioneer", "bbs", "cfdot", "file_server", "garden", "locket", "rep", "route_emitter", "ssh_proxy"}
	if got := strings.Join(jobDirs(t), ","); got != strings.Join(want, ",") {
		t.Fatalf("jobs = %s, want %s", got, strings.Join(want, ","))
	}
	for _, job := range want {
		templates := specTemplates(t, job)
		files, err := os.ReadDir(filepath.Join(job, "templates"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if _, ok := templates[f.Name()]; !ok {
				t.Errorf("%s: templates/%s is not listed in the spec", job, f.Name())
			}
		}
		for src := range templates {
			if _, err := os.Stat(filepath.Join(job, "templates", src)); err != nil {
				t.Errorf("%s: spec lists a missing template: %v", job, err)
			}
		}
		if job == "cfdot" { // a CLI: no process to monitor
			continue
		}
		if _, err := os.Stat(filepath.Join(job, "monit")); err != nil {
			t.Errorf("%s: %v", job, err)
		}
		if templates["bpm.yml.erb"] != "config/bpm.yml" {
			t.Errorf("%s: no bpm.yml.erb → config/bpm.yml", job)
		}
	}
}

// TestEveryDaemonJobRendersItsProcess renders each daemon job, whether or
// not its binary is built, and checks bpm runs the package's binary with
// the rendered config.
func TestEveryDaemonJobRendersItsProcess(t *testing.T) {
	requireRuby(t)
	c := newDevCerts(t)
	for _, tc := range daemonCases() {
		t.Run(tc.job, func(t *testing.T) {
			r := mustRender(t, tc.job, tc.props(c), tc.manifestExtra(c))
			bpm, err := os.ReadFile(filepath.Join(r.JobDir, "config", "bpm.yml"))
			if err != nil {
				t.Fatal(err)
			}
			wantArg := "-config=" + filepath.Join(r.JobDir, tc.config)
			wantExe := "/bin/" + tc.binary + "\n"
			if !strings.Contains(string(bpm), wantArg) || !strings.Contains(string(bpm), wantExe) {
				t.Fatalf("bpm.yml does not run %s with %s:\n%s", tc.binary, wantArg, bpm)
			}
			if _, err := os.Stat(filepath.Join(r.JobDir, tc.config)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestFileServerRefusesClientCAItCannotEnforce: upstream's tls.client_ca_cert
// has no counterpart in our file-server yet, so the config must fail loudly
// rather than serve without verifying clients.
func TestFileServerRefusesClientCAItCannotEnforce(t *testing.T) {
	requireRuby(t)
	bin := binary(t, "file-server")
	c := newDevCerts(t)
	tc := fileServerCase()
	r := mustRender(t, "file_server", merged(tc.props(c), map[string]any{"tls.client_ca_cert": c.CA}), nil)
	tc.prepare(t, r)
	out, err := checkConfig(bin, filepath.Join(r.JobDir, tc.config))
	if err == nil || !strings.Contains(out, "client_ca_cert_file") {
		t.Fatalf("file-server -check-config should name client_ca_cert_file: %v\n%s", err, out)
	}
}

func TestRendererRejectsUndeclaredProperties(t *testing.T) {
	requireRuby(t)
	dir := t.TempDir()
	job := filepath.Join(dir, "probe")
	if err := os.MkdirAll(filepath.Join(job, "templates"), 0o755); err != nil {
		t.Fatal(err)
	}
	spec := "---\nname: probe\ntemplates:\n  x.erb: config/x\nproperties:\n  a.b:\n    default: 1\n"
	if err := os.WriteFile(filepath.Join(job, "spec"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(job, "templates", "x.erb"), []byte(`<%= p("a.b") %>/<%= p("a.c") %>`), 0o644); err != nil {
		t.Fatal(err)
	}
	manifestPath := filepath.Join(dir, "m.yml")
	if err := os.WriteFile(manifestPath, []byte("properties: {a: {b: 2, c: 3}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runRenderer(job, manifestPath, "-")
	if err == nil || !strings.Contains(out, "a.c") {
		t.Fatalf("an undeclared property rendered: %v %s", err, out)
	}
}
