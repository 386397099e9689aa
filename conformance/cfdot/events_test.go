package cfdot_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"code.cloudfoundry.org/bbs/events"
	"code.cloudfoundry.org/bbs/models"

	"conformance/harness"
)

// syncBuffer is a goroutine-safe output buffer.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := strings.TrimRight(b.buf.String(), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// collector gathers event lines as upstream's cfdot would print them,
// read with upstream's own event sources.
type collector struct {
	mu    sync.Mutex
	lines []string
}

func (c *collector) add(s string) {
	c.mu.Lock()
	c.lines = append(c.lines, s)
	c.mu.Unlock()
}

func (c *collector) all() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.lines...)
}

// eventWatch runs cfdot lrp-events and task-events beside upstream event
// sources, so the printed streams can be compared.
type eventWatch struct {
	lrp, task       *exec.Cmd
	lrpOut, taskOut *syncBuffer
	lrpErr          *syncBuffer
	upLRP, upTask   collector
}

func contains(lines []string, parts ...string) bool {
	for _, l := range lines {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(l, p)
		}
		if ok {
			return true
		}
	}
	return false
}

func (e *env) startCfdot(t *testing.T, args ...string) (*exec.Cmd, *syncBuffer, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(harness.Binary(t, "cfdot"), args...)
	cmd.Env = append(os.Environ(), e.environ()...)
	out, errOut := &syncBuffer{}, &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, errOut
	must(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_, _ = cmd.Process.Wait()
	})
	return cmd, out, errOut
}

func (e *env) watchEvents(t *testing.T) *eventWatch {
	t.Helper()
	w := &eventWatch{}
	w.lrp, w.lrpOut, w.lrpErr = e.startCfdot(t, "lrp-events")
	w.task, w.taskOut, _ = e.startCfdot(t, "task-events")

	// Wait until both cfdot streams are subscribed: desire probes until
	// one of each shows up.
	deadline := time.Now().Add(30 * time.Second)
	for n := 0; ; n++ {
		guid := fmt.Sprintf("probe-%d", n)
		lrp := plainDesiredLRP(guid)
		lrp.Instances = 0
		must(t, e.bbs.DesireLRP(e.logger, "", lrp))
		must(t, e.bbs.DesireTask(e.logger, "", "task-"+guid, "probe", plainTaskDefinition()))
		time.Sleep(200 * time.Millisecond)
		if contains(w.lrpOut.lines(), `"process_guid":"probe-`) && contains(w.taskOut.lines(), `"task_guid":"task-probe-`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("cfdot event streams never printed a probe\nlrp-events stderr: %s", strings.Join(w.lrpErr.lines(), "\n"))
		}
	}

	//lint:ignore SA1019 cfdot still prints the deprecated group events
	groups, err := e.bbs.SubscribeToEvents(e.logger)
	must(t, err)
	instances, err := e.bbs.SubscribeToInstanceEvents(e.logger)
	must(t, err)
	tasks, err := e.bbs.SubscribeToTaskEvents(e.logger)
	must(t, err)
	for _, s := range []events.EventSource{groups, instances, tasks} {
		s := s
		t.Cleanup(func() { _ = s.Close() })
	}
	pump := func(src events.EventSource, into *collector, groupsOnly bool) {
		for {
			ev, err := src.Next()
			if err != nil {
				return
			}
			if groupsOnly {
				switch ev.EventType() {
				//lint:ignore SA1019 cfdot still prints the deprecated group events
				case models.EventTypeActualLRPCreated, models.EventTypeActualLRPChanged, models.EventTypeActualLRPRemoved:
				default:
					continue
				}
			}
			into.add(eventLine(t, ev))
		}
	}
	go pump(groups, &w.upLRP, true)
	go pump(instances, &w.upLRP, false)
	go pump(tasks, &w.upTask, false)
	e.mark(t, w, "start")
	return w
}

// eventLine is upstream cfdot's line for an event.
func eventLine(t *testing.T, ev models.Event) string {
	return upstreamLine(t, struct {
		Type string      `json:"type"`
		Data interface{} `json:"data"`
	}{ev.EventType(), ev})
}

// mark desires a marker LRP (no instances) and task and waits until both
// upstream's sources and cfdot have printed them.
func (e *env) mark(t *testing.T, w *eventWatch, name string) {
	t.Helper()
	lrp := plainDesiredLRP("marker-" + name)
	lrp.Instances = 0
	must(t, e.bbs.DesireLRP(e.logger, "", lrp))
	must(t, e.bbs.DesireTask(e.logger, "", "marker-task-"+name, "probe", plainTaskDefinition()))
	lrpMark, taskMark := `"process_guid":"marker-`+name+`"`, `"task_guid":"marker-task-`+name+`"`
	harness.Eventually(t, 30*time.Second, "marker "+name+" in every stream", func() bool {
		return contains(w.upLRP.all(), lrpMark) && contains(w.upTask.all(), taskMark) &&
			contains(w.lrpOut.lines(), lrpMark) && contains(w.taskOut.lines(), taskMark)
	})
}

// between returns the lines from the one holding from to the one holding
// to, inclusive.
func between(lines []string, from, to string) []string {
	start, end := -1, -1
	for i, l := range lines {
		if start < 0 && strings.Contains(l, from) {
			start = i
		}
		if strings.Contains(l, to) {
			end = i
		}
	}
	if start < 0 || end < start {
		return nil
	}
	out := append([]string(nil), lines[start:end+1]...)
	sort.Strings(out)
	return out
}

// churn makes the remaining event kinds: a desired LRP change, a desired
// LRP (with its actual LRP) removal, a task change and a task removal.
func (e *env) churn(t *testing.T) {
	t.Helper()
	l := e.logger
	update := &models.DesiredLRPUpdate{}
	update.SetAnnotation("churned")
	must(t, e.bbs.UpdateDesiredLRP(l, "", "plain", update))
	temp := plainDesiredLRP("temp")
	must(t, e.bbs.DesireLRP(l, "", temp))
	must(t, e.bbs.RemoveDesiredLRP(l, "", "temp"))
	must(t, e.bbs.ResolvingTask(l, "", "done-task"))
	must(t, e.bbs.DeleteTask(l, "", "done-task"))
}

func (w *eventWatch) compare(t *testing.T, e *env) {
	t.Helper()
	e.churn(t)
	e.mark(t, w, "end")
	for _, kind := range []string{"desired_lrp_changed", "desired_lrp_removed", "actual_lrp_removed", "actual_lrp_instance_removed", "actual_lrp_crashed"} {
		if !contains(w.lrpOut.lines(), `{"type":"`+kind+`"`) {
			t.Errorf("lrp-events printed no %s event", kind)
		}
	}
	for _, kind := range []string{"task_created", "task_changed", "task_removed"} {
		if !contains(w.taskOut.lines(), `{"type":"`+kind+`"`) {
			t.Errorf("task-events printed no %s event", kind)
		}
	}
	check := func(what string, cfdot, upstream []string, from, to string) {
		got, want := between(cfdot, from, to), between(upstream, from, to)
		if len(want) < 3 {
			t.Fatalf("%s: upstream saw only %d events", what, len(want))
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s differ\ncfdot:\n%s\nupstream:\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	check("lrp-events", w.lrpOut.lines(), w.upLRP.all(), `"process_guid":"marker-start"`, `"process_guid":"marker-end"`)
	check("task-events", w.taskOut.lines(), w.upTask.all(), `"task_guid":"marker-task-start"`, `"task_guid":"marker-task-end"`)

	if !contains(w.lrpErr.lines(), `Event types "actual_lrp_created", "actual_lrp_changed" and "actual_lrp_removed" are deprecated.`) {
		t.Errorf("lrp-events printed no deprecation warning: %q", w.lrpErr.lines())
	}
	for _, cmd := range []*exec.Cmd{w.lrp, w.task} {
		must(t, cmd.Process.Signal(syscall.SIGINT))
		if err := cmd.Wait(); err != nil {
			t.Errorf("%s after SIGINT: %v", strings.Join(cmd.Args[1:], " "), err)
		}
	}
}
