package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"

	rep "github.com/godiego/diego/rep/client"

	"github.com/godiego/diego/internal/certs/certstest"
)

func compact(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestLRPStartRequestJSON(t *testing.T) {
	req := NewLRPStartRequest("pg", "cf-apps", []int{0, 2}, rep.Resource{MemoryMB: 256, DiskMB: 1024, MaxPids: 100},
		"preloaded:cflinuxfs4", []string{"iso"}, []string{})
	want := compact(t, `{"process_guid":"pg","domain":"cf-apps","indices":[0,2],
		"PlacementTags":["iso"],"VolumeDrivers":[],"RootFs":"preloaded:cflinuxfs4",
		"MemoryMB":256,"DiskMB":1024,"MaxPids":100}`)
	got, _ := json.Marshal(req)
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	var back LRPStartRequest
	if err := json.Unmarshal([]byte(want), &back); err != nil || !reflect.DeepEqual(back, req) {
		t.Fatalf("round trip %+v %v", back, err)
	}
}

func TestTaskStartRequestJSON(t *testing.T) {
	req := NewTaskStartRequest("tg", "cf-tasks", rep.Resource{MemoryMB: 128, DiskMB: 64}, "docker:///busybox", nil, nil)
	want := compact(t, `{"TaskGuid":"tg","Domain":"cf-tasks","PlacementTags":null,"VolumeDrivers":[],
		"RootFs":"docker:///busybox","MemoryMB":128,"DiskMB":64,"MaxPids":0,"state":"Invalid","failed":false}`)
	got, _ := json.Marshal(req)
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	var back TaskStartRequest
	if err := json.Unmarshal([]byte(want), &back); err != nil || !reflect.DeepEqual(back, req) {
		t.Fatalf("round trip %+v %v", back, err)
	}
}

func TestLRPValidation(t *testing.T) {
	valid := func() LRPStartRequest {
		return NewLRPStartRequest("pg", "d", []int{0}, rep.Resource{MemoryMB: 1}, "preloaded:x", nil, nil)
	}
	r := valid()
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		mutate func(*LRPStartRequest)
		want   error
	}{
		{func(r *LRPStartRequest) { r.ProcessGUID = "" }, ErrProcessGUIDEmpty},
		{func(r *LRPStartRequest) { r.Domain = "" }, ErrDomainEmpty},
		{func(r *LRPStartRequest) { r.Indices = nil }, ErrIndicesEmpty},
		{func(r *LRPStartRequest) { r.MemoryMB = -1 }, ErrLRPResourcesNegative},
		{func(r *LRPStartRequest) { r.DiskMB = -1 }, ErrLRPResourcesNegative},
		{func(r *LRPStartRequest) { r.RootFs = "" }, ErrPlacementEmpty},
	}
	for _, c := range cases {
		r := valid()
		c.mutate(&r)
		if err := r.Validate(); err != c.want {
			t.Errorf("got %v, want %v", err, c.want)
		}
	}
	if ErrProcessGUIDEmpty.Error() != "proccess guid is empty" {
		t.Error("upstream text changed")
	}
}

func TestTaskValidation(t *testing.T) {
	valid := func() TaskStartRequest {
		return NewTaskStartRequest("tg", "d", rep.Resource{}, "preloaded:x", nil, nil)
	}
	r := valid()
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		mutate func(*TaskStartRequest)
		want   error
	}{
		{func(r *TaskStartRequest) { r.TaskGUID = "" }, ErrTaskGUIDEmpty},
		{func(r *TaskStartRequest) { r.MemoryMB = -5 }, ErrTaskResourcesNegative},
		{func(r *TaskStartRequest) { r.RootFs = "" }, ErrPlacementEmpty},
	} {
		r := valid()
		c.mutate(&r)
		if err := r.Validate(); err != c.want {
			t.Errorf("got %v, want %v", err, c.want)
		}
	}
}

func TestExpandLRPs(t *testing.T) {
	n := 0
	guid := func() string { n++; return "ig-" + string(rune('0'+n)) }
	r := NewLRPStartRequest("pg", "d", []int{3, 5}, rep.Resource{MemoryMB: 1}, "preloaded:x", nil, nil)
	lrps := r.LRPs(guid)
	if len(lrps) != 2 || lrps[0].Index != 3 || lrps[1].Index != 5 || lrps[1].InstanceGUID != "ig-2" || lrps[0].RootFs != "preloaded:x" {
		t.Fatalf("%+v", lrps)
	}
}

type seen struct {
	path, requestID, contentType string
	body                         []byte
}

func fakeAuctioneer(t *testing.T, tlsOn bool, status int) (*httptest.Server, func() []seen) {
	t.Helper()
	var mu sync.Mutex
	var got []seen
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, seen{r.URL.Path, r.Header.Get("X-Vcap-Request-Id"), r.Header.Get("Content-Type"), body})
		mu.Unlock()
		if r.Method != http.MethodPost || (r.URL.Path != "/v1/lrps" && r.URL.Path != "/v1/tasks") {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
		if status == http.StatusAccepted {
			io.WriteString(w, "{}")
		} else {
			io.WriteString(w, `{"error":"boom"}`)
		}
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	if tlsOn {
		srv.TLS = certstest.New(t, "main").Server
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv, func() []seen { mu.Lock(); defer mu.Unlock(); return append([]seen(nil), got...) }
}

func TestRequestAuctions(t *testing.T) {
	srv, got := fakeAuctioneer(t, true, http.StatusAccepted)
	c, err := New(Config{URL: srv.URL, TLS: certstest.New(t, "main").Client, RequireTLS: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := WithRequestID(context.Background(), "req-42")
	lrps := []LRPStartRequest{NewLRPStartRequest("pg", "d", []int{0}, rep.Resource{MemoryMB: 1}, "preloaded:x", nil, nil)}
	if err := c.RequestLRPAuctions(ctx, lrps); err != nil {
		t.Fatal(err)
	}
	tasks := []TaskStartRequest{NewTaskStartRequest("tg", "d", rep.Resource{}, "preloaded:x", nil, nil)}
	if err := c.RequestTaskAuctions(ctx, tasks); err != nil {
		t.Fatal(err)
	}
	reqs := got()
	if len(reqs) != 2 || reqs[0].path != "/v1/lrps" || reqs[1].path != "/v1/tasks" {
		t.Fatalf("requests %+v", reqs)
	}
	for _, r := range reqs {
		if r.requestID != "req-42" || r.contentType != "application/json" {
			t.Fatalf("headers %+v", r)
		}
	}
	var sentLRPs []LRPStartRequest
	var sentTasks []TaskStartRequest
	if json.Unmarshal(reqs[0].body, &sentLRPs) != nil || !reflect.DeepEqual(sentLRPs, lrps) {
		t.Fatalf("lrp body %s", reqs[0].body)
	}
	if json.Unmarshal(reqs[1].body, &sentTasks) != nil || !reflect.DeepEqual(sentTasks, tasks) {
		t.Fatalf("task body %s", reqs[1].body)
	}
}

func TestRequestAuctionsErrors(t *testing.T) {
	srv, _ := fakeAuctioneer(t, true, http.StatusBadRequest)
	c, _ := New(Config{URL: srv.URL, TLS: certstest.New(t, "main").Client, RequireTLS: true})
	err := c.RequestLRPAuctions(context.Background(), nil)
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != 400 || se.Body != `{"error":"boom"}` {
		t.Fatalf("got %v", err)
	}
	// A client without a certificate is refused by the mTLS server.
	noCert := certstest.New(t, "main").Client.Clone()
	noCert.Certificates = nil
	srv2, _ := fakeAuctioneer(t, true, http.StatusAccepted)
	c, _ = New(Config{URL: srv2.URL, TLS: noCert, RequireTLS: true})
	if err := c.RequestTaskAuctions(context.Background(), nil); err == nil {
		t.Fatal("mTLS must be required")
	}
}

func TestPlainHTTPFallback(t *testing.T) {
	srv, got := fakeAuctioneer(t, false, http.StatusAccepted)
	httpsURL := "https://" + srv.Listener.Addr().String()
	tc := certstest.New(t, "main").Client

	strict, _ := New(Config{URL: httpsURL, TLS: tc, RequireTLS: true})
	if err := strict.RequestLRPAuctions(context.Background(), nil); err == nil {
		t.Fatal("require_tls must not fall back to HTTP")
	}
	lenient, _ := New(Config{URL: httpsURL, TLS: tc, RequireTLS: false})
	if err := lenient.RequestLRPAuctions(context.Background(), nil); err != nil {
		t.Fatalf("fallback: %v", err)
	}
	if n := len(got()); n != 1 {
		t.Fatalf("%d requests reached the plain server", n)
	}
	plain, _ := New(Config{URL: srv.URL})
	if err := plain.RequestTaskAuctions(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}
