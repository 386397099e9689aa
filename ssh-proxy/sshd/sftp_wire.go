package sshd

import (
	"encoding/binary"
	"errors"
	"os"
	"syscall"
	"time"
)

// buf builds an SFTP packet body.
type buf struct{ b []byte }

func newBuf(typ byte) *buf { return &buf{b: []byte{typ}} }

func (b *buf) u32(v uint32) *buf { b.b = binary.BigEndian.AppendUint32(b.b, v); return b }
func (b *buf) u64(v uint64) *buf { b.b = binary.BigEndian.AppendUint64(b.b, v); return b }
func (b *buf) str(s string) *buf { b.u32(uint32(len(s))); b.b = append(b.b, s...); return b }

// attrs writes a file's attributes (an empty set for nil).
func (b *buf) attrs(info os.FileInfo) *buf {
	if info == nil {
		return b.u32(0)
	}
	flags := uint32(attrSize | attrPermissions | attrACModTime)
	st, hasStat := info.Sys().(*syscall.Stat_t)
	if hasStat {
		flags |= attrUIDGID
	}
	b.u32(flags).u64(uint64(info.Size()))
	if hasStat {
		b.u32(st.Uid).u32(st.Gid)
	}
	b.u32(unixMode(info.Mode()))
	return b.u32(uint32(accessTime(info).Unix())).u32(uint32(info.ModTime().Unix()))
}

// unixMode turns an fs.FileMode into st_mode bits.
func unixMode(m os.FileMode) uint32 {
	mode := uint32(m.Perm())
	switch {
	case m.IsDir():
		mode |= syscall.S_IFDIR
	case m&os.ModeSymlink != 0:
		mode |= syscall.S_IFLNK
	case m&os.ModeNamedPipe != 0:
		mode |= syscall.S_IFIFO
	case m&os.ModeSocket != 0:
		mode |= syscall.S_IFSOCK
	case m&os.ModeCharDevice != 0:
		mode |= syscall.S_IFCHR
	case m&os.ModeDevice != 0:
		mode |= syscall.S_IFBLK
	default:
		mode |= syscall.S_IFREG
	}
	if m&os.ModeSetuid != 0 {
		mode |= syscall.S_ISUID
	}
	if m&os.ModeSetgid != 0 {
		mode |= syscall.S_ISGID
	}
	if m&os.ModeSticky != 0 {
		mode |= syscall.S_ISVTX
	}
	return mode
}

// reader reads an SFTP packet body; the first failure sticks in err and
// later reads return zero values.
type reader struct {
	b   []byte
	err error
}

var errShort = errors.New("short sftp packet")

func (r *reader) u32() uint32 {
	if r.err != nil || len(r.b) < 4 {
		r.err = errShort
		return 0
	}
	v := binary.BigEndian.Uint32(r.b)
	r.b = r.b[4:]
	return v
}

func (r *reader) u64() uint64 {
	if r.err != nil || len(r.b) < 8 {
		r.err = errShort
		return 0
	}
	v := binary.BigEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

func (r *reader) str() string {
	n := r.u32()
	if r.err != nil || uint32(len(r.b)) < n {
		r.err = errShort
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// attrs is a decoded ATTRS structure.
type attrs struct {
	flags        uint32
	size         uint64
	uid, gid     uint32
	perm         uint32
	atime, mtime uint32
}

func readAttrs(r *reader) attrs {
	var a attrs
	a.flags = r.u32()
	if a.flags&attrSize != 0 {
		a.size = r.u64()
	}
	if a.flags&attrUIDGID != 0 {
		a.uid, a.gid = r.u32(), r.u32()
	}
	if a.flags&attrPermissions != 0 {
		a.perm = r.u32()
	}
	if a.flags&attrACModTime != 0 {
		a.atime, a.mtime = r.u32(), r.u32()
	}
	if a.flags&attrExtended != 0 {
		for n := r.u32(); n > 0 && r.err == nil; n-- {
			r.str()
			r.str()
		}
	}
	return a
}

// apply sets the attributes on path (through f when it is open).
func (a attrs) apply(path string, f *os.File) error {
	if a.flags&attrSize != 0 {
		var err error
		if f != nil {
			err = f.Truncate(int64(a.size))
		} else {
			err = os.Truncate(path, int64(a.size))
		}
		if err != nil {
			return err
		}
	}
	if a.flags&attrPermissions != 0 {
		if err := os.Chmod(path, os.FileMode(a.perm&0o777)|modeBits(a.perm)); err != nil {
			return err
		}
	}
	if a.flags&attrACModTime != 0 {
		if err := os.Chtimes(path, time.Unix(int64(a.atime), 0), time.Unix(int64(a.mtime), 0)); err != nil {
			return err
		}
	}
	if a.flags&attrUIDGID != 0 {
		if err := os.Lchown(path, int(a.uid), int(a.gid)); err != nil {
			return err
		}
	}
	return nil
}

func modeBits(perm uint32) os.FileMode {
	var m os.FileMode
	if perm&syscall.S_ISUID != 0 {
		m |= os.ModeSetuid
	}
	if perm&syscall.S_ISGID != 0 {
		m |= os.ModeSetgid
	}
	if perm&syscall.S_ISVTX != 0 {
		m |= os.ModeSticky
	}
	return m
}
