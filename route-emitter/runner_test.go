package routeemitter

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"code.cloudfoundry.org/lager/v3"
	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/tedsuo/ifrit"
	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/proto/models"
	"github.com/godiego/diego/route-emitter/emitter"
	"github.com/godiego/diego/route-emitter/routingtable"
)

// fakeBBS stands in for the BBS process: a snapshot for syncs and a
// channel of events for the stream.
type fakeBBS struct {
	mu      sync.Mutex
	desired []*models.DesiredLRP
	actuals []*models.ActualLRP
	events  chan proto.Message
}

func (f *fakeBBS) ActualLRPs(context.Context, string) ([]*models.ActualLRP, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.actuals, nil
}

func (f *fakeBBS) DesiredLRPRoutingInfos(context.Context) ([]*models.DesiredLRP, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.desired, nil
}

func (f *fakeBBS) Domains(context.Context) ([]string, error) { return []string{"cf-apps"}, nil }

func (f *fakeBBS) SubscribeToInstanceEvents(ctx context.Context, _ string) (EventSource, error) {
	return &chanSource{ch: f.events, ctx: ctx}, nil
}

type chanSource struct {
	ch  chan proto.Message
	ctx context.Context
}

func (s *chanSource) Next() (proto.Message, error) {
	select {
	case ev := <-s.ch:
		return ev, nil
	case <-s.ctx.Done():
		return nil, errors.New("closed")
	}
}

func (s *chanSource) Close() error { return nil }

func natsConn(t *testing.T) *nats.Conn {
	t.Helper()
	url := "nats://127.0.0.1:4222"
	if c, err := net.DialTimeout("tcp", "127.0.0.1:4222", time.Second); err == nil {
		c.Close()
	} else {
		if os.Getenv("DIEGO_TEST_REQUIRE_SQL") == "1" {
			t.Fatalf("NATS required on 127.0.0.1:4222: %v", err)
		}
		srv, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
		if err != nil {
			t.Fatal(err)
		}
		go srv.Start()
		srv.ReadyForConnections(5 * time.Second)
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

func lrp(pg string, index int32, guid, state string, port uint32) *models.ActualLRP {
	return &models.ActualLRP{
		ActualLrpKey:         &models.ActualLRPKey{ProcessGuid: pg, Index: index, Domain: "cf-apps"},
		ActualLrpInstanceKey: &models.ActualLRPInstanceKey{InstanceGuid: guid, CellId: "cell-1"},
		ActualLrpNetInfo:     &models.ActualLRPNetInfo{Address: "10.0.0.1", Ports: []*models.PortMapping{{ContainerPort: 8080, HostPort: port}}},
		State:                state,
	}
}

func TestRunnerSyncsEmitsChangesAtOnceAndAnswersRouterStart(t *testing.T) {
	conn := natsConn(t)
	// Unique hostnames so a shared NATS server's other traffic can't interfere.
	host := "app-" + nats.NewInbox()[7:] + ".example.com"
	registers := make(chan *nats.Msg, 64)
	unregisters := make(chan *nats.Msg, 64)
	sub1, _ := conn.ChanSubscribe(emitter.RouterRegister, registers)
	sub2, _ := conn.ChanSubscribe(emitter.RouterUnregister, unregisters)
	defer sub1.Unsubscribe()
	defer sub2.Unsubscribe()
	_ = conn.Flush()

	routes, _ := json.Marshal([]routingtable.CFRoute{{Hostnames: []string{host}, Port: 8080}})
	bbs := &fakeBBS{
		desired: []*models.DesiredLRP{{ProcessGuid: "pg", Domain: "cf-apps", Instances: 2,
			Routes: &models.ProtoRoutes{Routes: map[string][]byte{routingtable.CFRouterKey: routes}}}},
		actuals: []*models.ActualLRP{lrp("pg", 0, "ig-0", "RUNNING", 61000)},
		events:  make(chan proto.Message, 8),
	}
	starts := make(chan emitter.StartMessage, 1)
	r := &Runner{
		Logger: lager.NewLogger("re"), BBS: bbs, Table: routingtable.New(routingtable.Options{}),
		Emitter: emitter.NewNATSEmitter(conn, false), Starts: starts,
		SyncInterval: time.Hour, UnregistrationInterval: 100 * time.Millisecond, UnregistrationSendCount: 2, JitterFactor: 0.2,
	}
	proc := ifrit.Invoke(r)
	defer func() { proc.Signal(os.Interrupt); <-proc.Wait() }()

	waitFor := func(ch chan *nats.Msg, what string, check func(routingtable.RegistryMessage) bool) {
		t.Helper()
		deadline := time.After(5 * time.Second)
		for {
			select {
			case m := <-ch:
				var msg routingtable.RegistryMessage
				if json.Unmarshal(m.Data, &msg) == nil && len(msg.URIs) > 0 && msg.URIs[0] == host && check(msg) {
					return
				}
			case <-deadline:
				t.Fatalf("no %s within 5s", what)
			}
		}
	}
	waitFor(registers, "registration from the initial sync", func(m routingtable.RegistryMessage) bool { return m.Port == 61000 })

	bbs.events <- &models.ActualLRPInstanceCreatedEvent{ActualLrp: lrp("pg", 1, "ig-1", "RUNNING", 61001)}
	waitFor(registers, "registration for a new running instance", func(m routingtable.RegistryMessage) bool { return m.Port == 61001 })

	bbs.events <- &models.ActualLRPInstanceRemovedEvent{ActualLrp: lrp("pg", 1, "ig-1", "RUNNING", 61001)}
	waitFor(unregisters, "unregistration", func(m routingtable.RegistryMessage) bool { return m.Port == 61001 })
	waitFor(unregisters, "repeated unregistration", func(m routingtable.RegistryMessage) bool { return m.Port == 61001 })

	starts <- emitter.StartMessage{MinimumRegisterIntervalInSeconds: 1}
	waitFor(registers, "full emission after router.start", func(m routingtable.RegistryMessage) bool {
		return m.Port == 61000 && m.EndpointUpdatedAtNs == 0
	})
	waitFor(registers, "periodic full emission", func(m routingtable.RegistryMessage) bool { return m.Port == 61000 })
}
