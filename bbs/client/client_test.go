package client

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/bbs"
	"github.com/godiego/diego/bbs/sse"
	"github.com/godiego/diego/internal/certs"
	"github.com/godiego/diego/internal/tlsconf"
	"github.com/godiego/diego/proto/models"
)

func newClient(t *testing.T, h http.Handler) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := New(Config{URL: srv.URL, RetryInterval: time.Millisecond, ReconnectInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeProto(w http.ResponseWriter, m proto.Message) {
	b, _ := proto.Marshal(m)
	w.Header().Set("Content-Type", bbs.ProtobufContentType)
	_, _ = w.Write(b)
}

func errorType(err error) models.Error_Type {
	var me *models.Error
	if errors.As(err, &me) {
		return me.Type
	}
	return -1
}

func TestNotFoundIsInvalidResponseAndRetried(t *testing.T) {
	var calls atomic.Int32
	c := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.NotFound(w, r)
	}))
	_, err := c.Domains(context.Background())
	if errorType(err) != models.Error_InvalidResponse || err.Error() != "Invalid Response with status code: 404" {
		t.Fatalf("err %v", err)
	}
	if calls.Load() != 3 {
		t.Fatalf("%d attempts, want 3", calls.Load())
	}
}

func TestBodyErrorsAreReturnedWithoutRetry(t *testing.T) {
	var calls atomic.Int32
	c := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeProto(w, &models.TaskResponse{Error: models.ErrResourceNotFound})
	}))
	_, err := c.TaskByGuid(context.Background(), "x")
	if errorType(err) != models.Error_ResourceNotFound || calls.Load() != 1 {
		t.Fatalf("err %v after %d calls", err, calls.Load())
	}
}

func TestRouterErrorHeaderAndBadProtobuf(t *testing.T) {
	c := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/domains/list" {
			w.Header().Set(bbs.RouterErrorHeader, "unknown_route")
			w.WriteHeader(404)
			return
		}
		w.Header().Set("Content-Type", bbs.ProtobufContentType)
		_, _ = w.Write([]byte{0xff, 0xff})
	}))
	if _, err := c.Domains(context.Background()); errorType(err) != models.Error_RouterError {
		t.Fatalf("router error: %v", err)
	}
	if _, err := c.Cells(context.Background()); errorType(err) != models.Error_InvalidProtobufMessage {
		t.Fatalf("bad protobuf: %v", err)
	}
}

func TestStartFallsBackToR0AndCarriesRequestID(t *testing.T) {
	var mu sync.Mutex
	var paths, ids []string
	c := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		ids = append(ids, r.Header.Get(bbs.RequestIDHeader))
		mu.Unlock()
		if r.URL.Path == "/v1/actual_lrps/start.r1" {
			http.NotFound(w, r)
			return
		}
		writeProto(w, &models.ActualLRPLifecycleResponse{})
	}))
	ctx := WithRequestID(context.Background(), "trace-1")
	err := c.StartActualLRP(ctx, &models.ActualLRPKey{ProcessGuid: "p"}, &models.ActualLRPInstanceKey{InstanceGuid: "i", CellId: "c"},
		&models.ActualLRPNetInfo{}, nil, nil, true, "")
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if paths[len(paths)-1] != "/v1/actual_lrps/start" || ids[0] != "trace-1" {
		t.Fatalf("paths %v ids %v", paths, ids)
	}
}

func TestEventSourceReconnects(t *testing.T) {
	var conns atomic.Int32
	c := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := conns.Add(1)
		w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
		w.WriteHeader(200)
		ev, _ := sse.NewEvent(0, bbs.EventTaskRemoved, &models.TaskRemovedEvent{Task: &models.Task{TaskGuid: fmt.Sprint("t", n)}})
		_, _ = w.Write(ev.Encode())
		// The handler returns: the stream ends and the client must reconnect.
	}))
	s, err := c.SubscribeToTaskEvents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, want := range []string{"t1", "t2"} {
		ev, err := s.Next()
		if err != nil {
			t.Fatal(err)
		}
		if got := ev.Message.(*models.TaskRemovedEvent).Task.TaskGuid; got != want {
			t.Fatalf("got %s want %s", got, want)
		}
	}
	s.Close()
	if _, err := s.Next(); err != ErrSourceClosed {
		t.Fatalf("after close: %v", err)
	}
}

func TestMutualTLS(t *testing.T) {
	paths, err := certs.Generate(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	serverTLS, err := tlsconf.Server(paths.ServerCert, paths.ServerKey, paths.CACert)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeProto(w, &models.PingResponse{Available: true})
	}))
	srv.TLS = serverTLS
	srv.StartTLS()
	defer srv.Close()
	c, err := NewSecure(srv.URL, paths.CACert, paths.ClientCert, paths.ClientKey, false)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Ping(context.Background()) {
		t.Fatal("mTLS ping failed")
	}
	anon, _ := New(Config{URL: srv.URL, TLS: &tls.Config{InsecureSkipVerify: true}, RetryInterval: time.Millisecond})
	if anon.Ping(context.Background()) {
		t.Fatal("a client without a certificate got through")
	}
}
