package routeemitter

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"code.cloudfoundry.org/lager/v3"
	"github.com/nats-io/nats.go"
	"github.com/tedsuo/ifrit"
	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/internal/config"
	"github.com/godiego/diego/proto/models"
	"github.com/godiego/diego/route-emitter/emitter"
	"github.com/godiego/diego/route-emitter/routingapi"
	"github.com/godiego/diego/route-emitter/routingtable"
)

// routingAPIRequest is what the fake routing API process was sent.
type routingAPIRequest struct{ path, body string }

// fakeRoutingAPIServer stands in for the routing API process.
func fakeRoutingAPIServer(t *testing.T) (*httptest.Server, <-chan routingAPIRequest) {
	t.Helper()
	ch := make(chan routingAPIRequest, 64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		ch <- routingAPIRequest{path: req.URL.Path, body: string(body)}
	}))
	t.Cleanup(srv.Close)
	return srv, ch
}

func tcpDesired(pg string) *models.DesiredLRP {
	routes, _ := json.Marshal([]routingtable.TCPRoute{{RouterGroupGUID: "rg", ExternalPort: 5222, ContainerPort: 8080}})
	return &models.DesiredLRP{ProcessGuid: pg, Domain: "cf-apps", Instances: 2,
		Routes: &models.ProtoRoutes{Routes: map[string][]byte{routingtable.TCPRouterKey: routes}}}
}

func mappingBody(hostPort string) string {
	return `[{"router_group_guid":"rg","backend_port":` + hostPort + `,"backend_ip":"10.0.0.1","port":5222,"modification_tag":{"guid":"","index":0},"ttl":120,"isolation_segment":""}]`
}

func nextRequest(t *testing.T, ch <-chan routingAPIRequest, what string) routingAPIRequest {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(5 * time.Second):
		t.Fatalf("no routing API request for %s within 5s", what)
		return routingAPIRequest{}
	}
}

func TestRunnerSendsTCPChangesAtOnceAndRefreshesEveryRouterInterval(t *testing.T) {
	conn := natsConn(t)
	api, reqs := fakeRoutingAPIServer(t)
	bbs := &fakeBBS{
		desired: []*models.DesiredLRP{tcpDesired("tcp-pg")},
		actuals: []*models.ActualLRP{lrp("tcp-pg", 0, "ig-0", "RUNNING", 61000)},
		events:  make(chan proto.Message, 8),
	}
	starts := make(chan emitter.StartMessage, 1)
	r := &Runner{
		Logger: lager.NewLogger("re"), BBS: bbs, Table: routingtable.New(routingtable.Options{}),
		Emitter: emitter.NewNATSEmitter(conn, false), Starts: starts,
		TCP:          routingapi.NewEmitter(routingapi.NewClient(api.URL, nil, 5*time.Second, nil), 2*time.Minute, 5*time.Second),
		SyncInterval: time.Hour, UnregistrationInterval: time.Hour, UnregistrationSendCount: 1, JitterFactor: 0.2,
	}
	proc := ifrit.Invoke(r)
	defer func() { proc.Signal(os.Interrupt); <-proc.Wait() }()

	if got := nextRequest(t, reqs, "the initial sync"); got.path != routingapi.CreateTCPRoutesPath || got.body != mappingBody("61000") {
		t.Fatalf("initial sync sent %s %s", got.path, got.body)
	}
	bbs.events <- &models.ActualLRPInstanceCreatedEvent{ActualLrp: lrp("tcp-pg", 1, "ig-1", "RUNNING", 61001)}
	if got := nextRequest(t, reqs, "a new instance"); got.path != routingapi.CreateTCPRoutesPath || got.body != mappingBody("61001") {
		t.Fatalf("new instance sent %s %s", got.path, got.body)
	}
	bbs.events <- &models.ActualLRPInstanceRemovedEvent{ActualLrp: lrp("tcp-pg", 1, "ig-1", "RUNNING", 61001)}
	if got := nextRequest(t, reqs, "a removed instance"); got.path != routingapi.DeleteTCPRoutesPath || got.body != mappingBody("61001") {
		t.Fatalf("removed instance sent %s %s", got.path, got.body)
	}

	// The router's interval drives TTL refreshes of every mapping.
	starts <- emitter.StartMessage{MinimumRegisterIntervalInSeconds: 1}
	for i := 0; i < 2; i++ {
		if got := nextRequest(t, reqs, "a periodic refresh"); got.path != routingapi.CreateTCPRoutesPath || got.body != mappingBody("61000") {
			t.Fatalf("refresh %d sent %s %s", i, got.path, got.body)
		}
	}
}

func internalDesired(pg, hostname string) *models.DesiredLRP {
	routes, _ := json.Marshal([]routingtable.InternalRoute{{Hostname: hostname}})
	return &models.DesiredLRP{ProcessGuid: pg, Domain: "cf-apps", Instances: 1, LogGuid: "log-" + pg,
		Routes: &models.ProtoRoutes{Routes: map[string][]byte{routingtable.InternalRouterKey: routes}}}
}

// subjectCounter counts messages about one hostname per subject.
type subjectCounter struct {
	mu     sync.Mutex
	counts map[string]int
	seen   chan string
}

func countSubjects(t *testing.T, conn *nats.Conn, hostname string, subjects ...string) *subjectCounter {
	t.Helper()
	c := &subjectCounter{counts: map[string]int{}, seen: make(chan string, 64)}
	for _, subj := range subjects {
		sub, err := conn.Subscribe(subj, func(m *nats.Msg) {
			var msg routingtable.RegistryMessage
			if json.Unmarshal(m.Data, &msg) != nil || len(msg.URIs) == 0 || msg.URIs[0] != hostname {
				return
			}
			c.mu.Lock()
			c.counts[m.Subject]++
			c.mu.Unlock()
			c.seen <- m.Subject
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = sub.Unsubscribe() })
	}
	if err := conn.Flush(); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *subjectCounter) count(subject string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[subject]
}

func (c *subjectCounter) await(t *testing.T, subject, what string) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case s := <-c.seen:
			if s == subject {
				return
			}
		case <-deadline:
			t.Fatalf("no %s on %s within 5s", what, subject)
		}
	}
}

func TestRunnerEmitsInternalRoutesOnTheServiceDiscoveryInterval(t *testing.T) {
	conn := natsConn(t)
	hostname := "svc-" + nats.NewInbox()[7:] + ".apps.internal"
	counter := countSubjects(t, conn, hostname, emitter.ServiceDiscoveryRegister, emitter.RouterRegister)
	bbs := &fakeBBS{
		desired: []*models.DesiredLRP{internalDesired("int-pg", hostname)},
		actuals: []*models.ActualLRP{lrp("int-pg", 0, "ig-0", "RUNNING", 61000)},
		events:  make(chan proto.Message, 8),
	}
	bbs.actuals[0].ActualLrpNetInfo.InstanceAddress = "10.255.0.7"
	starts := make(chan emitter.StartMessage, 1)
	internalStarts := make(chan emitter.StartMessage, 1)
	r := &Runner{
		Logger: lager.NewLogger("re"), BBS: bbs, Table: routingtable.New(routingtable.Options{}),
		Emitter: emitter.NewNATSEmitter(conn, true), Starts: starts, InternalStarts: internalStarts,
		SyncInterval: time.Hour, UnregistrationInterval: time.Hour, UnregistrationSendCount: 1, JitterFactor: 0.2,
	}
	proc := ifrit.Invoke(r)
	defer func() { proc.Signal(os.Interrupt); <-proc.Wait() }()

	counter.await(t, emitter.ServiceDiscoveryRegister, "registration from the initial sync")
	// The router's interval does not re-send internal routes ...
	starts <- emitter.StartMessage{MinimumRegisterIntervalInSeconds: 1}
	// ... the service-discovery interval does.
	internalStarts <- emitter.StartMessage{MinimumRegisterIntervalInSeconds: 1}
	counter.await(t, emitter.ServiceDiscoveryRegister, "emission after service-discovery.start")
	counter.await(t, emitter.ServiceDiscoveryRegister, "periodic internal emission")
	if n := counter.count(emitter.RouterRegister); n != 0 {
		t.Fatalf("internal route sent %d times on router.register", n)
	}
}

func TestInternalEmitterGreetsServiceDiscovery(t *testing.T) {
	conn := natsConn(t)
	greets := make(chan *nats.Msg, 16)
	sub, err := conn.ChanSubscribe(emitter.ServiceDiscoveryGreet, greets)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	_ = conn.Flush()

	cfg := DefaultConfig()
	cfg.CellID = "cell-z" // local mode: no lock needed
	cfg.BBSAddress = "http://127.0.0.1:1"
	cfg.NATSAddresses = conn.ConnectedUrl()
	cfg.HealthCheckAddress = "127.0.0.1:0"
	cfg.EnableInternalEmitter = true
	cfg.SyncInterval = config.Duration(time.Hour)
	members, closeAll, err := Members(t.Context(), cfg, lager.NewLogger("re"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll()
	var greeter ifrit.Runner
	for _, m := range members {
		if m.Name == "internal-greeter" {
			greeter = m.Runner
		}
	}
	if greeter == nil {
		t.Fatal("no internal-greeter member with enable_internal_emitter")
	}
	proc := ifrit.Invoke(greeter)
	defer func() { proc.Signal(os.Interrupt); <-proc.Wait() }()
	select {
	case m := <-greets:
		if m.Reply == "" {
			t.Fatal("service-discovery.greet without a reply inbox")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no service-discovery.greet within 5s")
	}

	cfg.EnableInternalEmitter = false
	members, closeAll2, err := Members(t.Context(), cfg, lager.NewLogger("re"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll2()
	for _, m := range members {
		if m.Name == "internal-greeter" {
			t.Fatal("internal-greeter runs without enable_internal_emitter")
		}
	}
}
