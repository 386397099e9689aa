package handlers_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/bbs"
	"github.com/godiego/diego/db"
	"github.com/godiego/diego/db/dbtest"
	"github.com/godiego/diego/proto/models"
)

func post(t *testing.T, url string, body []byte) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Content-Type", bbs.ProtobufContentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestEveryRouteIsServed(t *testing.T) {
	a := newAPI(t)
	if len(bbs.Routes) != 48 {
		t.Fatalf("%d routes, want 48", len(bbs.Routes))
	}
	deprecated := 0
	for _, r := range bbs.Routes {
		if r.Deprecated {
			deprecated++
		}
		if strings.Contains(r.Path, "events") {
			continue // streams are tested in events_test.go
		}
		req, _ := http.NewRequest(r.Method, a.url+r.Path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != bbs.ProtobufContentType {
			t.Errorf("%s %s: status %d, content type %q", r.Method, r.Path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	if deprecated != 14 {
		t.Fatalf("%d deprecated routes, want 14", deprecated)
	}
}

func TestUnknownPathIs404AndWrongMethod405(t *testing.T) {
	a := newAPI(t)
	if resp := post(t, a.url+"/v1/nope", nil); resp.StatusCode != 404 {
		t.Fatalf("unknown path: %d", resp.StatusCode)
	}
	resp, err := http.Get(a.url + "/v1/ping")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 {
		t.Fatalf("GET /v1/ping: %d", resp.StatusCode)
	}
}

func TestRequestErrorsAreInTheBody(t *testing.T) {
	a := newAPI(t)
	resp := post(t, a.url+"/v1/tasks/get_by_task_guid.r3", []byte{0xff, 0xff, 0xff})
	body, _ := io.ReadAll(resp.Body)
	var tr models.TaskResponse
	if err := proto.Unmarshal(body, &tr); err != nil || resp.StatusCode != 200 {
		t.Fatalf("status %d, %v", resp.StatusCode, err)
	}
	if tr.Error.GetType() != models.Error_InvalidRequest || tr.Error.GetMessage() != "the request received is invalid" {
		t.Fatalf("error %v", tr.Error)
	}

	_, err := a.client.TaskByGuid(ctx(), "")
	if errType(err) != models.Error_InvalidRequest || err.Error() == "the request received is invalid" {
		t.Fatalf("validation error: %v", err)
	}
	_, err = a.client.TaskByGuid(ctx(), "missing")
	if errType(err) != models.Error_ResourceNotFound {
		t.Fatalf("missing task: %v", err)
	}
}

func TestUnavailableUntilMigrated(t *testing.T) {
	a := newAPIOn(t, dbtest.Open(t, db.SQLite), false)
	resp := post(t, a.url+"/v1/ping", nil)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 503 || len(body) != 0 {
		t.Fatalf("before migrations: %d %q", resp.StatusCode, body)
	}
	if resp := post(t, a.url+"/v1/nope", nil); resp.StatusCode != 503 {
		t.Fatalf("unknown route before migrations: %d", resp.StatusCode)
	}
	if err := a.store.Migrate(ctx()); err != nil {
		t.Fatal(err)
	}
	close(a.ready)
	if !a.client.Ping(ctx()) {
		t.Fatal("ping after migrations")
	}
}

func TestMetricsCountRequestsAndErrors(t *testing.T) {
	a := newAPI(t)
	a.client.Ping(ctx())
	_, _ = a.client.TaskByGuid(ctx(), "missing")
	text := a.reg.Text()
	for _, want := range []string{
		`bbs_requests_total{route="Ping"} 1`,
		`bbs_request_errors_total{route="TaskByGuid"} 1`,
		`bbs_request_duration_seconds_count{route="TaskByGuid"} 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s:\n%s", want, text)
		}
	}
}

func TestRequestIDIsCarriedToTheAuctioneer(t *testing.T) {
	a := newAPI(t)
	req, _ := proto.Marshal(&models.DesireTaskRequest{TaskGuid: "t-req", Domain: "d", TaskDefinition: taskDef()})
	r, _ := http.NewRequest("POST", a.url+"/v1/tasks/desire.r2", bytes.NewReader(req))
	r.Header.Set(bbs.RequestIDHeader, "abc123")
	var seen string
	a.ctrl.Auctioneer = ctxAuctioneer{rec: a.rec, seen: &seen}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if seen != "abc123" {
		t.Fatalf("auctioneer saw request id %q", seen)
	}
}
