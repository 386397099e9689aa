package server_test

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"code.cloudfoundry.org/garden"

	"github.com/godiego/diego/garden/gardentest"
)

// syncBuffer is a bytes.Buffer safe to read while a process writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestSignalsAndExitCodes(t *testing.T) {
	client, _ := gardentest.Start(t, gardentest.Config(t))
	c, err := client.Create(garden.ContainerSpec{})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Destroy(c.Handle())

	for _, tc := range []struct {
		name   string
		script string
		signal garden.Signal
		want   int
	}{
		{"term-default", "echo ready; exec sleep 100", garden.SignalTerminate, 143},
		{"kill", "echo ready; exec sleep 100", garden.SignalKill, 137},
		{"term-trapped", "trap 'exit 42' TERM; echo ready; while true; do sleep 0.1; done", garden.SignalTerminate, 42},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := &syncBuffer{}
			p, err := c.Run(garden.ProcessSpec{Path: "sh", Args: []string{"-c", tc.script}}, garden.ProcessIO{Stdout: out})
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, "ready", func() bool { return strings.Contains(out.String(), "ready") })
			if err := p.Signal(tc.signal); err != nil {
				t.Fatal(err)
			}
			if code, err := p.Wait(); err != nil || code != tc.want {
				t.Fatalf("exit %d (%v), want %d", code, err, tc.want)
			}
		})
	}
	if r := gardentest.Run(t, c, "", "sh", "-c", "exit 7"); r.Code != 7 {
		t.Fatalf("exit %d, want 7", r.Code)
	}
}

func TestStdinAttachAndTTY(t *testing.T) {
	client, _ := gardentest.Start(t, gardentest.Config(t))
	c, err := client.Create(garden.ContainerSpec{})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Destroy(c.Handle())

	// stdin is streamed and its end closes the process's stdin.
	var out bytes.Buffer
	p, err := c.Run(garden.ProcessSpec{Path: "tr", Args: []string{"a-z", "A-Z"}}, garden.ProcessIO{Stdin: strings.NewReader("hello\n"), Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := p.Wait(); code != 0 || out.String() != "HELLO\n" {
		t.Fatalf("exit %d, out %q", code, out.String())
	}

	// Attach to a running process by ID.
	first := &syncBuffer{}
	p, err = c.Run(garden.ProcessSpec{ID: "ticker", Path: "sh", Args: []string{"-c", "for i in $(seq 1 30); do echo tick$i; sleep 0.1; done; exit 5"}},
		garden.ProcessIO{Stdout: first})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID() != "ticker" {
		t.Fatalf("process id %q", p.ID())
	}
	waitFor(t, "first tick", func() bool { return strings.Contains(first.String(), "tick1") })
	second := &syncBuffer{}
	attached, err := c.Attach("ticker", garden.ProcessIO{Stdout: second})
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := attached.Wait(); code != 5 {
		t.Fatalf("attached exit %d", code)
	}
	if !strings.Contains(second.String(), "tick30") {
		t.Fatalf("attached output %q", second.String())
	}
	if _, err := c.Attach("no-such-process", garden.ProcessIO{}); err == nil {
		t.Fatal("attaching to an unknown process succeeded")
	}

	// A TTY process sees a terminal with the requested size (runc applies
	// the size just after the process starts, hence the polling).
	tty := &syncBuffer{}
	p, err = c.Run(garden.ProcessSpec{
		Path: "sh", Args: []string{"-c", "test -t 0 && echo is-a-tty; for i in $(seq 1 50); do stty -a 2>/dev/null | grep -q 'rows 45' && break; sleep 0.1; done; stty -a | head -1"},
		TTY: &garden.TTYSpec{WindowSize: &garden.WindowSize{Columns: 123, Rows: 45}},
	}, garden.ProcessIO{Stdout: tty, Stdin: io.LimitReader(blockingReader{}, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := p.Wait(); code != 0 {
		t.Fatalf("tty exit %d: %q", code, tty.String())
	}
	if !strings.Contains(tty.String(), "is-a-tty") || !strings.Contains(tty.String(), "rows 45; columns 123") {
		t.Fatalf("tty output %q", tty.String())
	}

	// SetTTY resizes a running process's terminal.
	resized := &syncBuffer{}
	p, err = c.Run(garden.ProcessSpec{
		Path: "sh", Args: []string{"-c", "for i in $(seq 1 100); do stty -a | grep -q 'rows 30; columns 100' && echo resized && exit 0; sleep 0.1; done; exit 1"},
		TTY: &garden.TTYSpec{WindowSize: &garden.WindowSize{Columns: 80, Rows: 24}},
	}, garden.ProcessIO{Stdout: resized})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SetTTY(garden.TTYSpec{WindowSize: &garden.WindowSize{Columns: 100, Rows: 30}}); err != nil {
		t.Fatal(err)
	}
	if code, _ := p.Wait(); code != 0 || !strings.Contains(resized.String(), "resized") {
		t.Fatalf("resize not seen: exit %d, %q", code, resized.String())
	}
}

type blockingReader struct{}

func (blockingReader) Read(p []byte) (int, error) { select {} }
