package server_test

import (
	"archive/tar"
	"bytes"
	"io"
	"testing"

	"code.cloudfoundry.org/garden"

	"github.com/godiego/diego/garden/gardentest"
)

func tarOf(t *testing.T, entries map[string]string) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, body := range entries {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	tw.Close()
	return &buf
}

func TestStreamInOutRoundTrip(t *testing.T) {
	client, _ := gardentest.Start(t, gardentest.Config(t))
	for _, privileged := range []bool{false, true} {
		c, err := client.Create(garden.ContainerSpec{Privileged: privileged})
		if err != nil {
			t.Fatal(err)
		}
		in := tarOf(t, map[string]string{"app/hello.txt": "hello world\n", "app/sub/x": "x"})
		if err := c.StreamIn(garden.StreamInSpec{Path: "/home/vcap/dest", User: "vcap", TarStream: in}); err != nil {
			t.Fatal(err)
		}
		if got := gardentest.Sh(t, c, "cat /home/vcap/dest/app/hello.txt; stat -c %u /home/vcap/dest/app/hello.txt /home/vcap/dest"); got != "hello world\n2000\n2000" {
			t.Fatalf("privileged=%v: in container: %q", privileged, got)
		}
		if r := gardentest.Run(t, c, "vcap", "sh", "-c", "echo more >> /home/vcap/dest/app/hello.txt"); r.Code != 0 {
			t.Fatalf("vcap cannot write its streamed-in file: %+v", r)
		}
		// As root, archive ownership is kept (root in the container).
		if err := c.StreamIn(garden.StreamInSpec{Path: "/etc/app", User: "root", TarStream: tarOf(t, map[string]string{"conf": "c"})}); err != nil {
			t.Fatal(err)
		}
		if got := gardentest.Sh(t, c, "stat -c %u /etc/app/conf"); got != "0" {
			t.Fatalf("root-streamed file owned by %s", got)
		}
		// Symlinks in the container cannot redirect a stream to the host.
		gardentest.Sh(t, c, "ln -s /etc /tmp/escape")
		if err := c.StreamIn(garden.StreamInSpec{Path: "/tmp/escape", User: "root", TarStream: tarOf(t, map[string]string{"garden-escape-test": "x"})}); err != nil {
			t.Fatal(err)
		}
		if gardentest.Sh(t, c, "cat /etc/garden-escape-test") != "x" {
			t.Fatal("symlinked stream did not land inside the container")
		}

		out, err := c.StreamOut(garden.StreamOutSpec{Path: "/home/vcap/dest/app", User: "vcap"})
		if err != nil {
			t.Fatal(err)
		}
		files := map[string]string{}
		tr := tar.NewReader(out)
		for {
			hdr, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if hdr.Uid != 2000 {
				t.Fatalf("privileged=%v: %s streamed out with uid %d, want the container's 2000", privileged, hdr.Name, hdr.Uid)
			}
			b, _ := io.ReadAll(tr)
			files[hdr.Name] = string(b)
		}
		// Root's files come out as root's, in either kind of container.
		rootOut, err := c.StreamOut(garden.StreamOutSpec{Path: "/etc/app/conf"})
		if err != nil {
			t.Fatal(err)
		}
		if hdr, err := tar.NewReader(rootOut).Next(); err != nil || hdr.Uid != 0 || hdr.Name != "conf" {
			t.Fatalf("privileged=%v: root's file streamed out as %+v (%v)", privileged, hdr, err)
		}
		rootOut.Close()
		out.Close()
		if files["app/hello.txt"] != "hello world\nmore\n" || files["app/sub/x"] != "x" {
			t.Fatalf("streamed out %v", files)
		}
		if _, err := c.StreamOut(garden.StreamOutSpec{Path: "/no/such/file"}); err == nil {
			t.Fatal("streaming out a missing path succeeded")
		}
		client.Destroy(c.Handle())
	}
}
