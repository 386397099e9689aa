package handlers_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/bbs"
	"github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/bbs/sse"
	"github.com/godiego/diego/proto/models"
)

// next reads events until one named name arrives (10 s at most).
func next(t *testing.T, s *client.EventSource) client.Event {
	t.Helper()
	type res struct {
		ev  client.Event
		err error
	}
	ch := make(chan res, 1)
	go func() {
		ev, err := s.Next()
		ch <- res{ev, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatalf("next event: %v", r.err)
		}
		return r.ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10 s")
	}
	return client.Event{}
}

func expectNames(t *testing.T, s *client.EventSource, names ...string) []client.Event {
	t.Helper()
	var got []client.Event
	for _, want := range names {
		ev := next(t, s)
		if ev.Name != want {
			t.Fatalf("event %d: got %s, want %s", len(got), ev.Name, want)
		}
		got = append(got, ev)
	}
	return got
}

func TestInstanceStreamFollowsTheLifecycle(t *testing.T) {
	a := newAPI(t)
	s, err := a.client.SubscribeToInstanceEvents(ctx())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	eventually(t, "subscription", func() bool { return a.hub.Count() == 1 })

	if err := a.client.DesireLRP(ctx(), desiredLRP("pg", 1)); err != nil {
		t.Fatal(err)
	}
	expectNames(t, s, bbs.EventDesiredLRPCreated, bbs.EventActualLRPInstanceCreated)
	key, ik := lrpKey("pg", 0), instanceKey("ig-1", "cell-1")
	_ = a.client.ClaimActualLRP(ctx(), key, ik)
	_ = a.client.StartActualLRP(ctx(), key, ik, &models.ActualLRPNetInfo{Address: "1.2.3.4"}, nil, nil, true, "")
	evs := expectNames(t, s, bbs.EventActualLRPInstanceChanged, bbs.EventActualLRPInstanceChanged)
	if after := evs[1].Message.(*models.ActualLRPInstanceChangedEvent).After; after.State != models.ActualLRPStateRunning {
		t.Fatalf("second change is to %s", after.State)
	}
	// A crash that restarts at once drops the instance guid: remove + create, with the crash first.
	_ = a.client.CrashActualLRP(ctx(), key, ik, "oops")
	evs = expectNames(t, s, bbs.EventActualLRPCrashed, bbs.EventActualLRPInstanceCreated, bbs.EventActualLRPInstanceRemoved)
	if c := evs[0].Message.(*models.ActualLRPCrashedEvent); c.CrashReason != "oops" || c.ActualLrpInstanceKey.InstanceGuid != "ig-1" {
		t.Fatalf("crash event %v", c)
	}
	_ = a.client.RemoveDesiredLRP(ctx(), "pg")
	expectNames(t, s, bbs.EventDesiredLRPRemoved, bbs.EventActualLRPInstanceRemoved)
}

func TestCellFilteredStreamSkipsOtherCells(t *testing.T) {
	a := newAPI(t)
	if err := a.client.DesireLRP(ctx(), desiredLRP("pg", 2)); err != nil {
		t.Fatal(err)
	}
	s, err := a.client.SubscribeToInstanceEventsByCellID(ctx(), "cell-b")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	eventually(t, "subscription", func() bool { return a.hub.Count() == 1 })
	_ = a.client.ClaimActualLRP(ctx(), lrpKey("pg", 0), instanceKey("ig-a", "cell-a"))
	_ = a.client.ClaimActualLRP(ctx(), lrpKey("pg", 1), instanceKey("ig-b", "cell-b"))
	ev := next(t, s)
	if m, ok := ev.Message.(*models.ActualLRPInstanceChangedEvent); !ok || m.ActualLrpInstanceKey.CellId != "cell-b" {
		t.Fatalf("first event on cell-b stream: %s %v", ev.Name, ev.Message)
	}
}

func TestTaskAndGroupStreams(t *testing.T) {
	a := newAPI(t)
	tasks, err := a.client.SubscribeToTaskEvents(ctx())
	if err != nil {
		t.Fatal(err)
	}
	defer tasks.Close()
	groups, err := a.client.SubscribeToEvents(ctx())
	if err != nil {
		t.Fatal(err)
	}
	defer groups.Close()
	eventually(t, "subscriptions", func() bool { return a.hub.Count() == 2 })
	_ = a.client.DesireTask(ctx(), "t1", "d", taskDef())
	_, _ = a.client.StartTask(ctx(), "t1", "cell-1")
	expectNames(t, tasks, bbs.EventTaskCreated, bbs.EventTaskChanged)
	_ = a.client.DesireLRP(ctx(), desiredLRP("pg", 1))
	expectNames(t, groups, bbs.EventDesiredLRPCreated, bbs.EventActualLRPCreated)
}

func TestClientsThatGoAwayAreUnsubscribed(t *testing.T) {
	a := newAPI(t)
	s, err := a.client.SubscribeToTaskEvents(ctx())
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "subscription", func() bool { return a.hub.Count() == 1 })
	s.Close()
	eventually(t, "unsubscription", func() bool { return a.hub.Count() == 0 })
}

// TestWireFramingIsHandChunked reads the raw bytes of a stream.
func TestWireFramingIsHandChunked(t *testing.T) {
	a := newAPI(t)
	u, _ := url.Parse(a.url)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body, _ := proto.Marshal(&models.EventsByCellId{})
	fmt.Fprintf(conn, "POST /v1/events/tasks.r1 HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n\r\n%s", u.Host, len(body), body)
	r := bufio.NewReader(conn)
	var head bytes.Buffer
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		head.WriteString(line)
		if line == "\r\n" {
			break
		}
	}
	for _, want := range []string{"200 OK", "Content-Type: text/event-stream; charset=utf-8",
		"Cache-Control: no-cache, no-store, must-revalidate", "Connection: keep-alive", "Transfer-Encoding: chunked"} {
		if !strings.Contains(head.String(), want) {
			t.Fatalf("response head lacks %q:\n%s", want, head.String())
		}
	}
	eventually(t, "subscription", func() bool { return a.hub.Count() == 1 })
	_ = a.client.DesireTask(ctx(), "t1", "d", taskDef())
	size, err := r.ReadString('\n')
	if err != nil || !strings.HasSuffix(size, ";\r\n") {
		t.Fatalf("chunk size line %q %v", size, err)
	}
	var n int
	fmt.Sscanf(size, "%x;", &n)
	payload := make([]byte, n+2)
	if _, err := io.ReadFull(r, payload); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(payload), "id: 0\nevent: task_created\ndata: ") || !strings.HasSuffix(string(payload), "\n\n\r\n") {
		t.Fatalf("chunk payload %q", payload)
	}
}

// TestR0GroupStreamDowngradesDesiredLRPs reads the deprecated GET
// /v1/events stream, whose desired LRPs are V0 models.
func TestR0GroupStreamDowngradesDesiredLRPs(t *testing.T) {
	a := newAPI(t)
	body, _ := proto.Marshal(&models.EventsByCellId{})
	req, _ := http.NewRequest("GET", a.url+"/v1/events", bytes.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	eventually(t, "subscription", func() bool { return a.hub.Count() == 1 })
	d := desiredLRP("pg", 0)
	d.Action = models.WrapAction(models.Timeout(&models.RunAction{Path: "/bin/true", User: "vcap"}, 2*time.Second))
	d.StartTimeoutMs = 30000
	if err := a.client.DesireLRP(ctx(), d); err != nil {
		t.Fatal(err)
	}
	ev, err := sse.NewReader(resp.Body).Next()
	if err != nil || ev.Name != bbs.EventDesiredLRPCreated {
		t.Fatalf("event %v %v", ev, err)
	}
	msg, err := bbs.DecodeEvent(ev.Name, ev.Data)
	if err != nil {
		t.Fatal(err)
	}
	v0 := msg.(*models.DesiredLRPCreatedEvent).DesiredLrp
	if v0.DeprecatedStartTimeoutS != 30 || v0.Action.GetTimeoutAction().GetDeprecatedTimeoutNs() != int64(2*time.Second) {
		t.Fatalf("not downgraded to V0: %v", v0)
	}
}

// TestConcurrentClaimsYieldOneChange: of many cells racing to claim one
// instance, one wins, and the stream shows exactly that one change.
func TestConcurrentClaimsYieldOneChange(t *testing.T) {
	a := newAPI(t)
	if err := a.client.DesireLRP(ctx(), desiredLRP("pg", 1)); err != nil {
		t.Fatal(err)
	}
	s, err := a.client.SubscribeToInstanceEvents(ctx())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	eventually(t, "subscription", func() bool { return a.hub.Count() == 1 })
	var wg sync.WaitGroup
	wins := make(chan string, 10)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			cell := fmt.Sprintf("cell-%d", i)
			if a.client.ClaimActualLRP(ctx(), lrpKey("pg", 0), instanceKey("ig-"+cell, cell)) == nil {
				wins <- cell
			}
		}(i)
	}
	wg.Wait()
	close(wins)
	var winners []string
	for w := range wins {
		winners = append(winners, w)
	}
	if len(winners) != 1 {
		t.Fatalf("winners %v", winners)
	}
	// A marker change after the race: the next two events must be the
	// claim and then the marker, with nothing in between.
	_ = a.client.UpsertDomain(ctx(), "d", 0)
	_ = a.client.RemoveDesiredLRP(ctx(), "pg")
	ev := next(t, s)
	ch, ok := ev.Message.(*models.ActualLRPInstanceChangedEvent)
	if !ok || ch.ActualLrpInstanceKey.CellId != winners[0] || ch.After.State != models.ActualLRPStateClaimed {
		t.Fatalf("first event %s %v", ev.Name, ev.Message)
	}
	if ev := next(t, s); ev.Name != bbs.EventDesiredLRPRemoved {
		t.Fatalf("second event %s", ev.Name)
	}
}
