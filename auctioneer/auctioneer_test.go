package auctioneer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"code.cloudfoundry.org/lager/v3"

	"github.com/godiego/diego/auctioneer/client"
	"github.com/godiego/diego/auctioneer/placement"
	"github.com/godiego/diego/internal/certs"
	"github.com/godiego/diego/internal/metrics"
	"github.com/godiego/diego/proto/models"
	rep "github.com/godiego/diego/rep/client"
)

// simCell serves the rep API's /state and /work for one simulated cell.
type simCell struct {
	mu        sync.Mutex
	state     rep.CellState
	received  []rep.Work
	rejectAll bool
	server    *httptest.Server
}

func newSimCell(t *testing.T, id, zone string, memoryMB int32) *simCell {
	t.Helper()
	c := &simCell{state: rep.CellState{
		CellID: id, Zone: zone,
		RootFSProviders:    rep.RootFSProviders{"preloaded": rep.FixedSetProvider("cflinuxfs4")},
		AvailableResources: rep.Resources{MemoryMB: memoryMB, DiskMB: 100000, Containers: 100},
		TotalResources:     rep.Resources{MemoryMB: memoryMB, DiskMB: 100000, Containers: 100},
	}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /state", func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		defer c.mu.Unlock()
		_ = json.NewEncoder(w).Encode(c.state)
	})
	mux.HandleFunc("POST /work", func(w http.ResponseWriter, r *http.Request) {
		var work rep.Work
		_ = json.NewDecoder(r.Body).Decode(&work)
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.rejectAll {
			_ = json.NewEncoder(w).Encode(work)
			return
		}
		c.received = append(c.received, work)
		for _, l := range work.LRPs {
			c.state.AddLRP(l)
		}
		_ = json.NewEncoder(w).Encode(rep.Work{})
	})
	c.server = httptest.NewServer(mux)
	t.Cleanup(c.server.Close)
	return c
}

func (c *simCell) presence() *models.CellPresence {
	return &models.CellPresence{CellId: c.state.CellID, RepAddress: c.server.URL, RepUrl: c.server.URL, Zone: c.state.Zone}
}

func (c *simCell) lrpCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, w := range c.received {
		n += len(w.LRPs) + len(w.Tasks)
	}
	return n
}

// recordingBBS stands in for the BBS process.
type recordingBBS struct {
	mu       sync.Mutex
	cells    []*models.CellPresence
	failed   map[string]string
	rejected map[string]string
}

func (b *recordingBBS) Cells(context.Context) ([]*models.CellPresence, error) { return b.cells, nil }

func (b *recordingBBS) FailActualLRP(_ context.Context, key *models.ActualLRPKey, reason string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failed[fmt.Sprintf("%s.%d", key.ProcessGuid, key.Index)] = reason
	return nil
}

func (b *recordingBBS) RejectTask(_ context.Context, guid, reason string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rejected[guid] = reason
	return nil
}

func setup(t *testing.T, cells ...*simCell) (*Runner, *Handler, *recordingBBS) {
	t.Helper()
	bbs := &recordingBBS{failed: map[string]string{}, rejected: map[string]string{}}
	for _, c := range cells {
		bbs.cells = append(bbs.cells, c.presence())
	}
	n := 0
	guid := func() string { n++; return fmt.Sprintf("ig-%d", n) }
	q := NewQueue()
	logger := lager.NewLogger("test")
	r := &Runner{Logger: logger, Queue: q, BBS: bbs, Reps: rep.NewFactory(rep.Config{}), Options: placement.DefaultOptions(),
		Workers: 10, Metrics: NewMetrics(metrics.NewRegistry()), Now: time.Now}
	h := &Handler{Logger: logger, Queue: q, NewGUID: guid, Now: time.Now}
	return r, h, bbs
}

func post(t *testing.T, h *Handler, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.Routes().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)))
	return rec
}

func lrpStarts(pg string, memory int32, indices ...int) string {
	req := client.NewLRPStartRequest(pg, "domain", indices, rep.Resource{MemoryMB: memory, DiskMB: 10}, "preloaded:cflinuxfs4", nil, nil)
	data, _ := json.Marshal([]client.LRPStartRequest{req})
	return string(data)
}

func TestInstancesSpreadAcrossZonesAndCells(t *testing.T) {
	a, b := newSimCell(t, "cell-a", "z1", 4096), newSimCell(t, "cell-b", "z2", 4096)
	r, h, bbs := setup(t, a, b)
	if rec := post(t, h, "/v1/lrps", lrpStarts("web", 256, 0, 1, 2, 3)); rec.Code != http.StatusAccepted || rec.Body.String() != "{}" {
		t.Fatalf("POST /v1/lrps: %d %s", rec.Code, rec.Body)
	}
	r.Round(context.Background())
	if a.lrpCount() != 2 || b.lrpCount() != 2 {
		t.Fatalf("placed %d on a, %d on b; want 2 and 2", a.lrpCount(), b.lrpCount())
	}
	if len(bbs.failed) != 0 {
		t.Fatalf("unexpected failures %v", bbs.failed)
	}
	if got := r.Metrics.Succeeded.With("lrp"); got == nil {
		t.Fatal("no metric")
	}
}

func TestUnplaceableWorkIsReportedToTheBBS(t *testing.T) {
	small := newSimCell(t, "cell-a", "z1", 512)
	r, h, bbs := setup(t, small)
	post(t, h, "/v1/lrps", lrpStarts("big", 1024, 0))
	task := client.NewTaskStartRequest("task-1", "domain", rep.Resource{MemoryMB: 2048}, "preloaded:cflinuxfs4", nil, nil)
	data, _ := json.Marshal([]client.TaskStartRequest{task})
	post(t, h, "/v1/tasks", string(data))
	r.Round(context.Background())
	if got := bbs.failed["big.0"]; got != "insufficient resources: memory" {
		t.Fatalf("lrp failure reason %q", got)
	}
	if got := bbs.rejected["task-1"]; got != "insufficient resources: memory" {
		t.Fatalf("task rejection reason %q", got)
	}
}

func TestNoCellsMeansNoCommunication(t *testing.T) {
	r, h, bbs := setup(t)
	post(t, h, "/v1/lrps", lrpStarts("web", 64, 0))
	r.Round(context.Background())
	if got := bbs.failed["web.0"]; got != placement.ErrCellCommunication.Error() {
		t.Fatalf("reason %q", got)
	}
}

func TestEvacuatingCellsAreSkipped(t *testing.T) {
	evac := newSimCell(t, "cell-a", "z1", 4096)
	evac.state.Evacuating = true
	ok := newSimCell(t, "cell-b", "z1", 4096)
	r, h, _ := setup(t, evac, ok)
	post(t, h, "/v1/lrps", lrpStarts("web", 64, 0, 1))
	r.Round(context.Background())
	if evac.lrpCount() != 0 || ok.lrpCount() != 2 {
		t.Fatalf("evacuating cell got %d, other %d", evac.lrpCount(), ok.lrpCount())
	}
}

func TestRejectedWorkIsRetriedThenFailed(t *testing.T) {
	cell := newSimCell(t, "cell-a", "z1", 4096)
	cell.rejectAll = true
	r, h, bbs := setup(t, cell)
	post(t, h, "/v1/lrps", lrpStarts("web", 64, 0))
	for round := 1; round < MaxCommitAttempts; round++ {
		r.Round(context.Background())
		if r.Queue.Len() != 1 || len(bbs.failed) != 0 {
			t.Fatalf("round %d: queue %d, failed %v", round, r.Queue.Len(), bbs.failed)
		}
	}
	r.Round(context.Background())
	if got := bbs.failed["web.0"]; got != ErrWorkRejected {
		t.Fatalf("after %d attempts: %q (queue %d)", MaxCommitAttempts, got, r.Queue.Len())
	}
}

func TestHandlerRejectsMalformedJSONAndDropsInvalidEntries(t *testing.T) {
	_, h, _ := setup(t)
	rec := post(t, h, "/v1/lrps", "{not json")
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"error"`) {
		t.Fatalf("malformed: %d %s", rec.Code, rec.Body)
	}
	invalid := `[{"process_guid":"","domain":"d","indices":[0],"RootFs":"preloaded:x"},` + strings.Trim(lrpStarts("ok", 64, 0), "[]") + `]`
	if rec := post(t, h, "/v1/lrps", invalid); rec.Code != http.StatusAccepted {
		t.Fatalf("mixed: %d", rec.Code)
	}
	if h.Queue.Len() != 1 {
		t.Fatalf("queued %d, want only the valid one", h.Queue.Len())
	}
	rec = httptest.NewRecorder()
	h.Routes().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/lrps", bytes.NewReader(nil)))
	if rec.Code == http.StatusAccepted {
		t.Fatal("GET accepted")
	}
}

func TestRequestsForTheSameInstanceAreDeduplicated(t *testing.T) {
	_, h, _ := setup(t)
	post(t, h, "/v1/lrps", lrpStarts("web", 64, 0, 1))
	post(t, h, "/v1/lrps", lrpStarts("web", 64, 1, 2))
	if h.Queue.Len() != 3 {
		t.Fatalf("queue holds %d, want 3 distinct instances", h.Queue.Len())
	}
}

func TestConfigDefaultsAndValidation(t *testing.T) {
	cfg := DefaultConfig()
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "bbs_address") || !strings.Contains(err.Error(), "uuid") {
		t.Fatalf("want missing keys reported, got %v", err)
	}
	paths, err := certs.Generate(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.BBSAddress, cfg.LocketAddress, cfg.UUID = "http://127.0.0.1:8889", "127.0.0.1:8891", "a"
	cfg.LocketCACertFile, cfg.LocketClientCertFile, cfg.LocketClientKeyFile = paths.CACert, paths.ClientCert, paths.ClientKey
	cfg.StartingContainerWeight = 2
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "starting_container_weight") {
		t.Fatalf("want the weight rejected, got %v", err)
	}
	cfg.StartingContainerWeight = 0.5
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if opts := cfg.PlacementOptions(); opts.StartingContainerWeight != 0.5 {
		t.Fatalf("options %+v", opts)
	}
}
