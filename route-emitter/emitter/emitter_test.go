package emitter

import (
	"encoding/json"
	"net"
	"os"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/godiego/diego/route-emitter/routingtable"
)

// connect returns a connection to the NATS at 127.0.0.1:4222, or to an
// embedded server when none runs there (unless services are required).
func connect(t testing.TB) *nats.Conn {
	t.Helper()
	url := "nats://127.0.0.1:4222"
	if c, err := net.DialTimeout("tcp", "127.0.0.1:4222", time.Second); err == nil {
		c.Close()
	} else {
		if os.Getenv("DIEGO_TEST_REQUIRE_SQL") == "1" {
			t.Fatalf("NATS is required but not reachable on 127.0.0.1:4222: %v", err)
		}
		t.Log("NATS not running on 127.0.0.1:4222: using an embedded server")
		srv, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
		if err != nil {
			t.Fatal(err)
		}
		go srv.Start()
		if !srv.ReadyForConnections(5 * time.Second) {
			t.Fatal("embedded NATS did not start")
		}
		t.Cleanup(srv.Shutdown)
		url = srv.ClientURL()
	}
	conn, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	return conn
}

func collect(t *testing.T, conn *nats.Conn, subject string) <-chan *nats.Msg {
	t.Helper()
	ch := make(chan *nats.Msg, 64)
	sub, err := conn.ChanSubscribe(subject, ch)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	if err := conn.Flush(); err != nil {
		t.Fatal(err)
	}
	return ch
}

func next(t *testing.T, ch <-chan *nats.Msg) *nats.Msg {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no message within 5s")
		return nil
	}
}

func TestEmitPublishesOnUpstreamSubjects(t *testing.T) {
	conn := connect(t)
	reg := collect(t, conn, RouterRegister)
	unreg := collect(t, conn, RouterUnregister)
	sdReg := collect(t, conn, ServiceDiscoveryRegister)

	msg := routingtable.RegistryMessage{Host: "10.0.0.1", Port: 61001, URIs: []string{"a.example.com"}, App: "log", Tags: map[string]string{"component": "route-emitter"}}
	internal := routingtable.RegistryMessage{Host: "10.254.0.2", URIs: []string{"i", "0.i"}}
	e := NewNATSEmitter(conn, true)
	err := e.Emit(routingtable.Messages{
		Registrations:         []routingtable.RegistryMessage{msg},
		Unregistrations:       []routingtable.RegistryMessage{msg},
		InternalRegistrations: []routingtable.RegistryMessage{internal},
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.Flush()
	want := `{"host":"10.0.0.1","port":61001,"uris":["a.example.com"],"app":"log","tags":{"component":"route-emitter"}}`
	if got := string(next(t, reg).Data); got != want {
		t.Fatalf("register body %s", got)
	}
	if got := string(next(t, unreg).Data); got != want {
		t.Fatalf("unregister body %s", got)
	}
	var sd routingtable.RegistryMessage
	if err := json.Unmarshal(next(t, sdReg).Data, &sd); err != nil || sd.Host != "10.254.0.2" {
		t.Fatalf("service discovery message %+v %v", sd, err)
	}
}

func TestInternalRoutesStayOffNATSUnlessEnabled(t *testing.T) {
	conn := connect(t)
	sdReg := collect(t, conn, ServiceDiscoveryRegister)
	e := NewNATSEmitter(conn, false)
	_ = e.Emit(routingtable.Messages{InternalRegistrations: []routingtable.RegistryMessage{{Host: "x", URIs: []string{"i"}}}})
	_ = conn.Flush()
	select {
	case m := <-sdReg:
		t.Fatalf("internal route emitted while disabled: %s", m.Data)
	case <-time.After(200 * time.Millisecond):
	}
}

func TestGreeterGreetsUntilARouterStarts(t *testing.T) {
	conn := connect(t)
	greets := collect(t, conn, RouterGreet)
	starts := make(chan StartMessage, 4)
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- NewGreeter(conn, false, 100*time.Millisecond).Run(starts, stop) }()

	first := next(t, greets)
	next(t, greets) // it greets again while nobody answers
	if first.Reply == "" {
		t.Fatal("greet carries no reply inbox")
	}
	body, _ := json.Marshal(StartMessage{MinimumRegisterIntervalInSeconds: 20, PruneThresholdInSeconds: 120})
	if err := conn.Publish(first.Reply, body); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-starts:
		if s.MinimumRegisterIntervalInSeconds != 20 {
			t.Fatalf("start %+v", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the reply to a greet was not delivered")
	}
	// A router.start broadcast later is delivered too.
	body, _ = json.Marshal(StartMessage{MinimumRegisterIntervalInSeconds: 5})
	_ = conn.Publish(RouterStart, body)
	select {
	case s := <-starts:
		if s.MinimumRegisterIntervalInSeconds != 5 {
			t.Fatalf("start %+v", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("router.start broadcast not delivered")
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestUnregistrationsRepeatUntilCountOrReregistration(t *testing.T) {
	u := NewUnregistrations(2)
	a := routingtable.RegistryMessage{Host: "h", Port: 1, URIs: []string{"a"}}
	b := routingtable.RegistryMessage{Host: "h", Port: 2, URIs: []string{"b"}}
	u.Track(routingtable.Messages{Unregistrations: []routingtable.RegistryMessage{a, b}})
	if got := len(u.Due().Unregistrations); got != 2 {
		t.Fatalf("first repeat sends %d", got)
	}
	u.Track(routingtable.Messages{Registrations: []routingtable.RegistryMessage{b}})
	if got := u.Due().Unregistrations; len(got) != 1 || got[0].URIs[0] != "a" {
		t.Fatalf("second repeat %+v", got)
	}
	if u.Len() != 0 || len(u.Due().Unregistrations) != 0 {
		t.Fatal("unregistration repeated past its count")
	}
}
