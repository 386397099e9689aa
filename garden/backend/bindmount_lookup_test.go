package backend

import (
	"os"
	"path/filepath"
	"testing"

	"code.cloudfoundry.org/garden"
)

func TestExecutablesInHostBindMountsAreFound(t *testing.T) {
	host := t.TempDir()
	if err := os.WriteFile(filepath.Join(host, "healthcheck"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(host, "subdir"), 0o755); err != nil {
		t.Fatal(err)
	}
	mounts := []garden.BindMount{
		{SrcPath: host, DstPath: "/etc/cf-assets/healthcheck", Origin: garden.BindMountOriginHost},
		{SrcPath: host, DstPath: "/from-container", Origin: garden.BindMountOriginContainer},
	}
	cases := []struct {
		path string
		want bool
	}{
		{"/etc/cf-assets/healthcheck/healthcheck", true},
		{"/etc/cf-assets/healthcheck/missing", false},
		{"/etc/cf-assets/healthcheck/subdir", false}, // a directory is not executable
		{"/etc/cf-assets/healthcheckx/healthcheck", false},
		{"/from-container/healthcheck", false}, // container-origin mounts are not on the host
		{"healthcheck", false},
	}
	for _, c := range cases {
		if got := inHostBindMount(mounts, c.path); got != c.want {
			t.Errorf("%s: got %v, want %v", c.path, got, c.want)
		}
	}
}
