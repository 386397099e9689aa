package server_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"

	"code.cloudfoundry.org/garden"

	"github.com/godiego/diego/garden/gardentest"
)

func TestRootFSKinds(t *testing.T) {
	cfg := gardentest.Config(t)
	tmp := t.TempDir()
	base := gardentest.BuildRootFS(t, filepath.Join(tmp, "base"), "base")
	tarball := gardentest.TarDir(t, base, filepath.Join(tmp, "base.tgz"))
	top := gardentest.TarFiles(t, filepath.Join(tmp, "top.tgz"), []gardentest.TarEntry{
		{Name: "etc/marker", Body: "oci-top"}, {Name: "bin/.wh.ls"}, {Name: "opt/added", Body: "yes"},
	})
	layout := gardentest.OCILayout(t, filepath.Join(tmp, "layout"), "v1", tarball, top)
	extra := gardentest.TarFiles(t, filepath.Join(tmp, "lifecycle.tgz"), []gardentest.TarEntry{{Name: "launcher", Body: "#!/bin/sh\necho launched\n"}})
	cfg.PreloadedRootFSes = map[string]string{"tarred": tarball, "dir": base}
	fileServer := httptest.NewServer(http.FileServer(http.Dir(tmp)))
	defer fileServer.Close()
	client, _ := gardentest.Start(t, cfg)

	for _, tc := range []struct {
		uri, script, want string
	}{
		{"", "cat /etc/marker", "default"},
		{base, "cat /etc/marker", "base"},
		{"raw://" + base, "cat /etc/marker", "base"},
		{tarball, "cat /etc/marker", "base"},
		{"preloaded:tarred", "cat /etc/marker", "base"},
		{"preloaded:dir", "cat /etc/marker", "base"},
		{"oci://" + layout + ":v1", "cat /etc/marker /opt/added; test -e /bin/ls || echo no-ls", "oci-topyesno-ls"},
		{layout, "cat /etc/marker", "oci-top"},
		{"preloaded+layer:dir?layer=" + url.QueryEscape(fileServer.URL+"/lifecycle.tgz") + "&layer_path=/tmp/lifecycle&layer_digest=def", "sh /tmp/lifecycle/launcher", "launched"},
		{"preloaded+layer:dir?layer=file://" + extra + "&layer_path=/tmp/lifecycle&layer_digest=abc", "sh /tmp/lifecycle/launcher; cat /etc/marker", "launched\nbase"},
	} {
		c, err := client.Create(garden.ContainerSpec{Image: garden.ImageRef{URI: tc.uri}})
		if err != nil {
			t.Fatalf("%s: %v", tc.uri, err)
		}
		if got := gardentest.Sh(t, c, tc.script); got != tc.want {
			t.Fatalf("%s: got %q, want %q", tc.uri, got, tc.want)
		}
		if err := client.Destroy(c.Handle()); err != nil {
			t.Fatal(err)
		}
	}
}
