package sshd

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// A built-in server side of the legacy scp protocol (`scp -t` / `scp -f`),
// as upstream has, so `scp -O` and older clients work in containers without
// an scp binary. Exec commands matching scpCommand are served here instead
// of by the shell.

var scpCommand = regexp.MustCompile(`^\s*scp($|\s+)`)

type scpOptions struct {
	source, target bool // -f, -t
	targetIsDir    bool // -d
	preserve       bool // -p
	recursive      bool // -r
	paths          []string
}

// parseSCP reads an scp command line as the client sends it.
func parseSCP(command string) (scpOptions, error) {
	var o scpOptions
	words, err := splitWords(command)
	if err != nil {
		return o, err
	}
	if len(words) == 0 || words[0] != "scp" {
		return o, errors.New("not an scp command")
	}
	args := words[1:]
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "-" {
		flagArg := args[0]
		args = args[1:]
		if flagArg == "--" {
			break
		}
		for _, f := range flagArg[1:] {
			switch f {
			case 'f':
				o.source = true
			case 't':
				o.target = true
			case 'd':
				o.targetIsDir = true
			case 'p':
				o.preserve = true
			case 'r':
				o.recursive = true
			case 'v', 'q':
			default:
				return o, fmt.Errorf("unsupported scp option -%c", f)
			}
		}
	}
	o.paths = args
	switch {
	case o.source == o.target:
		return o, errors.New("Must specify either target mode(-t) or source mode(-f) at a time")
	case o.source && len(o.paths) == 0:
		return o, errors.New("Must specify at least one source in source mode")
	case o.target && len(o.paths) != 1:
		return o, errors.New("Must specify one target in target mode")
	}
	return o, nil
}

// splitWords splits a command line as a POSIX shell would, honouring
// single quotes, double quotes and backslashes (no expansions).
func splitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord, quote := false, rune(0)
	runes := []rune(s)
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		switch {
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case quote == '"':
			if r == '"' {
				quote = 0
			} else if r == '\\' && i+1 < len(runes) && strings.ContainsRune(`"\$`+"`", runes[i+1]) {
				i++
				cur.WriteRune(runes[i])
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == '\\' && i+1 < len(runes):
			i++
			cur.WriteRune(runes[i])
			inWord = true
		case r == ' ' || r == '\t' || r == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, errors.New("unterminated quote")
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// scpConn speaks the protocol over the session's stdin and stdout.
type scpConn struct {
	r    *bufio.Reader
	w    io.Writer
	opts scpOptions
}

// runSCP serves one scp command and returns its error (exit status 1).
func runSCP(command string, stdin io.Reader, stdout io.Writer) error {
	opts, err := parseSCP(command)
	if err != nil {
		return err
	}
	c := &scpConn{r: bufio.NewReader(stdin), w: stdout, opts: opts}
	if opts.source {
		return c.serveSource()
	}
	target := opts.paths[0]
	info, err := os.Stat(target)
	isDir := err == nil && info.IsDir()
	if opts.targetIsDir && !isDir {
		c.warn(target + ": target is not a directory")
		return errors.New("target is not a directory")
	}
	if err := c.ok(); err != nil {
		return err
	}
	err = c.sink(target, isDir, false)
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

func (c *scpConn) ok() error { _, err := c.w.Write([]byte{0}); return err }

// warn reports a problem to the client, which prints it and carries on.
func (c *scpConn) warn(msg string) { _, _ = fmt.Fprintf(c.w, "\x01scp: %s\n", msg) }

// readAck reads the peer's reply to a message or transfer.
func (c *scpConn) readAck() error {
	b, err := c.r.ReadByte()
	if err != nil {
		return err
	}
	if b == 0 {
		return nil
	}
	msg, _ := c.r.ReadString('\n')
	return fmt.Errorf("scp peer: %s", strings.TrimSpace(msg))
}

// sink receives files into target until the matching E (nested) or the
// end of input (top level, reported as io.EOF).
func (c *scpConn) sink(target string, targetIsDir, nested bool) error {
	var times *[2]time.Time
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			if nested {
				return io.ErrUnexpectedEOF
			}
			return io.EOF
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			return errors.New("empty scp message")
		}
		switch line[0] {
		case 1, 2:
			if line[0] == 2 {
				return errors.New(line[1:])
			}
			continue
		case 'E':
			if !nested {
				c.warn("unexpected end of directory")
				return errors.New("unexpected E")
			}
			return c.ok()
		case 'T':
			var mtime, atime int64
			var mus, aus int64
			if _, err := fmt.Sscanf(line, "T%d %d %d %d", &mtime, &mus, &atime, &aus); err != nil {
				c.warn("protocol error: " + line)
				return err
			}
			times = &[2]time.Time{time.Unix(atime, aus*1000), time.Unix(mtime, mus*1000)}
			if err := c.ok(); err != nil {
				return err
			}
			continue
		case 'C', 'D':
		default:
			c.warn("protocol error: unexpected message " + strconv.Quote(line))
			return errors.New("unexpected scp message")
		}

		mode, size, name, err := parseCopyLine(line)
		if err != nil {
			c.warn(err.Error())
			return err
		}
		path := target
		if targetIsDir {
			path = filepath.Join(target, name)
		}
		if line[0] == 'D' {
			if !c.opts.recursive {
				c.warn("received directory without -r")
				return errors.New("directory without -r")
			}
			if err := os.Mkdir(path, mode|0o700); err != nil && !errors.Is(err, os.ErrExist) {
				c.warn(err.Error())
				return err
			}
			if err := c.ok(); err != nil {
				return err
			}
			if err := c.sink(path, true, true); err != nil {
				return err
			}
			c.finishAttrs(path, mode, times)
		} else if err := c.receiveFile(path, mode, size); err != nil {
			return err
		} else {
			c.finishAttrs(path, mode, times)
			if err := c.ok(); err != nil {
				return err
			}
		}
		times = nil
	}
}

// parseCopyLine reads "C0644 12 name" or "D0755 0 name".
func parseCopyLine(line string) (os.FileMode, int64, string, error) {
	fields := strings.SplitN(line[1:], " ", 3)
	if len(fields) != 3 {
		return 0, 0, "", fmt.Errorf("protocol error: %q", line)
	}
	mode, err1 := strconv.ParseUint(fields[0], 8, 32)
	size, err2 := strconv.ParseInt(fields[1], 10, 64)
	name := fields[2]
	if err1 != nil || err2 != nil || size < 0 {
		return 0, 0, "", fmt.Errorf("protocol error: %q", line)
	}
	if name == "" || name == "." || name == ".." || strings.Contains(name, "/") {
		return 0, 0, "", fmt.Errorf("unexpected filename: %s", name)
	}
	return os.FileMode(mode) & os.ModePerm, size, name, nil
}

func (c *scpConn) receiveFile(path string, mode os.FileMode, size int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		c.warn(err.Error())
		return err
	}
	defer f.Close()
	if err := c.ok(); err != nil {
		return err
	}
	if _, err := io.CopyN(f, c.r, size); err != nil {
		return err
	}
	return c.readAck()
}

// finishAttrs applies -p's mode and times to a received file or directory.
func (c *scpConn) finishAttrs(path string, mode os.FileMode, times *[2]time.Time) {
	if !c.opts.preserve {
		return
	}
	_ = os.Chmod(path, mode)
	if times != nil {
		_ = os.Chtimes(path, times[0], times[1])
	}
}

// serveSource sends the named files (glob patterns allowed) to the client.
func (c *scpConn) serveSource() error {
	if err := c.readAck(); err != nil {
		return err
	}
	var lastErr error
	for _, pattern := range c.opts.paths {
		matches, err := filepath.Glob(pattern)
		if err != nil || len(matches) == 0 {
			matches = []string{pattern}
		}
		for _, path := range matches {
			if err := c.send(path); err != nil {
				lastErr = err
			}
		}
	}
	return lastErr
}

func (c *scpConn) send(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		c.warn(err.Error())
		return err
	}
	if info.IsDir() && !c.opts.recursive {
		err := fmt.Errorf("%s: not a regular file", filepath.Base(path))
		c.warn(err.Error())
		return err
	}
	if c.opts.preserve {
		atime := info.ModTime()
		if _, err := fmt.Fprintf(c.w, "T%d 0 %d 0\n", info.ModTime().Unix(), atime.Unix()); err != nil {
			return err
		}
		if err := c.readAck(); err != nil {
			return err
		}
	}
	if info.IsDir() {
		return c.sendDir(path, info)
	}
	f, err := os.Open(path)
	if err != nil {
		c.warn(err.Error())
		return err
	}
	defer f.Close()
	if _, err := fmt.Fprintf(c.w, "C%04o %d %s\n", info.Mode().Perm(), info.Size(), info.Name()); err != nil {
		return err
	}
	if err := c.readAck(); err != nil {
		return err
	}
	if _, err := io.CopyN(c.w, f, info.Size()); err != nil {
		return err
	}
	if err := c.ok(); err != nil {
		return err
	}
	return c.readAck()
}

func (c *scpConn) sendDir(path string, info os.FileInfo) error {
	if _, err := fmt.Fprintf(c.w, "D%04o 0 %s\n", info.Mode().Perm(), info.Name()); err != nil {
		return err
	}
	if err := c.readAck(); err != nil {
		return err
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		c.warn(err.Error())
		return err
	}
	var lastErr error
	for _, e := range entries {
		if err := c.send(filepath.Join(path, e.Name())); err != nil {
			lastErr = err
		}
	}
	if _, err := io.WriteString(c.w, "E\n"); err != nil {
		return err
	}
	if err := c.readAck(); err != nil {
		return err
	}
	return lastErr
}
