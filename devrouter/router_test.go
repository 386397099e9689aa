package devrouter

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"code.cloudfoundry.org/lager/v3"
	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/tedsuo/ifrit"

	"github.com/godiego/diego/internal/config"
)

const localNATS = "127.0.0.1:4222"

// natsAddr returns the local NATS server, or an embedded one when none
// runs (unless DIEGO_TEST_REQUIRE_SQL=1, which demands the real services).
func natsAddr(t *testing.T) string {
	t.Helper()
	if conn, err := net.DialTimeout("tcp", localNATS, time.Second); err == nil {
		conn.Close()
		return localNATS
	}
	if os.Getenv("DIEGO_TEST_REQUIRE_SQL") == "1" {
		t.Fatalf("NATS is not reachable at %s and DIEGO_TEST_REQUIRE_SQL=1", localNATS)
	}
	t.Logf("NOTE: no NATS at %s; using an embedded nats-server", localNATS)
	srv, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("embedded NATS did not start")
	}
	t.Cleanup(srv.Shutdown)
	return srv.Addr().String()
}

func unique(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b) + ".dev-router.test"
}

type harness struct {
	router *Router
	nc     *nats.Conn
	url    string
	clock  *atomic.Int64 // unix nanoseconds the router sees as "now"
}

func startRouter(t *testing.T, tweak func(*Config)) harness {
	t.Helper()
	return startRouterOn(t, natsAddr(t), tweak)
}

// startRouterOn runs a router against the NATS server at addr.
func startRouterOn(t *testing.T, addr string, tweak func(*Config), opts ...func(*Router)) harness {
	t.Helper()
	cfg := DefaultConfig()
	cfg.ListenAddress = "127.0.0.1:0"
	cfg.NATSAddresses = Addresses{addr}
	cfg.PruneInterval = config.Duration(10 * time.Millisecond)
	if tweak != nil {
		tweak(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	r := New(cfg, lager.NewLogger("dev-router-test"), nil)
	r.now = func() time.Time { return time.Unix(0, clock.Load()) }
	for _, o := range opts {
		o(r)
	}

	nc, err := nats.Connect("nats://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)

	process := ifrit.Invoke(r)
	t.Cleanup(func() {
		process.Signal(os.Interrupt)
		<-process.Wait()
	})
	return harness{router: r, nc: nc, url: "http://" + r.Addr().String(), clock: &clock}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func (h harness) publish(t *testing.T, subject string, m RegistryMessage) {
	t.Helper()
	raw := mustJSON(t, m)
	if err := h.nc.Publish(subject, raw); err != nil {
		t.Fatal(err)
	}
	if err := h.nc.Flush(); err != nil {
		t.Fatal(err)
	}
}

// get requests path on the router with the given Host header.
func (h harness) get(t *testing.T, host, path string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", h.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// eventually polls get until want reports true.
func (h harness) eventually(t *testing.T, host, path string, want func(*http.Response, string) bool) (*http.Response, string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, body := h.get(t, host, path)
		if want(resp, body) {
			return resp, body
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s%s never as expected; last %d %q", host, path, resp.StatusCode, body)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func status(code int) func(*http.Response, string) bool {
	return func(r *http.Response, _ string) bool { return r.StatusCode == code }
}

// backend is an app instance answering with its name and what it saw.
func backend(t *testing.T, name string) (*httptest.Server, RegistryMessage) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Backend", name)
		io.WriteString(w, name+" "+r.Method+" "+r.Host+" "+r.URL.Path+" "+string(body))
	}))
	t.Cleanup(srv.Close)
	host, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	p, _ := strconv.Atoi(port)
	return srv, RegistryMessage{Host: host, Port: uint32(p), App: name, PrivateInstanceID: name + "-guid", PrivateInstanceIndex: "0",
		Tags: map[string]string{"component": "route-emitter"}}
}

func deadPort(t *testing.T) uint32 {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return uint32(port)
}

func TestRegisterProxyUnregister(t *testing.T) {
	h := startRouter(t, nil)
	host := unique("app")
	_, a := backend(t, "a")
	_, b := backend(t, "b")

	resp, body := h.get(t, host, "/")
	if resp.StatusCode != 404 || body != "404 Not Found: Requested route ('"+host+"') does not exist.\n" || resp.Header.Get("X-Cf-Routererror") != "unknown_route" {
		t.Fatalf("unknown host: %d %q %v", resp.StatusCode, body, resp.Header)
	}

	a.URIs, b.URIs = []string{host}, []string{host}
	h.publish(t, SubjectRegister, a)
	h.publish(t, SubjectRegister, b)
	h.eventually(t, host+":8081", "/", func(r *http.Response, body string) bool {
		return r.StatusCode == 200 && len(h.router.Table().Snapshot()[host]) == 2
	})

	seen := map[string]int{}
	for i := 0; i < 6; i++ {
		resp, body := h.get(t, host+":8081", "/hello")
		if resp.StatusCode != 200 || !strings.HasSuffix(body, " GET "+host+":8081 /hello ") {
			t.Fatalf("proxied: %d %q", resp.StatusCode, body)
		}
		seen[resp.Header.Get("X-Backend")]++
	}
	if seen["a"] != 3 || seen["b"] != 3 {
		t.Fatalf("round-robin split %v", seen)
	}

	h.publish(t, SubjectUnregister, a)
	h.eventually(t, host, "/", func(r *http.Response, _ string) bool { return len(h.router.Table().Snapshot()[host]) == 1 })
	for i := 0; i < 3; i++ {
		if resp, _ := h.get(t, host, "/"); resp.Header.Get("X-Backend") != "b" {
			t.Fatalf("unregistered backend still used: %v", resp.Header)
		}
	}
	h.publish(t, SubjectUnregister, b)
	h.eventually(t, host, "/", status(404))
}

func TestFailoverAndBadGateway(t *testing.T) {
	h := startRouter(t, nil)
	host := unique("flaky")
	dead := RegistryMessage{Host: "127.0.0.1", Port: deadPort(t), URIs: []string{host}}
	h.publish(t, SubjectRegister, dead)
	resp, body := h.eventually(t, host, "/", status(502))
	if resp.Header.Get("X-Cf-Routererror") != "endpoint_failure" || !strings.HasPrefix(body, "502 Bad Gateway") {
		t.Fatalf("502: %v %q", resp.Header, body)
	}

	_, live := backend(t, "live")
	live.URIs = []string{host}
	h.publish(t, SubjectRegister, live)
	h.eventually(t, host, "/", status(200))
	// Every request now succeeds, whichever endpoint the rotation starts at,
	// and a request body survives the failed dial.
	for i := 0; i < 4; i++ {
		req, _ := http.NewRequest("POST", h.url+"/post", strings.NewReader("payload"))
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != "live POST "+host+" /post payload" {
			t.Fatalf("request %d: %d %q", i, resp.StatusCode, body)
		}
	}
}

func TestPruneStaleEndpoints(t *testing.T) {
	h := startRouter(t, func(c *Config) { c.PruneStaleAfter = config.Duration(2 * time.Minute) })
	host := unique("stale")
	_, a := backend(t, "a")
	a.URIs = []string{host}
	h.publish(t, SubjectRegister, a)
	h.eventually(t, host, "/", status(200))

	h.clock.Add(int64(time.Minute)) // still fresh
	time.Sleep(50 * time.Millisecond)
	if resp, _ := h.get(t, host, "/"); resp.StatusCode != 200 {
		t.Fatalf("pruned too early: %d", resp.StatusCode)
	}
	h.clock.Add(int64(61 * time.Second))
	h.eventually(t, host, "/", status(404))
}

func TestGreetAndStartAnnouncement(t *testing.T) {
	addr := natsAddr(t)
	watcher, err := nats.Connect("nats://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(watcher.Close)
	want := StartMessage{MinimumRegisterIntervalInSeconds: 7, PruneThresholdInSeconds: 131}
	starts, err := watcher.SubscribeSync(SubjectStart)
	if err != nil {
		t.Fatal(err)
	}
	watcher.Flush()

	h := startRouter(t, func(c *Config) {
		c.MinimumRegisterInterval = config.Duration(7 * time.Second)
		c.PruneStaleAfter = config.Duration(131 * time.Second)
	})
	awaitStart(t, starts, want, "router.start at startup")

	inbox := nats.NewInbox()
	replies, err := h.nc.SubscribeSync(inbox)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.nc.PublishRequest(SubjectGreet, inbox, nil); err != nil {
		t.Fatal(err)
	}
	awaitStart(t, replies, want, "reply to router.greet")
}

// awaitStart reads sub until a message equal to want arrives (other routers
// on a shared NATS may answer too).
func awaitStart(t *testing.T, sub *nats.Subscription, want StartMessage, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		m, err := sub.NextMsg(time.Until(deadline))
		if err != nil {
			break
		}
		var got map[string]any
		if json.Unmarshal(m.Data, &got) != nil {
			continue
		}
		if got["minimumRegisterIntervalInSeconds"] == float64(want.MinimumRegisterIntervalInSeconds) &&
			got["pruneThresholdInSeconds"] == float64(want.PruneThresholdInSeconds) {
			if len(got) != 2 {
				t.Fatalf("%s has extra keys: %s", what, m.Data)
			}
			return
		}
	}
	t.Fatalf("no %s with %+v", what, want)
}

func TestRoutesEndpoint(t *testing.T) {
	h := startRouter(t, nil)
	host := unique("listed")
	_, a := backend(t, "a")
	a.URIs = []string{host, host + "/api"}
	h.publish(t, SubjectRegister, a)
	var table map[string][]Endpoint
	h.eventually(t, "127.0.0.1", RoutesPath, func(r *http.Response, body string) bool {
		table = nil
		return r.StatusCode == 200 && json.Unmarshal([]byte(body), &table) == nil && len(table[host+"/api"]) == 1
	})
	ep := table[host][0]
	if ep.Address != a.Address() || ep.App != "a" || ep.PrivateInstanceID != "a-guid" || ep.LastSeen.IsZero() {
		t.Fatalf("listed %+v", ep)
	}
}
