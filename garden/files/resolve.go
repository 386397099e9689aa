// Package files moves files between tar streams and a container's root
// filesystem from the host side. Every path is resolved as if the process
// were chrooted into the rootfs (openat2 RESOLVE_IN_ROOT), so symlinks in a
// tar stream or in the container can never reach host files.
package files

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

// openIn opens rel (a path inside the tree rooted at dirfd) with every
// symlink resolved inside that tree.
func openIn(dirfd int, rel string, flags uint64) (int, error) {
	rel = strings.TrimPrefix(path.Clean("/"+rel), "/")
	if rel == "" {
		rel = "."
	}
	for {
		fd, err := unix.Openat2(dirfd, rel, &unix.OpenHow{Flags: flags | unix.O_CLOEXEC, Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS})
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
			continue
		}
		return fd, err
	}
}

// mkdirAllIn creates rel and its parents inside the tree at rootfd, giving
// new directories the owner (uid, gid) and returns an O_PATH fd for rel.
func mkdirAllIn(rootfd int, rel string, uid, gid int) (int, error) {
	rel = strings.TrimPrefix(path.Clean("/"+rel), "/")
	fd, err := openIn(rootfd, rel, unix.O_PATH|unix.O_DIRECTORY)
	if err == nil || rel == "" {
		return fd, err
	}
	if !errors.Is(err, unix.ENOENT) {
		return -1, fmt.Errorf("opening %s: %w", rel, err)
	}
	parent, base := path.Split(rel)
	pfd, err := mkdirAllIn(rootfd, parent, uid, gid)
	if err != nil {
		return -1, err
	}
	defer unix.Close(pfd)
	if err := unix.Mkdirat(pfd, base, 0o755); err != nil && !errors.Is(err, unix.EEXIST) {
		return -1, fmt.Errorf("creating %s: %w", rel, err)
	}
	_ = unix.Fchownat(pfd, base, uid, gid, unix.AT_SYMLINK_NOFOLLOW)
	return openIn(pfd, base, unix.O_PATH|unix.O_DIRECTORY)
}

// fdPath names what an open fd refers to, valid while the fd is open. It
// works even when the fd belongs to another mount namespace (opened through
// /proc/PID/root), where the fd's own path would mean nothing on the host.
func fdPath(fd int) string {
	return fmt.Sprintf("/proc/self/fd/%d/", fd)
}

// OpenIn opens rel inside root (resolved as if chrooted into root) and
// returns the file's path through the returned fd, and a func closing it.
func OpenIn(root, rel string) (string, func(), error) {
	rootfd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", nil, err
	}
	defer unix.Close(rootfd)
	fd, err := openIn(rootfd, rel, unix.O_PATH)
	if err != nil {
		return "", nil, &os.PathError{Op: "open", Path: rel, Err: err}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return "", nil, err
	}
	p := fdPath(fd)
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		p = strings.TrimSuffix(p, "/")
	}
	return p, func() { unix.Close(fd) }, nil
}

// ReadFileIn reads rel inside root, resolved as if chrooted into root.
func ReadFileIn(root, rel string) ([]byte, error) {
	p, done, err := OpenIn(root, rel)
	if err != nil {
		return nil, err
	}
	defer done()
	return os.ReadFile(p)
}

// MkdirIn creates rel (and parents) inside root owned by uid:gid.
func MkdirIn(root, rel string, uid, gid int) error {
	rootfd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(rootfd)
	fd, err := mkdirAllIn(rootfd, rel, uid, gid)
	if err != nil {
		return err
	}
	return unix.Close(fd)
}
