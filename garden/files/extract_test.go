package files

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

type entry struct {
	name, link, body string
	typ              byte
}

func tarball(t *testing.T, entries ...entry) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: e.typ, Mode: 0o644, Size: int64(len(e.body))}
		if e.typ == tar.TypeDir {
			hdr.Mode = 0o755
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(e.body))
	}
	tw.Close()
	return &buf
}

func TestExtractStaysInsideRoot(t *testing.T) {
	base := t.TempDir()
	root, outside := filepath.Join(base, "root"), filepath.Join(base, "outside")
	os.MkdirAll(root, 0o755)
	os.MkdirAll(outside, 0o755)
	// Entries that would follow a symlink out of the root either land
	// inside it or fail; nothing is ever written outside.
	_ = Extract(root, "/dest", tarball(t,
		entry{name: "link", link: outside, typ: tar.TypeSymlink},
		entry{name: "link/through-symlink", body: "x", typ: tar.TypeReg},
	), ExtractOptions{})
	_ = Extract(root, "/dest", tarball(t,
		entry{name: "rel", link: "../../../../outside", typ: tar.TypeSymlink},
		entry{name: "rel/through-relative", body: "x", typ: tar.TypeReg},
	), ExtractOptions{})
	err := Extract(root, "/dest", tarball(t,
		entry{name: "../../outside/dotdot", body: "x", typ: tar.TypeReg},
		entry{name: "dir/", typ: tar.TypeDir},
		entry{name: "dir/file", body: "hello", typ: tar.TypeReg},
		entry{name: "hard", link: "dir/file", typ: tar.TypeLink},
	), ExtractOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Fatalf("wrote outside the root: %v", entries)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "dest/hard")); string(b) != "hello" {
		t.Fatalf("hard link %q", b)
	}
	if _, err := os.Stat(filepath.Join(root, "dest/outside/dotdot")); err != nil {
		t.Fatalf("../ entry should land at the root: %v", err)
	}
}

func TestWhiteouts(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "a/b"), 0o755)
	os.WriteFile(filepath.Join(root, "a/b/old"), nil, 0o644)
	os.WriteFile(filepath.Join(root, "a/gone"), nil, 0o644)
	err := Extract(root, "/", tarball(t,
		entry{name: "a/.wh.gone", typ: tar.TypeReg},
		entry{name: "a/b/.wh..wh..opq", typ: tar.TypeReg},
		entry{name: "a/b/new", body: "n", typ: tar.TypeReg},
	), ExtractOptions{Whiteouts: true})
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Join(root, "a/b"))
	if len(entries) != 1 || entries[0].Name() != "new" {
		t.Fatalf("opaque dir holds %v", entries)
	}
	if _, err := os.Stat(filepath.Join(root, "a/gone")); !os.IsNotExist(err) {
		t.Fatal("whiteout did not remove a/gone")
	}
}

func TestArchiveRoundTrip(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "d/e"), 0o755)
	os.WriteFile(filepath.Join(root, "d/e/f"), []byte("data"), 0o600)
	var buf bytes.Buffer
	if err := Archive(root, "/d", &buf, nil); err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	if err := Extract(dst, "/out", &buf, ExtractOptions{}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dst, "out/d/e/f")); string(b) != "data" {
		t.Fatalf("round trip %q", b)
	}
	buf.Reset()
	if err := Archive(root, "/d/", &buf, nil); err != nil {
		t.Fatal(err)
	}
	if err := Extract(dst, "/contents", &buf, ExtractOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dst, "contents/e/f")); err != nil {
		t.Fatal("trailing slash should archive the contents")
	}
}
