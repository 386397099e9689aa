package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godiego/diego/internal/certs/certstest"
)

// recorded is one request seen by the fake rep.
type recorded struct {
	Method, Path, RequestID, ContentType string
	Body                                 []byte
}

// fakeRep is an mTLS httptest server whose replies the test sets per "METHOD path".
type fakeRep struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []recorded
	// replies maps "METHOD /path" to a status and body.
	replies map[string]reply
}

type reply struct {
	status int
	body   string
	delay  time.Duration
}

func newFakeRep(t *testing.T, pki certstest.PKI) *fakeRep {
	t.Helper()
	f := &fakeRep{replies: map[string]reply{}}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.got = append(f.got, recorded{r.Method, r.URL.EscapedPath(), r.Header.Get(RequestIDHeader), r.Header.Get("Content-Type"), body})
		rep, ok := f.replies[r.Method+" "+r.URL.EscapedPath()]
		f.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		if rep.delay > 0 {
			time.Sleep(rep.delay)
		}
		w.WriteHeader(rep.status)
		io.WriteString(w, rep.body)
	}))
	f.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	f.srv.TLS = pki.Server
	f.srv.StartTLS()
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeRep) set(key string, status int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.replies[key] = reply{status: status, body: body}
}

func (f *fakeRep) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.got...)
}

func setup(t *testing.T) (*fakeRep, *Client) {
	t.Helper()
	pki := certstest.New(t, "main")
	rep := newFakeRep(t, pki)
	factory := NewFactory(Config{TLS: pki.Client, RequireTLS: true})
	c, err := factory.Client("http://ignored:1800", rep.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return rep, c
}

const stateJSON = `{"rep_url":"https://x","cell_id":"cell-1","cell_index":0,
	"RootFSProviders":{"preloaded":{"set":{"cflinuxfs4":{}},"type":"fixed_set"}},
	"AvailableResources":{"MemoryMB":10,"DiskMB":20,"Containers":3},
	"TotalResources":{"MemoryMB":100,"DiskMB":200,"Containers":30},
	"LRPs":[],"Tasks":[],"StartingContainerCount":0,"Zone":"z1","Evacuating":false,
	"VolumeDrivers":null,"PlacementTags":null,"OptionalPlacementTags":null,"ProxyMemoryAllocationMB":0}`

func TestState(t *testing.T) {
	rep, c := setup(t)
	rep.set("GET /state", 200, stateJSON)
	ctx := WithRequestID(context.Background(), "trace-1")
	state, err := c.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if state.CellID != "cell-1" || state.AvailableResources.Containers != 3 || !state.MatchRootFS("preloaded:cflinuxfs4") {
		t.Fatalf("state %+v", state)
	}
	if got := rep.requests()[0]; got.RequestID != "trace-1" {
		t.Fatalf("request id %q", got.RequestID)
	}

	rep.set("GET /state", 503, stateJSON)
	state, err = c.State(ctx)
	if !errors.Is(err, ErrCellUnhealthy) || state.CellID != "cell-1" {
		t.Fatalf("503: state %+v err %v", state, err)
	}

	rep.set("GET /state", 500, "")
	_, err = c.State(ctx)
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != 500 || se.Path != "/state" {
		t.Fatalf("500: %v", err)
	}

	rep.set("GET /state", 200, "{not json")
	if _, err = c.State(ctx); err == nil {
		t.Fatal("bad json must fail")
	}
}

func TestPerform(t *testing.T) {
	rep, c := setup(t)
	rep.set("POST /work", 200, `{"LRPs":[{"instance_guid":"ig-2","process_guid":"pg","index":1,"domain":"d",
		"PlacementTags":null,"VolumeDrivers":null,"RootFs":"preloaded:cflinuxfs4","MemoryMB":1,"DiskMB":1,"MaxPids":0,"state":""}],"Tasks":null}`)
	work := Work{
		CellID: "cell-1",
		LRPs: []LRP{
			{InstanceGUID: "ig-1", ActualLRPKey: ActualLRPKey{"pg", 0, "d"}, PlacementConstraint: PlacementConstraint{RootFs: "preloaded:cflinuxfs4"}, Resource: Resource{1, 1, 0}},
			{InstanceGUID: "ig-2", ActualLRPKey: ActualLRPKey{"pg", 1, "d"}, PlacementConstraint: PlacementConstraint{RootFs: "preloaded:cflinuxfs4"}, Resource: Resource{1, 1, 0}},
		},
		Tasks: []Task{{TaskGUID: "t1"}},
	}
	failed, err := c.Perform(context.Background(), work)
	if err != nil {
		t.Fatal(err)
	}
	if len(failed.LRPs) != 1 || failed.LRPs[0].InstanceGUID != "ig-2" || len(failed.Tasks) != 0 {
		t.Fatalf("failed work %+v", failed)
	}
	got := rep.requests()[0]
	var sent Work
	if err := json.Unmarshal(got.Body, &sent); err != nil || !reflect.DeepEqual(sent, work) {
		t.Fatalf("sent %s (%v)", got.Body, err)
	}
	if got.ContentType != "application/json" {
		t.Fatalf("content type %q", got.ContentType)
	}

	rep.set("POST /work", 500, "")
	if _, err := c.Perform(context.Background(), work); err == nil {
		t.Fatal("500 must fail")
	}
}

func TestUpdateLRPInstance(t *testing.T) {
	update := LRPUpdate{
		InstanceGUID:   "ig/1",
		ActualLRPKey:   ActualLRPKey{ProcessGUID: "pg", Index: 1, Domain: "d"},
		InternalRoutes: []InternalRoute{{Hostname: "h"}},
		MetricTags:     map[string]string{"k": "v"},
	}
	t.Run("v2", func(t *testing.T) {
		rep, c := setup(t)
		rep.set("PUT /v2/lrps/pg/instances/ig%2F1", 202, "")
		if err := c.UpdateLRPInstance(context.Background(), update); err != nil {
			t.Fatal(err)
		}
		var sent LRPUpdate
		json.Unmarshal(rep.requests()[0].Body, &sent)
		if !reflect.DeepEqual(sent, update) {
			t.Fatalf("sent %+v", sent)
		}
	})
	t.Run("falls back to v1 without metric tags", func(t *testing.T) {
		rep, c := setup(t)
		rep.set("PUT /v1/lrps/pg/instances/ig%2F1", 202, "")
		if err := c.UpdateLRPInstance(context.Background(), update); err != nil {
			t.Fatal(err)
		}
		reqs := rep.requests()
		if len(reqs) != 2 || !strings.HasPrefix(reqs[1].Path, "/v1/") {
			t.Fatalf("requests %+v", reqs)
		}
		var sent LRPUpdate
		json.Unmarshal(reqs[1].Body, &sent)
		if sent.MetricTags != nil || len(sent.InternalRoutes) != 1 {
			t.Fatalf("v1 body %s", reqs[1].Body)
		}
	})
	t.Run("no fallback without internal routes", func(t *testing.T) {
		rep, c := setup(t)
		u := update
		u.InternalRoutes = nil
		if err := c.UpdateLRPInstance(context.Background(), u); err != nil {
			t.Fatal(err)
		}
		if n := len(rep.requests()); n != 1 {
			t.Fatalf("%d requests", n)
		}
	})
	t.Run("errors", func(t *testing.T) {
		rep, c := setup(t)
		rep.set("PUT /v2/lrps/pg/instances/ig%2F1", 400, "")
		if err := c.UpdateLRPInstance(context.Background(), update); err == nil {
			t.Fatal("400 must fail")
		}
		rep.set("PUT /v2/lrps/pg/instances/ig%2F1", 404, "")
		rep.set("PUT /v1/lrps/pg/instances/ig%2F1", 500, "")
		if err := c.UpdateLRPInstance(context.Background(), update); err == nil {
			t.Fatal("v1 500 must fail")
		}
	})
}

func TestStopAndCancel(t *testing.T) {
	rep, c := setup(t)
	rep.set("POST /v1/lrps/pg/instances/ig/stop", 202, "")
	rep.set("POST /v1/tasks/tg/cancel", 202, "")
	if err := c.StopLRPInstance(context.Background(), "pg", "ig"); err != nil {
		t.Fatal(err)
	}
	if err := c.CancelTask(context.Background(), "tg"); err != nil {
		t.Fatal(err)
	}
	if err := c.CancelTask(context.Background(), "other"); err == nil {
		t.Fatal("404 must fail")
	}
	rep.set("POST /v1/tasks/tg/cancel", 200, "")
	if err := c.CancelTask(context.Background(), "tg"); err == nil {
		t.Fatal("only 202 is success")
	}
}

func TestContainerMetrics(t *testing.T) {
	rep, c := setup(t)
	rep.set("GET /container_metrics", 200, `{"cell_id":"c","lrps":[{"instance_guid":"i","process_guid":"p","index":0,
		"metric_guid":"m","cpu_usage_fraction":0.25,"disk_usage_bytes":1,"disk_quota_bytes":2,"memory_usage_bytes":3,"memory_quota_bytes":4}],"tasks":[]}`)
	m, err := c.ContainerMetrics(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if m.CellID != "c" || len(m.LRPs) != 1 || m.LRPs[0].CPUUsageFraction != 0.25 || m.Tasks == nil {
		t.Fatalf("metrics %+v", m)
	}
}

func TestAdmin(t *testing.T) {
	rep, c := setup(t)
	rep.set("GET /ping", 200, "")
	rep.set("POST /evacuate", 202, `{"ping_path":"/ping"}`)
	if err := c.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	r, err := c.Evacuate(context.Background())
	if err != nil || r.PingPath != "/ping" {
		t.Fatalf("evacuate %+v %v", r, err)
	}
}

func TestMutualTLSRequired(t *testing.T) {
	pki := certstest.New(t, "main")
	rep := newFakeRep(t, pki)
	rep.set("GET /ping", 200, "")
	noCert := pki.Client.Clone()
	noCert.Certificates = nil
	c := NewFactory(Config{TLS: noCert}).ClientForURL(rep.srv.URL)
	if err := c.Ping(context.Background()); err == nil {
		t.Fatal("a client without a certificate must be refused")
	}
	other := certstest.New(t, "other")
	c = NewFactory(Config{TLS: other.Client}).ClientForURL(rep.srv.URL)
	if err := c.Ping(context.Background()); err == nil {
		t.Fatal("a server from another CA must be refused")
	}
}

func TestTimeouts(t *testing.T) {
	pki := certstest.New(t, "main")
	rep := newFakeRep(t, pki)
	rep.mu.Lock()
	rep.replies["GET /state"] = reply{status: 200, body: stateJSON, delay: 300 * time.Millisecond}
	rep.replies["GET /ping"] = reply{status: 200, delay: 300 * time.Millisecond}
	rep.mu.Unlock()
	f := NewFactory(Config{TLS: pki.Client, StateTimeout: 50 * time.Millisecond, Timeout: 5 * time.Second})
	c := f.ClientForURL(rep.srv.URL)
	if _, err := c.State(context.Background()); err == nil {
		t.Fatal("state must time out")
	}
	if err := c.Ping(context.Background()); err != nil {
		t.Fatalf("other calls use the longer timeout: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Ping(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: %v", err)
	}
}
