package sshd

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY allocates a pseudo-terminal pair the way posix_openpt(3),
// grantpt(3), unlockpt(3) and ptsname(3) do, without cgo.
func openPTY() (master, slave *os.File, err error) {
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("opening /dev/ptmx: %w", err)
	}
	master = os.NewFile(uintptr(fd), "/dev/ptmx")
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("unlocking pty: %w", err)
	}
	n, err := unix.IoctlGetUint32(fd, unix.TIOCGPTN)
	if err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("reading pty number: %w", err)
	}
	name := "/dev/pts/" + strconv.FormatUint(uint64(n), 10)
	sfd, err := unix.Open(name, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("opening %s: %w", name, err)
	}
	return master, os.NewFile(uintptr(sfd), name), nil
}

// setWindowSize sets the terminal size in character cells (and pixels).
func setWindowSize(tty *os.File, columns, rows, widthPx, heightPx uint32) error {
	return unix.IoctlSetWinsize(int(tty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{
		Col: clamp16(columns), Row: clamp16(rows), Xpixel: clamp16(widthPx), Ypixel: clamp16(heightPx),
	})
}

func clamp16(v uint32) uint16 {
	if v > 0xffff {
		return 0xffff
	}
	return uint16(v)
}

// Terminal mode opcodes of RFC 4254 section 8 that map to Linux termios.
var (
	modeChars = map[byte]int{
		1: unix.VINTR, 2: unix.VQUIT, 3: unix.VERASE, 4: unix.VKILL, 5: unix.VEOF, 6: unix.VEOL,
		7: unix.VEOL2, 8: unix.VSTART, 9: unix.VSTOP, 10: unix.VSUSP, 12: unix.VREPRINT,
		13: unix.VWERASE, 14: unix.VLNEXT, 18: unix.VDISCARD,
	}
	modeIflag = map[byte]uint32{
		30: unix.IGNPAR, 31: unix.PARMRK, 32: unix.INPCK, 33: unix.ISTRIP, 34: unix.INLCR, 35: unix.IGNCR,
		36: unix.ICRNL, 37: unix.IUCLC, 38: unix.IXON, 39: unix.IXANY, 40: unix.IXOFF, 41: unix.IMAXBEL,
		42: unix.IUTF8,
	}
	modeLflag = map[byte]uint32{
		50: unix.ISIG, 51: unix.ICANON, 52: unix.XCASE, 53: unix.ECHO, 54: unix.ECHOE, 55: unix.ECHOK,
		56: unix.ECHONL, 57: unix.NOFLSH, 58: unix.TOSTOP, 59: unix.IEXTEN, 60: unix.ECHOCTL,
		61: unix.ECHOKE, 62: unix.PENDIN,
	}
	modeOflag = map[byte]uint32{
		70: unix.OPOST, 71: unix.OLCUC, 72: unix.ONLCR, 73: unix.OCRNL, 74: unix.ONOCR, 75: unix.ONLRET,
	}
	modeCflag = map[byte]uint32{90: unix.CS7, 91: unix.CS8, 92: unix.PARENB, 93: unix.PARODD}
)

// ttyOpEnd ends a modelist.
const ttyOpEnd = 0

// applyModes sets the terminal modes encoded in a pty-req's modelist
// (opcode byte, uint32 value; 0 ends it). Unknown opcodes are skipped; the
// returned error reports a malformed list or a failed ioctl.
func applyModes(tty *os.File, modelist []byte) error {
	if len(modelist) == 0 {
		return nil
	}
	fd := int(tty.Fd())
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return fmt.Errorf("reading terminal attributes: %w", err)
	}
	r := bytes.NewReader(modelist)
	for {
		op, err := r.ReadByte()
		if err != nil || op == ttyOpEnd || op >= 160 {
			break
		}
		var value uint32
		if err := binary.Read(r, binary.BigEndian, &value); err != nil {
			return fmt.Errorf("truncated terminal mode %d", op)
		}
		set := func(flags *uint32, bit uint32) {
			if value != 0 {
				*flags |= bit
			} else {
				*flags &^= bit
			}
		}
		if idx, ok := modeChars[op]; ok {
			t.Cc[idx] = uint8(value)
		} else if bit, ok := modeIflag[op]; ok {
			set(&t.Iflag, bit)
		} else if bit, ok := modeLflag[op]; ok {
			set(&t.Lflag, bit)
		} else if bit, ok := modeOflag[op]; ok {
			set(&t.Oflag, bit)
		} else if bit, ok := modeCflag[op]; ok {
			if bit == unix.CS7 || bit == unix.CS8 {
				if value != 0 {
					t.Cflag = t.Cflag&^unix.CSIZE | bit
				}
			} else {
				set(&t.Cflag, bit)
			}
		}
		// Speeds (128, 129) mean nothing to a pseudo-terminal; skipped.
	}
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, t); err != nil {
		return fmt.Errorf("setting terminal attributes: %w", err)
	}
	return nil
}

// accessTime is a file's last access time.
func accessTime(info os.FileInfo) time.Time {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return time.Unix(st.Atim.Unix())
	}
	return info.ModTime()
}
