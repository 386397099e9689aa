// Package gardentest builds what Garden tests need on a real host: busybox
// root filesystems and Garden servers on temporary depots and sockets.
package gardentest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Applets are the busybox commands linked into test rootfses.
var Applets = []string{
	"sh", "ls", "cat", "echo", "sleep", "id", "env", "pwd", "mkdir", "rm", "touch", "ps",
	"mount", "hostname", "wc", "head", "tail", "dd", "yes", "nc", "wget", "ip", "ifconfig",
	"true", "false", "kill", "grep", "stat", "whoami", "test", "[", "tr", "seq", "ping", "stty",
	"readlink", "chmod", "chown", "df", "du", "tee", "sed", "awk", "httpd", "date", "find", "tar",
}

// BuildRootFS writes a busybox root filesystem into dir (created) with
// root and vcap (uid 2000) users, and returns dir. marker, if not empty, is
// written to /etc/marker so tests can tell rootfses apart.
func BuildRootFS(t testing.TB, dir, marker string) string {
	t.Helper()
	if err := WriteRootFS(dir, marker); err != nil {
		t.Fatal(err)
	}
	return dir
}

// WriteRootFS is BuildRootFS for callers without a testing.TB.
func WriteRootFS(dir, marker string) error {
	for _, d := range []string{"bin", "etc", "tmp", "root", "home/vcap", "proc", "sys", "dev", "usr/bin"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return err
		}
	}
	if err := os.Chmod(filepath.Join(dir, "tmp"), 0o1777); err != nil {
		return err
	}
	if err := os.Chown(filepath.Join(dir, "home/vcap"), 2000, 2000); err != nil {
		return err
	}
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		return fmt.Errorf("reading busybox: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bin/busybox"), bb, 0o755); err != nil {
		return err
	}
	for _, a := range Applets {
		if err := os.Symlink("busybox", filepath.Join(dir, "bin", a)); err != nil {
			return err
		}
	}
	files := map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\nvcap:x:2000:2000:vcap:/home/vcap:/bin/sh\n",
		"etc/group":  "root:x:0:\ntty:x:5:\nvcap:x:2000:\n",
	}
	if marker != "" {
		files["etc/marker"] = marker
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(fmt.Errorf("gardentest: %w", err))
	}
}
