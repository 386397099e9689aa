package bbsdb

import (
	"math"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/proto/models"
)

func TestMigrateRecordsUpstreamVersion(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		var raw string
		must(t, h.db.QueryRow(h.ctx, "SELECT value FROM configurations WHERE id = 'version'").Scan(&raw))
		if raw != `{"CurrentVersion":1698182853}` {
			t.Fatalf("version row %q", raw)
		}
		must(t, h.Migrate(h.ctx)) // idempotent
		_, err := h.db.Exec(h.ctx, "UPDATE configurations SET value = ? WHERE id = 'version'", `{"CurrentVersion":1798182853}`)
		must(t, err)
		if err := h.Migrate(h.ctx); err == nil {
			t.Fatal("migrated a database newer than the code")
		}
		_, err = h.db.Exec(h.ctx, "UPDATE configurations SET value = ? WHERE id = 'version'", `{"CurrentVersion":1461790966}`)
		must(t, err)
		if err := h.Migrate(h.ctx); err == nil {
			t.Fatal("accepted a schema too old to upgrade")
		}
	})
}

func TestMigrateUpgradesFromPresenceSchema(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		for _, stmt := range []string{
			"ALTER TABLE actual_lrps DROP COLUMN availability_zone",
			"ALTER TABLE actual_lrps DROP COLUMN routable",
			"ALTER TABLE actual_lrps DROP COLUMN metric_tags",
			"ALTER TABLE actual_lrps DROP COLUMN internal_routes",
		} {
			_, err := h.db.Exec(h.ctx, stmt)
			must(t, err)
		}
		_, err := h.db.Exec(h.ctx, `INSERT INTO actual_lrps (process_guid, instance_index, presence, domain, state, net_info, modification_tag_epoch, modification_tag_index)
			VALUES ('old', 0, 0, 'domain', 'RUNNING', '', 'e', 0)`)
		must(t, err)
		_, err = h.db.Exec(h.ctx, "UPDATE configurations SET value = ? WHERE id = 'version'", `{"CurrentVersion":1529530809}`)
		must(t, err)
		must(t, h.Migrate(h.ctx))
		lrps, err := h.ActualLRPs(h.ctx, ActualLRPFilter{})
		must(t, err)
		if len(lrps) != 1 || !lrps[0].GetRoutable() || lrps[0].GetAvailabilityZone() != "" {
			t.Fatalf("after upgrade: %v", lrps)
		}
	})
}

func TestDomains(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		must(t, h.UpsertDomain(h.ctx, "forever", 0))
		must(t, h.UpsertDomain(h.ctx, "short", 10))
		must(t, h.UpsertDomain(h.ctx, "short", 20)) // upsert extends
		var exp int64
		must(t, h.db.QueryRow(h.ctx, "SELECT expire_time FROM domains WHERE domain = 'forever'").Scan(&exp))
		if exp != math.MaxInt64 {
			t.Fatalf("ttl 0 stored %d", exp)
		}
		got, err := h.FreshDomains(h.ctx)
		must(t, err)
		if len(got) != 2 {
			t.Fatalf("fresh %v", got)
		}
		h.clock.Advance(21 * time.Second)
		got, err = h.FreshDomains(h.ctx)
		must(t, err)
		if len(got) != 1 || got[0] != "forever" {
			t.Fatalf("fresh after expiry %v", got)
		}
	})
}

func TestDesiredLRPLifecycle(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		in := desiredLRP("pg-1", 2)
		must(t, h.DesireLRP(h.ctx, in))
		if in.GetModificationTag().GetEpoch() != "epoch-1" || in.GetModificationTag().GetIndex() != 0 {
			t.Fatalf("tag %v", in.GetModificationTag())
		}
		wantErr(t, h.DesireLRP(h.ctx, desiredLRP("pg-1", 1)), models.ErrResourceExists)
		must(t, h.DesireLRP(h.ctx, desiredLRP("pg-2", 1)))

		got, err := h.DesiredLRPByProcessGuid(h.ctx, "pg-1")
		must(t, err)
		want := proto.Clone(in).(*models.DesiredLRP)
		want.Ports = []uint32{8080, 9090}
		if !proto.Equal(got, want) {
			t.Fatalf("round trip:\n got %v\nwant %v", got, want)
		}
		_, err = h.DesiredLRPByProcessGuid(h.ctx, "nope")
		wantErr(t, err, models.ErrResourceNotFound)

		all, err := h.DesiredLRPs(h.ctx, DesiredLRPFilter{})
		must(t, err)
		if len(all) != 2 {
			t.Fatalf("all %d", len(all))
		}
		some, err := h.DesiredLRPs(h.ctx, DesiredLRPFilter{ProcessGUIDs: []string{"pg-2"}})
		must(t, err)
		if len(some) != 1 || some[0].GetProcessGuid() != "pg-2" {
			t.Fatalf("filtered %v", some)
		}
		none, err := h.DesiredLRPs(h.ctx, DesiredLRPFilter{Domain: "other"})
		must(t, err)
		if len(none) != 0 {
			t.Fatalf("domain filter %v", none)
		}

		infos, err := h.DesiredLRPSchedulingInfos(h.ctx, DesiredLRPFilter{ProcessGUIDs: []string{"pg-1"}})
		must(t, err)
		si := infos[0]
		if len(infos) != 1 || si.GetInstances() != 2 || si.GetDesiredLrpResource().GetRootFs() != "preloaded:cflinuxfs4" ||
			si.GetDesiredLrpResource().GetMaxPids() != 100 || si.GetVolumePlacement().GetDriverNames()[0] != "nfs" ||
			si.GetPlacementTags()[0] != "zone-a" || string(si.GetRoutes().GetRoutes()["cf-router"]) != `[{"hostnames":["a.example.com"],"port":8080}]` {
			t.Fatalf("scheduling info %v", si)
		}

		routing, err := h.DesiredLRPRoutingInfos(h.ctx, DesiredLRPFilter{ProcessGUIDs: []string{"pg-1"}})
		must(t, err)
		if len(routing) != 1 || routing[0].GetMetricTags()["app"].GetStatic() != "my-app" || routing[0].GetAction() != nil ||
			routing[0].GetLogGuid() != "log-pg-1" || routing[0].GetInstances() != 2 {
			t.Fatalf("routing info %v", routing)
		}

		update := &models.DesiredLRPUpdate{
			OptionalInstances:  &models.DesiredLRPUpdate_Instances{Instances: 5},
			OptionalAnnotation: &models.DesiredLRPUpdate_Annotation{Annotation: "new"},
			Routes:             &models.ProtoRoutes{Routes: map[string][]byte{"cf-router": []byte(`[]`)}},
			MetricTags:         map[string]*models.MetricTagValue{"x": {Static: "y"}},
		}
		before, after, err := h.UpdateDesiredLRP(h.ctx, "pg-1", update)
		must(t, err)
		if before.GetInstances() != 2 || after.GetInstances() != 5 || after.GetAnnotation() != "new" ||
			after.GetModificationTag().GetIndex() != 1 || after.GetMetricTags()["x"].GetStatic() != "y" {
			t.Fatalf("update before %v after %v", before, after)
		}
		reread, err := h.DesiredLRPByProcessGuid(h.ctx, "pg-1")
		must(t, err)
		if !proto.Equal(reread, after) {
			t.Fatalf("after update:\n got %v\nwant %v", reread, after)
		}
		_, _, err = h.UpdateDesiredLRP(h.ctx, "nope", update)
		wantErr(t, err, models.ErrResourceNotFound)

		removed, err := h.RemoveDesiredLRP(h.ctx, "pg-1")
		must(t, err)
		if removed.GetProcessGuid() != "pg-1" {
			t.Fatalf("removed %v", removed)
		}
		_, err = h.RemoveDesiredLRP(h.ctx, "pg-1")
		wantErr(t, err, models.ErrResourceNotFound)
		n, err := h.CountDesiredInstances(h.ctx)
		must(t, err)
		if n != 1 {
			t.Fatalf("desired instances %d", n)
		}
	})
}
