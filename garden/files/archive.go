package files

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Archive writes a tar stream of src inside root to w. As with `tar -C dir
// -c base`, a source "/a/b" yields entries "b", "b/...", and a source ending
// in "/" yields its contents as "./...". mapID, when set, turns host ids
// into the ids written to the archive (user namespaces).
func Archive(root, src string, w io.Writer, mapID func(int) int) error {
	host, done, err := OpenIn(root, src)
	if err != nil {
		return err
	}
	defer done()
	tw := tar.NewWriter(w)
	prefix := "."
	if !strings.HasSuffix(src, "/") {
		if b := filepath.Base(filepath.Clean("/" + src)); b != "/" {
			prefix = b
		}
	}
	info, err := os.Stat(host)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		if err := writeEntry(tw, host, prefix, info, mapID); err != nil {
			return err
		}
		return tw.Close()
	}
	err = filepath.WalkDir(host, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(host, p)
		name := filepath.ToSlash(filepath.Join(prefix, rel))
		if prefix == "." && rel != "." {
			name = "./" + filepath.ToSlash(rel)
		}
		info, err := os.Lstat(p)
		if rel == "." {
			info, err = os.Stat(p)
		}
		if err != nil {
			return err
		}
		return writeEntry(tw, p, name, info, mapID)
	})
	if err != nil {
		return fmt.Errorf("archiving %s: %w", src, err)
	}
	return tw.Close()
}

func writeEntry(tw *tar.Writer, p, name string, info os.FileInfo, mapID func(int) int) error {
	link := ""
	if info.Mode()&os.ModeSymlink != 0 {
		var err error
		if link, err = os.Readlink(p); err != nil {
			return err
		}
	}
	hdr, err := tar.FileInfoHeader(info, link)
	if err != nil {
		return err
	}
	hdr.Name = name
	if info.IsDir() && !strings.HasSuffix(name, "/") {
		hdr.Name += "/"
	}
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		hdr.Uid, hdr.Gid = int(st.Uid), int(st.Gid)
		if mapID != nil {
			hdr.Uid, hdr.Gid = mapID(hdr.Uid), mapID(hdr.Gid)
		}
	}
	hdr.Uname, hdr.Gname = "", ""
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return nil
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(tw, f)
	return err
}
