package applog

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

type memSink struct {
	mu    sync.Mutex
	lines []Line
}

func (m *memSink) Emit(l Line) { m.mu.Lock(); m.lines = append(m.lines, l); m.mu.Unlock() }

func TestStreamerSplitsLinesAndFlushes(t *testing.T) {
	sink := &memSink{}
	s := NewStreamer(sink, "app", 2, "APP/PROC/WEB", nil)
	fmt.Fprint(s.Stdout(), "one\ntw")
	fmt.Fprint(s.Stdout(), "o\r\nthree")
	fmt.Fprint(s.Stderr(), strings.Repeat("x", MaxLineBytes+5)+"\n")
	s.Flush()
	var got []string
	for _, l := range sink.lines {
		got = append(got, fmt.Sprintf("%v:%d", l.Stderr, len(l.Message)))
	}
	want := "false:3 false:3 true:61440 true:5 false:5"
	if strings.Join(got, " ") != want {
		t.Fatalf("got %v", got)
	}
	if sink.lines[2].SourceName != "APP/PROC/WEB" || sink.lines[0].Index != 2 {
		t.Fatal("source or index lost")
	}
	h := s.WithSource("HEALTH").(*Streamer)
	h.Printf("Container became healthy")
	if sink.lines[len(sink.lines)-1].SourceName != "HEALTH" {
		t.Fatal("WithSource ignored")
	}
}

func TestFileSinkWritesPerGuid(t *testing.T) {
	dir := t.TempDir()
	sink, err := NewFileSink(dir)
	if err != nil {
		t.Fatal(err)
	}
	NewStreamer(sink, "guid-a", 0, "CELL", nil).Printf("Cell c1 creating container for instance i1")
	NewStreamer(sink, "guid-b", 1, "APP", nil).Errorf("oops")
	sink.Close()
	a, _ := os.ReadFile(filepath.Join(dir, "guid-a.log"))
	b, _ := os.ReadFile(filepath.Join(dir, "guid-b.log"))
	if !strings.Contains(string(a), "[CELL/0] OUT Cell c1 creating container for instance i1\n") ||
		!strings.Contains(string(b), "[APP/1] ERR oops\n") {
		t.Fatalf("a=%q b=%q", a, b)
	}
}
