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
	for _, d := range []string{"bin", "etc", "tmp", "root", "home/vcap", "proc", "sys", "dev", "usr/bin"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	must(t, os.Chmod(filepath.Join(dir, "tmp"), 0o1777))
	must(t, os.Chown(filepath.Join(dir, "home/vcap"), 2000, 2000))
	bb, err := os.ReadFile("/bin/busybox")
	must(t, err)
	must(t, os.WriteFile(filepath.Join(dir, "bin/busybox"), bb, 0o755))
	for _, a := range Applets {
		must(t, os.Symlink("busybox", filepath.Join(dir, "bin", a)))
	}
	must(t, os.WriteFile(filepath.Join(dir, "etc/passwd"), []byte(
		"root:x:0:0:root:/root:/bin/sh\nvcap:x:2000:2000:vcap:/home/vcap:/bin/sh\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "etc/group"), []byte("root:x:0:\ntty:x:5:\nvcap:x:2000:\n"), 0o644))
	if marker != "" {
		must(t, os.WriteFile(filepath.Join(dir, "etc/marker"), []byte(marker), 0o644))
	}
	return dir
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(fmt.Errorf("building rootfs: %w", err))
	}
}
