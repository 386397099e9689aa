package handlers_test

import (
	"context"
	"io"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"code.cloudfoundry.org/lager/v3"

	auctioneer "github.com/godiego/diego/auctioneer/client"
	"github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/bbs/controllers"
	"github.com/godiego/diego/bbs/events"
	"github.com/godiego/diego/bbs/handlers"
	"github.com/godiego/diego/db"
	"github.com/godiego/diego/db/bbsdb"
	"github.com/godiego/diego/db/bbsdb/encryption"
	"github.com/godiego/diego/db/dbtest"
	"github.com/godiego/diego/internal/metrics"
	"github.com/godiego/diego/proto/models"
	rep "github.com/godiego/diego/rep/client"
)

// recorder stands in for the auctioneer and the reps.
type recorder struct {
	mu       sync.Mutex
	lrps     []auctioneer.LRPStartRequest
	tasks    []auctioneer.TaskStartRequest
	stops    []string
	cancels  []string
	updates  []rep.LRPUpdate
	cells    []*models.CellPresence
	cellsErr error
	stopErr  error
	stopN    int
}

func (r *recorder) RequestLRPAuctions(_ context.Context, s []auctioneer.LRPStartRequest) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lrps = append(r.lrps, s...)
	return nil
}

func (r *recorder) RequestTaskAuctions(_ context.Context, s []auctioneer.TaskStartRequest) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tasks = append(r.tasks, s...)
	return nil
}

func (r *recorder) Cells(context.Context) ([]*models.CellPresence, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*models.CellPresence(nil), r.cells...), r.cellsErr
}

func (r *recorder) setCells(ids ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cells = nil
	for _, id := range ids {
		r.cells = append(r.cells, &models.CellPresence{CellId: id, RepAddress: "http://" + id, Zone: "z1"})
	}
}

func (r *recorder) Rep(cell *models.CellPresence) (controllers.Rep, error) {
	return fakeRep{r: r, cell: cell.CellId}, nil
}

func (r *recorder) lrpAuctions() []auctioneer.LRPStartRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]auctioneer.LRPStartRequest(nil), r.lrps...)
}

func (r *recorder) taskAuctions() []auctioneer.TaskStartRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]auctioneer.TaskStartRequest(nil), r.tasks...)
}

func (r *recorder) stopped() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.stops...)
}

type fakeRep struct {
	r    *recorder
	cell string
}

func (f fakeRep) StopLRPInstance(_ context.Context, pg, ig string) error {
	f.r.mu.Lock()
	defer f.r.mu.Unlock()
	f.r.stopN++
	if f.r.stopErr != nil {
		return f.r.stopErr
	}
	f.r.stops = append(f.r.stops, f.cell+"/"+pg+"/"+ig)
	return nil
}

func (f fakeRep) CancelTask(_ context.Context, guid string) error {
	f.r.mu.Lock()
	defer f.r.mu.Unlock()
	f.r.cancels = append(f.r.cancels, f.cell+"/"+guid)
	return nil
}

func (f fakeRep) UpdateLRPInstance(_ context.Context, u rep.LRPUpdate) error {
	f.r.mu.Lock()
	defer f.r.mu.Unlock()
	f.r.updates = append(f.r.updates, u)
	return nil
}

// api is a BBS API on a real SQLite store behind an httptest server.
type api struct {
	t      testing.TB
	store  *bbsdb.Indexed
	ctrl   *controllers.Controller
	hub    *events.Hub
	rec    *recorder
	client *client.Client
	url    string
	ready  chan struct{}
	reg    *metrics.Registry
}

func newAPI(t *testing.T) *api {
	t.Helper()
	return newAPIOn(t, dbtest.Open(t, db.SQLite), true)
}

func newAPIOn(t testing.TB, d *db.DB, migrated bool) *api {
	t.Helper()
	ring, err := encryption.NewKeyRing(encryption.Config{ActiveKeyLabel: "k", EncryptionKeys: map[string]string{"k": "secret"}})
	if err != nil {
		t.Fatal(err)
	}
	store := bbsdb.NewIndexed(bbsdb.New(d, encryption.NewEncoder(ring, nil), nil, nil))
	ready := make(chan struct{})
	if migrated {
		if err := store.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		close(ready)
	}
	logger := lager.NewLogger("bbs")
	logger.RegisterSink(lager.NewWriterSink(io.Discard, lager.DEBUG))
	rec := &recorder{}
	hub := events.NewHub(nil)
	ctrl := &controllers.Controller{
		Store: store, Auctioneer: rec, Reps: rec, Cells: rec, Emitter: hub,
		Logger: logger, MaxTaskRetries: 3,
	}
	reg := metrics.NewRegistry()
	h := handlers.New(handlers.Config{Logger: logger, Store: store, Controller: ctrl, Cells: rec, Hub: hub,
		Metrics: handlers.NewMetrics(reg), Ready: ready})
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		hub.Close()
		srv.CloseClientConnections()
		srv.Close()
	})
	c, err := client.New(client.Config{URL: srv.URL, RetryInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return &api{t: t, store: store, ctrl: ctrl, hub: hub, rec: rec, client: c, url: srv.URL, ready: ready, reg: reg}
}

func ctx() context.Context { return context.Background() }

// eventually polls cond until it holds or 10 s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func runAction() *models.Action {
	return models.WrapAction(&models.RunAction{Path: "/bin/true", User: "vcap"})
}

func desiredLRP(guid string, instances int32) *models.DesiredLRP {
	return &models.DesiredLRP{
		ProcessGuid: guid, Domain: "domain", RootFs: "preloaded:cflinuxfs4", Instances: instances,
		MemoryMb: 128, DiskMb: 256, LogGuid: "log-" + guid, Action: runAction(),
		MetricTags: map[string]*models.MetricTagValue{"source_id": {Static: "src-" + guid}},
	}
}

func taskDef() *models.TaskDefinition {
	return &models.TaskDefinition{RootFs: "preloaded:cflinuxfs4", Action: runAction(), MemoryMb: 64, DiskMb: 64}
}

func errType(err error) models.Error_Type {
	if me, ok := err.(*models.Error); ok {
		return me.Type
	}
	return -1
}

// ctxAuctioneer records the trace id the auction context carries.
type ctxAuctioneer struct {
	rec  *recorder
	seen *string
}

func (c ctxAuctioneer) RequestLRPAuctions(ctx context.Context, s []auctioneer.LRPStartRequest) error {
	*c.seen = rep.RequestID(ctx)
	return c.rec.RequestLRPAuctions(ctx, s)
}

func (c ctxAuctioneer) RequestTaskAuctions(ctx context.Context, s []auctioneer.TaskStartRequest) error {
	*c.seen = rep.RequestID(ctx)
	return c.rec.RequestTaskAuctions(ctx, s)
}
