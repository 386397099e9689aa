package bbsdb

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/db/bbsdb/encryption"
	"github.com/godiego/diego/db/dbtest"
	"github.com/godiego/diego/proto/models"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *fakeClock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// seqGUIDs mints "epoch-1", "epoch-2", ...
type seqGUIDs struct {
	mu sync.Mutex
	n  int
}

func (g *seqGUIDs) NextGUID() (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n++
	return fmt.Sprintf("epoch-%d", g.n), nil
}

type harness struct {
	*SQLDB
	clock *fakeClock
	ctx   context.Context
}

func testEncoder(t *testing.T, active string, keys map[string]string) *encryption.Encoder {
	t.Helper()
	ring, err := encryption.NewKeyRing(encryption.Config{ActiveKeyLabel: active, EncryptionKeys: keys})
	if err != nil {
		t.Fatal(err)
	}
	return encryption.NewEncoder(ring, nil)
}

func newHarness(t *testing.T, d *db.DB) *harness {
	t.Helper()
	clock := &fakeClock{now: time.Unix(1700000000, 0)}
	s := New(d, testEncoder(t, "k1", map[string]string{"k1": "passphrase-1"}), clock, &seqGUIDs{})
	ctx := context.Background()
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return &harness{SQLDB: s, clock: clock, ctx: ctx}
}

// forEachStore runs fn on a fresh, migrated store per backend.
func forEachStore(t *testing.T, fn func(t *testing.T, h *harness)) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) { fn(t, newHarness(t, d)) })
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, err error, want *models.Error) {
	t.Helper()
	if err == nil || !want.Equal(err) {
		t.Fatalf("got error %v (%T), want %v", err, err, want)
	}
}

func key(guid string, index int32) *models.ActualLRPKey {
	return &models.ActualLRPKey{ProcessGuid: guid, Index: index, Domain: "domain"}
}

func ikey(guid, cell string) *models.ActualLRPInstanceKey {
	return &models.ActualLRPInstanceKey{InstanceGuid: guid, CellId: cell}
}

func desiredLRP(guid string, instances int32) *models.DesiredLRP {
	return &models.DesiredLRP{
		ProcessGuid: guid,
		Domain:      "domain",
		RootFs:      "preloaded:cflinuxfs4",
		Instances:   instances,
		LogGuid:     "log-" + guid,
		MemoryMb:    128,
		DiskMb:      256,
		MaxPids:     100,
		Annotation:  "annotated",
		Ports:       []uint32{8080, 8080, 9090},
		Action:      models.WrapAction(&models.RunAction{Path: "/bin/app", User: "vcap"}),
		Routes: &models.ProtoRoutes{Routes: map[string][]byte{
			"cf-router":       []byte(`[{"hostnames":["a.example.com"],"port":8080}]`),
			"internal-router": []byte(`[{"hostname":"a.apps.internal"}]`),
		}},
		PlacementTags: []string{"zone-a"},
		VolumeMounts:  []*models.VolumeMount{{Driver: "nfs", ContainerDir: "/data"}},
		MetricTags:    map[string]*models.MetricTagValue{"app": {Static: "my-app"}, "index": {Dynamic: models.MetricTagValue_INDEX}},
	}
}

func netInfo(addr string) *models.ActualLRPNetInfo {
	return &models.ActualLRPNetInfo{Address: addr, InstanceAddress: "10.255.0.1",
		Ports: []*models.PortMapping{{ContainerPort: 8080, HostPort: 61000}}, PreferredAddress: models.ActualLRPNetInfo_HOST}
}

func cellSet(ids ...string) CellSet {
	cs := CellSet{}
	for _, id := range ids {
		cs[id] = &models.CellPresence{CellId: id, RepAddress: "http://" + id}
	}
	return cs
}

func testEncoderB(b *testing.B) *encryption.Encoder {
	ring, err := encryption.NewKeyRing(encryption.Config{ActiveKeyLabel: "k1", EncryptionKeys: map[string]string{"k1": "passphrase-1"}})
	if err != nil {
		b.Fatal(err)
	}
	return encryption.NewEncoder(ring, nil)
}
