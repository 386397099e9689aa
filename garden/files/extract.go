package files

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

// Owner forces the ownership of extracted files (a non-root user streaming
// in owns what it writes). Nil keeps the archive's ids, passed through Map.
type Owner struct{ UID, GID int }

// ExtractOptions tune Extract.
type ExtractOptions struct {
	Owner *Owner
	// MapID turns an archive uid/gid into a host id (user namespaces).
	MapID func(id int) int
	// Whiteouts applies OCI layer whiteout entries (.wh.NAME, .wh..wh..opq).
	Whiteouts bool
}

// Extract unpacks the tar stream r (plain or gzip) into dest inside root.
func Extract(root, dest string, r io.Reader, opts ExtractOptions) error {
	rootfd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("opening rootfs: %w", err)
	}
	defer unix.Close(rootfd)
	uid, gid := 0, 0
	if opts.Owner != nil {
		uid, gid = opts.Owner.UID, opts.Owner.GID
	}
	destfd, err := mkdirAllIn(rootfd, dest, uid, gid)
	if err != nil {
		return err
	}
	defer unix.Close(destfd)

	br := bufio.NewReader(r)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("reading gzip: %w", err)
		}
		defer gz.Close()
		r = gz
	} else {
		r = br
	}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading tar: %w", err)
		}
		if err := extractEntry(destfd, hdr, tr, opts); err != nil {
			return fmt.Errorf("extracting %s: %w", hdr.Name, err)
		}
	}
}

func extractEntry(destfd int, hdr *tar.Header, body io.Reader, opts ExtractOptions) error {
	name := strings.TrimPrefix(path.Clean("/"+hdr.Name), "/")
	if name == "" {
		name = "."
	}
	uid, gid := hdr.Uid, hdr.Gid
	if opts.MapID != nil {
		uid, gid = opts.MapID(uid), opts.MapID(gid)
	}
	if opts.Owner != nil {
		uid, gid = opts.Owner.UID, opts.Owner.GID
	}
	parent, base := path.Split(name)
	if base == "." {
		parent, base = "", "."
	}
	pfd, err := mkdirAllIn(destfd, parent, uid, gid)
	if err != nil {
		return err
	}
	defer unix.Close(pfd)

	if opts.Whiteouts && strings.HasPrefix(base, ".wh.") {
		return applyWhiteout(pfd, strings.TrimPrefix(base, ".wh."))
	}

	mode := uint32(hdr.Mode & 0o7777)
	switch hdr.Typeflag {
	case tar.TypeDir:
		if base != "." {
			if err := unix.Mkdirat(pfd, base, 0o755); err != nil && !errors.Is(err, unix.EEXIST) {
				return err
			}
		}
		fd, err := openIn(pfd, base, unix.O_DIRECTORY|unix.O_RDONLY)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		_ = unix.Fchown(fd, uid, gid)
		_ = unix.Fchmod(fd, mode)
		return nil
	case tar.TypeReg, tar.TypeRegA:
		fd, err := unix.Openat(pfd, base, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
		if errors.Is(err, unix.ELOOP) || errors.Is(err, unix.EISDIR) || errors.Is(err, unix.ETXTBSY) {
			if err := removeAt(pfd, base); err != nil {
				return err
			}
			fd, err = unix.Openat(pfd, base, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
		}
		if err != nil {
			return err
		}
		f := os.NewFile(uintptr(fd), base)
		defer f.Close()
		if _, err := io.Copy(f, body); err != nil {
			return err
		}
		_ = unix.Fchown(fd, uid, gid)
		if err := unix.Fchmod(fd, mode); err != nil {
			return err
		}
		setTimes(pfd, base, hdr)
		return nil
	case tar.TypeSymlink:
		_ = removeAt(pfd, base)
		if err := unix.Symlinkat(hdr.Linkname, pfd, base); err != nil {
			return err
		}
		_ = unix.Fchownat(pfd, base, uid, gid, unix.AT_SYMLINK_NOFOLLOW)
		setTimes(pfd, base, hdr)
		return nil
	case tar.TypeLink:
		tdir, tbase := path.Split(strings.TrimPrefix(path.Clean("/"+hdr.Linkname), "/"))
		tfd, err := openIn(destfd, tdir, unix.O_PATH|unix.O_DIRECTORY)
		if err != nil {
			return err
		}
		defer unix.Close(tfd)
		_ = removeAt(pfd, base)
		return unix.Linkat(tfd, tbase, pfd, base, 0)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		kind := uint32(unix.S_IFIFO)
		if hdr.Typeflag == tar.TypeChar {
			kind = unix.S_IFCHR
		} else if hdr.Typeflag == tar.TypeBlock {
			kind = unix.S_IFBLK
		}
		_ = removeAt(pfd, base)
		if err := unix.Mknodat(pfd, base, kind|mode, int(unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor)))); err != nil {
			return err
		}
		_ = unix.Fchownat(pfd, base, uid, gid, unix.AT_SYMLINK_NOFOLLOW)
		return nil
	}
	return nil // other entry types (pax globals, ...) carry no files
}

func setTimes(dirfd int, base string, hdr *tar.Header) {
	ts := []unix.Timespec{unix.NsecToTimespec(hdr.ModTime.UnixNano()), unix.NsecToTimespec(hdr.ModTime.UnixNano())}
	_ = unix.UtimesNanoAt(dirfd, base, ts, unix.AT_SYMLINK_NOFOLLOW)
}

// removeAt removes base in dirfd, recursively when it is a directory.
func removeAt(dirfd int, base string) error {
	err := unix.Unlinkat(dirfd, base, 0)
	if err == nil || errors.Is(err, unix.ENOENT) {
		return nil
	}
	if !errors.Is(err, unix.EISDIR) && !errors.Is(err, unix.EPERM) {
		return err
	}
	fd, err := unix.Openat(dirfd, base, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(fdPath(fd))
	if err == nil {
		for _, e := range entries {
			if err = removeAt(fd, e.Name()); err != nil {
				break
			}
		}
	}
	unix.Close(fd)
	if err != nil {
		return err
	}
	return unix.Unlinkat(dirfd, base, unix.AT_REMOVEDIR)
}

func applyWhiteout(pfd int, target string) error {
	if target == ".wh..opq" {
		entries, err := os.ReadDir(fdPath(pfd))
		if err != nil {
			return err
		}
		for _, e := range entries {
			if err := removeAt(pfd, e.Name()); err != nil {
				return err
			}
		}
		return nil
	}
	return removeAt(pfd, target)
}
