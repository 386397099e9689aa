package cache

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// toTar writes raw (size bytes, read from the start) to out as a tar stream:
// gzip is decompressed, zip is repacked, anything else is copied as tar.
func toTar(raw *os.File, size int64, out io.Writer) error {
	if _, err := raw.Seek(0, io.SeekStart); err != nil {
		return err
	}
	br := bufio.NewReader(raw)
	magic, _ := br.Peek(4)
	switch {
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		gz, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("reading gzip: %w", err)
		}
		_, err = io.Copy(out, gz)
		return err
	case len(magic) == 4 && string(magic) == "PK\x03\x04":
		return zipToTar(raw, size, out)
	}
	_, err := io.Copy(out, br)
	return err
}

func zipToTar(raw *os.File, size int64, out io.Writer) error {
	zr, err := zip.NewReader(raw, size)
	if err != nil {
		return fmt.Errorf("reading zip: %w", err)
	}
	tw := tar.NewWriter(out)
	for _, f := range zr.File {
		hdr, err := tar.FileInfoHeader(f.FileInfo(), "")
		if err != nil {
			return err
		}
		hdr.Name = f.Name
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if f.FileInfo().IsDir() {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		_, err = io.Copy(tw, rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return tw.Close()
}

// untarFile extracts the tar file at path into dir, refusing entries that
// escape it.
func untarFile(path, dir string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		target := filepath.Join(dir, hdr.Name)
		if target != dir && !strings.HasPrefix(target, dir+string(os.PathSeparator)) {
			return fmt.Errorf("tar entry %q escapes the destination", hdr.Name)
		}
		mode := os.FileMode(hdr.Mode).Perm()
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, mode|0o700); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			w, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
			if err != nil {
				return err
			}
			_, err = io.Copy(w, tr)
			w.Close()
			if err != nil {
				return err
			}
		case tar.TypeSymlink:
			os.MkdirAll(filepath.Dir(target), 0o755)
			if err := os.Symlink(hdr.Linkname, target); err != nil {
				return err
			}
		}
	}
}
