// Package applog owns app log lines on a cell: container stdout/stderr and
// the lines Diego itself writes about an app ("Cell X creating container
// for instance Y"). Streamers split output into lines (at most 61440 bytes
// each, as upstream) and hand them to a Sink: the loggregator agent (v2
// envelopes over mutual TLS gRPC, which also carry container metrics), one
// file per log guid under a directory, or the rep's own log.
package applog

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/executor/steps"
)

// MaxLineBytes is where long output is split into several lines.
const MaxLineBytes = 61440

// Line is one app log line.
type Line struct {
	Time       time.Time
	Guid       string
	Index      int
	SourceName string
	Stderr     bool
	Message    string
	Tags       map[string]string
}

// Sink receives app log lines. Implementations are safe for concurrent use.
type Sink interface {
	Emit(Line)
}

// String renders l as one text line (without the newline).
func (l Line) String() string {
	stream := "OUT"
	if l.Stderr {
		stream = "ERR"
	}
	return fmt.Sprintf("%s [%s/%d] %s %s", l.Time.UTC().Format(time.RFC3339Nano), l.SourceName, l.Index, stream, l.Message)
}

// FileSink appends each app's lines to <dir>/<guid>.log.
type FileSink struct {
	dir   string
	mu    sync.Mutex
	files map[string]*os.File
}

// NewFileSink returns a sink writing under dir (created if missing).
func NewFileSink(dir string) (*FileSink, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating app log dir: %w", err)
	}
	return &FileSink{dir: dir, files: map[string]*os.File{}}, nil
}

// Emit appends l to its app's file.
func (s *FileSink) Emit(l Line) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[l.Guid]
	if !ok {
		name := filepath.Base(l.Guid)
		if name == "" || name == "." || name == "/" {
			name = "unknown"
		}
		var err error
		f, err = os.OpenFile(filepath.Join(s.dir, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return
		}
		s.files[l.Guid] = f
	}
	f.WriteString(l.String() + "\n")
}

// Close closes every open file.
func (s *FileSink) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, f := range s.files {
		f.Close()
		delete(s.files, k)
	}
}

// LagerSink writes app log lines into a lager log as "app-log" entries.
type LagerSink struct{ Logger lager.Logger }

// Emit logs l.
func (s LagerSink) Emit(l Line) {
	s.Logger.Info("app-log", lager.Data{"guid": l.Guid, "index": l.Index, "source": l.SourceName,
		"stream": map[bool]string{false: "OUT", true: "ERR"}[l.Stderr], "message": l.Message})
}

// Streamer is a steps.Streamer for one app and log source.
var _ steps.Streamer = (*Streamer)(nil)

// Streamer writes one app's lines for one log source.
type Streamer struct {
	sink   Sink
	guid   string
	index  int
	source string
	tags   *sharedTags
	out    *lineWriter
	err    *lineWriter
}

// sharedTags are the tags of a streamer and of those derived from it with
// WithSource, so that UpdateTags reaches all of them.
type sharedTags struct {
	mu   sync.RWMutex
	tags map[string]string
}

func (t *sharedTags) get() map[string]string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.tags
}

// NewStreamer returns a streamer for app guid / instance index, writing
// with the given source name (e.g. "APP/PROC/WEB").
func NewStreamer(sink Sink, guid string, index int, source string, tags map[string]string) *Streamer {
	return newStreamer(sink, guid, index, source, &sharedTags{tags: tags})
}

func newStreamer(sink Sink, guid string, index int, source string, tags *sharedTags) *Streamer {
	s := &Streamer{sink: sink, guid: guid, index: index, source: source, tags: tags}
	s.out = &lineWriter{emit: s.emitter(false)}
	s.err = &lineWriter{emit: s.emitter(true)}
	return s
}

func (s *Streamer) emitter(stderr bool) func(string) {
	return func(msg string) {
		s.sink.Emit(Line{Time: time.Now(), Guid: s.guid, Index: s.index, SourceName: s.source,
			Stderr: stderr, Message: msg, Tags: s.tags.get()})
	}
}

// UpdateTags replaces the tags of this streamer and of every streamer
// derived from it (the rep's UpdateLRPInstance with new metric tags).
// The map is kept, not copied: callers must not change it afterwards.
func (s *Streamer) UpdateTags(tags map[string]string) {
	s.tags.mu.Lock()
	defer s.tags.mu.Unlock()
	s.tags.tags = tags
}

// Stdout is the standard output writer.
func (s *Streamer) Stdout() io.Writer { return s.out }

// Stderr is the standard error writer.
func (s *Streamer) Stderr() io.Writer { return s.err }

// SourceName is the log source.
func (s *Streamer) SourceName() string { return s.source }

// WithSource returns a streamer for another source of the same app.
func (s *Streamer) WithSource(name string) steps.Streamer {
	if name == "" {
		name = s.source
	}
	return newStreamer(s.sink, s.guid, s.index, name, s.tags)
}

// Flush emits partial lines.
func (s *Streamer) Flush() {
	s.out.flush()
	s.err.flush()
}

// Printf emits one stdout line (used for Diego's own lines).
func (s *Streamer) Printf(format string, args ...any) {
	s.emitter(false)(fmt.Sprintf(format, args...))
}

// Errorf emits one stderr line.
func (s *Streamer) Errorf(format string, args ...any) {
	s.emitter(true)(fmt.Sprintf(format, args...))
}

// lineWriter buffers bytes and emits complete lines.
type lineWriter struct {
	mu   sync.Mutex
	buf  []byte
	emit func(string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.emitLocked(w.buf[:i])
		w.buf = w.buf[i+1:]
	}
	for len(w.buf) >= MaxLineBytes {
		w.emit(string(w.buf[:MaxLineBytes]))
		w.buf = w.buf[MaxLineBytes:]
	}
	return len(p), nil
}

func (w *lineWriter) emitLocked(line []byte) {
	line = bytes.TrimSuffix(line, []byte("\r"))
	for len(line) > MaxLineBytes {
		w.emit(string(line[:MaxLineBytes]))
		line = line[MaxLineBytes:]
	}
	w.emit(string(line))
}

func (w *lineWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.emitLocked(w.buf)
		w.buf = nil
	}
}
