package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Layout names the directories of one container's writable layer.
type Layout struct {
	Dir string // holds upper/, work/, lower-N/ and the rootfs/ mount point
}

// RootFS is the overlay mount point.
func (l Layout) RootFS() string { return filepath.Join(l.Dir, "rootfs") }

// Upper is the writable layer.
func (l Layout) Upper() string { return filepath.Join(l.Dir, "upper") }

// Mount stacks a fresh writable layer over lowers (topmost first) at
// RootFS. With usernsFD >= 0, the lowers are first given an idmapped view
// through that user namespace, and the writable layer is owned by rootUID,
// so the container's root owns the rootfs as it would on the host.
func (l Layout) Mount(lowers []string, usernsFD int, rootUID int) error {
	upper, work := l.Upper(), filepath.Join(l.Dir, "work")
	for _, d := range []string{upper, work, l.RootFS()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if usernsFD >= 0 {
		if err := os.Chown(upper, rootUID, rootUID); err != nil {
			return err
		}
		mapped := make([]string, len(lowers))
		for i, lower := range lowers {
			target := filepath.Join(l.Dir, fmt.Sprintf("lower-%d", i))
			if err := idmap(lower, target, usernsFD); err != nil {
				l.unmountLowers()
				return err
			}
			mapped[i] = target
		}
		lowers = mapped
	}
	opts := fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s", strings.Join(lowers, ":"), upper, work)
	err := unix.Mount("overlay", l.RootFS(), "overlay", 0, opts)
	l.unmountLowers() // overlayfs keeps its own private clones of the layers
	if err != nil {
		return fmt.Errorf("mounting overlay: %w", err)
	}
	return nil
}

func idmap(src, target string, usernsFD int) error {
	if err := os.MkdirAll(target, 0o755); err != nil {
		return err
	}
	fd, err := unix.OpenTree(unix.AT_FDCWD, src, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
	if err != nil {
		return fmt.Errorf("open_tree %s: %w", src, err)
	}
	defer unix.Close(fd)
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_IDMAP, Userns_fd: uint64(usernsFD)}
	if err := unix.MountSetattr(fd, "", unix.AT_EMPTY_PATH, &attr); err != nil {
		return fmt.Errorf("idmapping %s: %w", src, err)
	}
	if err := unix.MoveMount(fd, "", unix.AT_FDCWD, target, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		return fmt.Errorf("attaching idmapped %s: %w", src, err)
	}
	return nil
}

func (l Layout) unmountLowers() {
	matches, _ := filepath.Glob(filepath.Join(l.Dir, "lower-*"))
	for _, m := range matches {
		_ = unix.Unmount(m, unix.MNT_DETACH)
	}
}

// Unmount removes the overlay mount and any idmapped lowers; it is fine to
// call on a layout that was never (or only partly) mounted.
func (l Layout) Unmount() error {
	l.unmountLowers()
	err := unix.Unmount(l.RootFS(), unix.MNT_DETACH)
	if err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("unmounting rootfs: %w", err)
	}
	return nil
}
