package steps

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// fake is a leaf step: it becomes ready (unless notReady), then either
// returns err at once (exit) or blocks until cancelled.
type fake struct {
	err      error
	block    bool
	notReady bool
	delay    time.Duration
	runs     atomic.Int32
	canceled atomic.Bool
}

func (f *fake) Run(ctx context.Context, ready func()) error {
	f.runs.Add(1)
	if !f.notReady && ready != nil {
		ready()
	}
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			f.canceled.Store(true)
			return ErrCancelled
		}
	}
	if f.block {
		<-ctx.Done()
		f.canceled.Store(true)
		return ErrCancelled
	}
	return f.err
}

func exits(err error) *fake { return &fake{err: err} }
func blocks() *fake         { return &fake{block: true} }

// seq is a check factory whose n-th step returns results[n] (the last one repeats).
func seq(results ...error) (func() Step, *atomic.Int32) {
	var n atomic.Int32
	return func() Step {
		i := int(n.Add(1)) - 1
		if i >= len(results) {
			i = len(results) - 1
		}
		return exits(results[i])
	}, &n
}

type bufStreamer struct {
	mu     *sync.Mutex
	out    *bytes.Buffer
	errb   *bytes.Buffer
	source string
}

func newStreamer() *bufStreamer {
	return &bufStreamer{mu: &sync.Mutex{}, out: &bytes.Buffer{}, errb: &bytes.Buffer{}, source: "TEST"}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (b *bufStreamer) Stdout() io.Writer  { return lockedWriter{b.mu, b.out} }
func (b *bufStreamer) Stderr() io.Writer  { return lockedWriter{b.mu, b.errb} }
func (b *bufStreamer) SourceName() string { return b.source }
func (b *bufStreamer) Flush()             {}
func (b *bufStreamer) WithSource(name string) Streamer {
	c := *b
	if name != "" {
		c.source = name
	}
	return &c
}
func (b *bufStreamer) stdout() string { b.mu.Lock(); defer b.mu.Unlock(); return b.out.String() }
func (b *bufStreamer) stderr() string { b.mu.Lock(); defer b.mu.Unlock(); return b.errb.String() }

// run runs s in the background and reports readiness and the result.
type running struct {
	ready  chan struct{}
	done   chan error
	cancel context.CancelFunc
}

func start(s Step) *running {
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{ready: make(chan struct{}), done: make(chan error, 1), cancel: cancel}
	var o sync.Once
	go func() { r.done <- s.Run(ctx, func() { o.Do(func() { close(r.ready) }) }) }()
	return r
}

func (r *running) isReady() bool {
	select {
	case <-r.ready:
		return true
	default:
		return false
	}
}

func (r *running) wait() error {
	select {
	case err := <-r.done:
		return err
	case <-time.After(10 * time.Second):
		panic("step did not finish")
	}
}

var errBoom = errors.New("boom")

func contains(s, sub string) bool { return strings.Contains(s, sub) }
