package sshd

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// A built-in SFTP version 3 server (draft-ietf-secsh-filexfer-02), so the
// sftp subsystem, and scp in its SFTP mode, work in containers that ship no
// sftp-server. Requests are served in order; file access is the daemon's.

const sftpVersion = 3

// Packet types.
const (
	fxpInit     = 1
	fxpVersion  = 2
	fxpOpen     = 3
	fxpClose    = 4
	fxpRead     = 5
	fxpWrite    = 6
	fxpLstat    = 7
	fxpFstat    = 8
	fxpSetstat  = 9
	fxpFsetstat = 10
	fxpOpendir  = 11
	fxpReaddir  = 12
	fxpRemove   = 13
	fxpMkdir    = 14
	fxpRmdir    = 15
	fxpRealpath = 16
	fxpStat     = 17
	fxpRename   = 18
	fxpReadlink = 19
	fxpSymlink  = 20
	fxpStatus   = 101
	fxpHandle   = 102
	fxpData     = 103
	fxpName     = 104
	fxpAttrs    = 105
)

// Status codes.
const (
	fxOK               = 0
	fxEOF              = 1
	fxNoSuchFile       = 2
	fxPermissionDenied = 3
	fxFailure          = 4
	fxBadMessage       = 5
	fxOpUnsupported    = 8
)

// Attribute flags and open flags.
const (
	attrSize        = 0x1
	attrUIDGID      = 0x2
	attrPermissions = 0x4
	attrACModTime   = 0x8
	attrExtended    = 0x80000000

	openRead   = 0x1
	openWrite  = 0x2
	openAppend = 0x4
	openCreate = 0x8
	openTrunc  = 0x10
	openExcl   = 0x20
)

const maxSFTPPacket = 256 * 1024

type sftpServer struct {
	rw      io.ReadWriter
	handles map[string]*sftpHandle
	next    uint64
}

type sftpHandle struct {
	file    *os.File
	append  bool
	dir     string
	entries []os.DirEntry // remaining directory entries; nil until first read
	listed  bool
}

// serveSFTP runs the SFTP protocol on rw until the client closes it.
func serveSFTP(rw io.ReadWriter) error {
	s := &sftpServer{rw: rw, handles: map[string]*sftpHandle{}}
	defer s.closeAll()
	for {
		pkt, err := s.readPacket()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if err := s.dispatch(pkt); err != nil {
			return err
		}
	}
}

func (s *sftpServer) readPacket() ([]byte, error) {
	var length uint32
	if err := binary.Read(s.rw, binary.BigEndian, &length); err != nil {
		return nil, err
	}
	if length == 0 || length > maxSFTPPacket {
		return nil, fmt.Errorf("sftp packet of %d bytes", length)
	}
	pkt := make([]byte, length)
	_, err := io.ReadFull(s.rw, pkt)
	return pkt, err
}

func (s *sftpServer) send(b *buf) error {
	out := make([]byte, 4, 4+len(b.b))
	binary.BigEndian.PutUint32(out, uint32(len(b.b)))
	_, err := s.rw.Write(append(out, b.b...))
	return err
}

func (s *sftpServer) dispatch(pkt []byte) error {
	r := &reader{b: pkt[1:]}
	typ := pkt[0]
	if typ == fxpInit {
		return s.send(newBuf(fxpVersion).u32(sftpVersion))
	}
	id := r.u32()
	if r.err != nil {
		return s.status(id, fxBadMessage, "short packet")
	}
	switch typ {
	case fxpOpen:
		return s.open(id, r.str(), r.u32(), readAttrs(r), r.err)
	case fxpClose:
		h := r.str()
		hd, ok := s.handles[h]
		if !ok {
			return s.status(id, fxFailure, "invalid handle")
		}
		delete(s.handles, h)
		if hd.file != nil {
			return s.errStatus(id, hd.file.Close())
		}
		return s.status(id, fxOK, "")
	case fxpRead:
		return s.read(id, r.str(), r.u64(), r.u32())
	case fxpWrite:
		h, off, data := r.str(), r.u64(), r.str()
		hd, ok := s.handles[h]
		if !ok || hd.file == nil || r.err != nil {
			return s.status(id, fxFailure, "invalid handle")
		}
		var err error
		if hd.append {
			_, err = hd.file.Write([]byte(data)) // O_APPEND files take no offsets
		} else {
			_, err = hd.file.WriteAt([]byte(data), int64(off))
		}
		return s.errStatus(id, err)
	case fxpLstat, fxpStat:
		p := r.str()
		stat := os.Stat
		if typ == fxpLstat {
			stat = os.Lstat
		}
		info, err := stat(p)
		if err != nil {
			return s.errStatus(id, err)
		}
		return s.send(newBuf(fxpAttrs).u32(id).attrs(info))
	case fxpFstat:
		hd, ok := s.handles[r.str()]
		if !ok || hd.file == nil {
			return s.status(id, fxFailure, "invalid handle")
		}
		info, err := hd.file.Stat()
		if err != nil {
			return s.errStatus(id, err)
		}
		return s.send(newBuf(fxpAttrs).u32(id).attrs(info))
	case fxpSetstat:
		p := r.str()
		a := readAttrs(r)
		return s.errStatus(id, a.apply(p, nil))
	case fxpFsetstat:
		hd, ok := s.handles[r.str()]
		a := readAttrs(r)
		if !ok || hd.file == nil {
			return s.status(id, fxFailure, "invalid handle")
		}
		return s.errStatus(id, a.apply(hd.file.Name(), hd.file))
	case fxpOpendir:
		p := r.str()
		info, err := os.Stat(p)
		if err != nil {
			return s.errStatus(id, err)
		}
		if !info.IsDir() {
			return s.status(id, fxFailure, p+" is not a directory")
		}
		return s.sendHandle(id, &sftpHandle{dir: p})
	case fxpReaddir:
		return s.readdir(id, r.str())
	case fxpRemove:
		p := r.str()
		if info, err := os.Lstat(p); err == nil && info.IsDir() {
			return s.status(id, fxFailure, p+" is a directory")
		}
		return s.errStatus(id, os.Remove(p))
	case fxpMkdir:
		p := r.str()
		a := readAttrs(r)
		mode := os.FileMode(0o755)
		if a.flags&attrPermissions != 0 {
			mode = os.FileMode(a.perm & 0o7777)
		}
		return s.errStatus(id, os.Mkdir(p, mode))
	case fxpRmdir:
		return s.errStatus(id, syscall.Rmdir(r.str()))
	case fxpRealpath:
		p := r.str()
		if p == "" {
			p = "."
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return s.errStatus(id, err)
		}
		return s.send(newBuf(fxpName).u32(id).u32(1).str(abs).str(abs).u32(0))
	case fxpRename:
		from, to := r.str(), r.str()
		if _, err := os.Lstat(to); err == nil {
			return s.status(id, fxFailure, to+" exists")
		}
		return s.errStatus(id, os.Rename(from, to))
	case fxpReadlink:
		target, err := os.Readlink(r.str())
		if err != nil {
			return s.errStatus(id, err)
		}
		return s.send(newBuf(fxpName).u32(id).u32(1).str(target).str(target).u32(0))
	case fxpSymlink:
		// OpenSSH sends (target, link) in the opposite order to the draft.
		target, link := r.str(), r.str()
		return s.errStatus(id, os.Symlink(target, link))
	}
	return s.status(id, fxOpUnsupported, "unsupported request "+strconv.Itoa(int(typ)))
}

func (s *sftpServer) open(id uint32, path string, pflags uint32, a attrs, err error) error {
	if err != nil {
		return s.status(id, fxBadMessage, "malformed open")
	}
	var flags int
	switch {
	case pflags&openRead != 0 && pflags&openWrite != 0:
		flags = os.O_RDWR
	case pflags&openWrite != 0:
		flags = os.O_WRONLY
	default:
		flags = os.O_RDONLY
	}
	if pflags&openAppend != 0 {
		flags |= os.O_APPEND
	}
	if pflags&openCreate != 0 {
		flags |= os.O_CREATE
	}
	if pflags&openTrunc != 0 {
		flags |= os.O_TRUNC
	}
	if pflags&openExcl != 0 {
		flags |= os.O_EXCL
	}
	mode := os.FileMode(0o644)
	if a.flags&attrPermissions != 0 {
		mode = os.FileMode(a.perm & 0o777)
	}
	f, err := os.OpenFile(path, flags, mode)
	if err != nil {
		return s.errStatus(id, err)
	}
	return s.sendHandle(id, &sftpHandle{file: f, append: flags&os.O_APPEND != 0})
}

func (s *sftpServer) sendHandle(id uint32, h *sftpHandle) error {
	s.next++
	key := strconv.FormatUint(s.next, 10)
	s.handles[key] = h
	return s.send(newBuf(fxpHandle).u32(id).str(key))
}

func (s *sftpServer) read(id uint32, handle string, offset uint64, length uint32) error {
	hd, ok := s.handles[handle]
	if !ok || hd.file == nil {
		return s.status(id, fxFailure, "invalid handle")
	}
	if length > maxSFTPPacket-64 {
		length = maxSFTPPacket - 64
	}
	data := make([]byte, length)
	n, err := hd.file.ReadAt(data, int64(offset))
	if n == 0 && err != nil {
		if errors.Is(err, io.EOF) {
			return s.status(id, fxEOF, "EOF")
		}
		return s.errStatus(id, err)
	}
	return s.send(newBuf(fxpData).u32(id).str(string(data[:n])))
}

func (s *sftpServer) readdir(id uint32, handle string) error {
	hd, ok := s.handles[handle]
	if !ok || hd.dir == "" {
		return s.status(id, fxFailure, "invalid handle")
	}
	if !hd.listed {
		entries, err := os.ReadDir(hd.dir)
		if err != nil {
			return s.errStatus(id, err)
		}
		hd.entries, hd.listed = entries, true
	}
	if len(hd.entries) == 0 {
		return s.status(id, fxEOF, "EOF")
	}
	batch := hd.entries
	if len(batch) > 100 {
		batch = batch[:100]
	}
	hd.entries = hd.entries[len(batch):]
	b := newBuf(fxpName).u32(id).u32(uint32(len(batch)))
	for _, e := range batch {
		info, err := os.Lstat(filepath.Join(hd.dir, e.Name()))
		if err != nil {
			info = nil
		}
		b.str(e.Name()).str(longName(e.Name(), info)).attrs(info)
	}
	return s.send(b)
}

func (s *sftpServer) status(id, code uint32, msg string) error {
	return s.send(newBuf(fxpStatus).u32(id).u32(code).str(msg).str("en"))
}

// errStatus maps an OS error to a status reply (nil: OK).
func (s *sftpServer) errStatus(id uint32, err error) error {
	switch {
	case err == nil:
		return s.status(id, fxOK, "")
	case errors.Is(err, fs.ErrNotExist):
		return s.status(id, fxNoSuchFile, err.Error())
	case errors.Is(err, fs.ErrPermission):
		return s.status(id, fxPermissionDenied, err.Error())
	}
	return s.status(id, fxFailure, err.Error())
}

func (s *sftpServer) closeAll() {
	for _, h := range s.handles {
		if h.file != nil {
			_ = h.file.Close()
		}
	}
}

// longName is the `ls -l` style line some clients print.
func longName(name string, info os.FileInfo) string {
	if info == nil {
		return name
	}
	var nlink uint64 = 1
	uid, gid := "0", "0"
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		nlink, uid, gid = uint64(st.Nlink), strconv.Itoa(int(st.Uid)), strconv.Itoa(int(st.Gid))
	}
	stamp := info.ModTime().Format("Jan _2 15:04")
	if time.Since(info.ModTime()) > 180*24*time.Hour {
		stamp = info.ModTime().Format("Jan _2  2006")
	}
	return fmt.Sprintf("%s %4d %-8s %-8s %8d %s %s", info.Mode().String(), nlink, uid, gid, info.Size(), stamp, name)
}
