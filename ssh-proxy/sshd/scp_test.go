package sshd

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestSplitWordsAndParseSCP(t *testing.T) {
	words, err := splitWords(`scp -t -- 'my dir/a b' "x\"y" c\ d`)
	if err != nil || !reflect.DeepEqual(words, []string{"scp", "-t", "--", "my dir/a b", `x"y`, "c d"}) {
		t.Fatalf("%q %v", words, err)
	}
	o, err := parseSCP("scp -rpd -t /tmp/x")
	if err != nil || !o.target || !o.recursive || !o.preserve || !o.targetIsDir || o.paths[0] != "/tmp/x" {
		t.Fatalf("%+v %v", o, err)
	}
	for _, bad := range []string{"scp /x", "scp -t -f /x", "scp -t a b", "scp -f", "scp -Z -t x", "scp -t 'x"} {
		if _, err := parseSCP(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestOpenSSHLegacySCP copies both ways with `scp -O` (the original scp
// protocol) against a daemon with no usable shell, so only the built-in scp
// can answer.
func TestOpenSSHLegacySCP(t *testing.T) {
	s, c := newOpenSSHClient(t, "scp")
	s.daemon.sessions.shellPath = "/nonexistent/shell"
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	must(t, os.MkdirAll(filepath.Join(src, "sub"), 0o755))
	must(t, os.WriteFile(filepath.Join(src, "a.txt"), []byte("alpha"), 0o600))
	must(t, os.WriteFile(filepath.Join(src, "sub", "b.txt"), []byte("beta"), 0o644))
	old := time.Date(2020, 2, 2, 2, 2, 2, 0, time.UTC)
	must(t, os.Chtimes(filepath.Join(src, "a.txt"), old, old))

	scp := func(args ...string) {
		t.Helper()
		all := append(append(c.options(), "-O", "-P", c.port), args...)
		if out, err := exec.Command("scp", all...).CombinedOutput(); err != nil {
			t.Fatalf("scp %v: %v\n%s", args, err, out)
		}
	}
	remote := "vcap@" + c.host + ":"

	// Upload a tree (sink mode), preserving times and modes.
	up := filepath.Join(dir, "uploaded")
	scp("-r", "-p", src, remote+up)
	assertFile(t, filepath.Join(up, "a.txt"), "alpha", 0o600, old)
	assertFile(t, filepath.Join(up, "sub", "b.txt"), "beta", 0o644, time.Time{})

	// A single file onto a new name, and into an existing directory.
	scp(filepath.Join(src, "a.txt"), remote+filepath.Join(dir, "renamed.txt"))
	assertFile(t, filepath.Join(dir, "renamed.txt"), "alpha", 0, time.Time{})
	scp(filepath.Join(src, "a.txt"), remote+up+"/sub")
	assertFile(t, filepath.Join(up, "sub", "a.txt"), "alpha", 0, time.Time{})

	// Download (source mode): a glob and a tree.
	down := filepath.Join(dir, "downloaded")
	must(t, os.Mkdir(down, 0o755))
	scp("-p", remote+filepath.Join(up, "*.txt"), down)
	assertFile(t, filepath.Join(down, "a.txt"), "alpha", 0o600, old)
	scp("-r", remote+filepath.Join(up, "sub"), down)
	assertFile(t, filepath.Join(down, "sub", "b.txt"), "beta", 0, time.Time{})

	// A missing source fails the copy.
	all := append(append(c.options(), "-O", "-P", c.port), remote+filepath.Join(dir, "missing"), down)
	if out, err := exec.Command("scp", all...).CombinedOutput(); err == nil {
		t.Fatalf("missing source copied: %s", out)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func assertFile(t *testing.T, path, content string, mode os.FileMode, mtime time.Time) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil || string(got) != content {
		t.Fatalf("%s: %q %v", path, got, err)
	}
	info, _ := os.Stat(path)
	if mode != 0 && info.Mode().Perm() != mode {
		t.Fatalf("%s: mode %v, want %v", path, info.Mode().Perm(), mode)
	}
	if !mtime.IsZero() && !info.ModTime().Equal(mtime) {
		t.Fatalf("%s: mtime %v, want %v", path, info.ModTime(), mtime)
	}
}
