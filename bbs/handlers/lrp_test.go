package handlers_test

import (
	"errors"
	"io"
	"reflect"
	"sort"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/proto/models"
)

func instanceKey(guid, cell string) *models.ActualLRPInstanceKey {
	return &models.ActualLRPInstanceKey{InstanceGuid: guid, CellId: cell}
}

func lrpKey(pg string, index int32) *models.ActualLRPKey {
	return &models.ActualLRPKey{ProcessGuid: pg, Index: index, Domain: "domain"}
}

func (a *api) ordinary(pg string, index int32) *models.ActualLRP {
	a.t.Helper()
	i := index
	lrps, err := a.client.ActualLRPs(ctx(), client.ActualLRPFilter{ProcessGUID: pg, Index: &i})
	if err != nil {
		a.t.Fatal(err)
	}
	for _, l := range lrps {
		if l.Presence == models.ActualLRP_ORDINARY {
			return l
		}
	}
	return nil
}

func (a *api) rows(pg string) []*models.ActualLRP {
	a.t.Helper()
	lrps, err := a.client.ActualLRPs(ctx(), client.ActualLRPFilter{ProcessGUID: pg})
	if err != nil {
		a.t.Fatal(err)
	}
	return lrps
}

func TestDesireCreatesUnclaimedInstancesAndAuctionsThem(t *testing.T) {
	a := newAPI(t)
	if err := a.client.DesireLRP(ctx(), desiredLRP("pg-1", 3)); err != nil {
		t.Fatal(err)
	}
	if got := len(a.rows("pg-1")); got != 3 {
		t.Fatalf("%d actual LRPs, want 3", got)
	}
	auctions := a.rec.lrpAuctions()
	if len(auctions) != 1 || !reflect.DeepEqual(auctions[0].Indices, []int{0, 1, 2}) || auctions[0].RootFs != "preloaded:cflinuxfs4" || auctions[0].MemoryMB != 128 {
		t.Fatalf("auctions %+v", auctions)
	}
	if err := a.client.DesireLRP(ctx(), desiredLRP("pg-1", 3)); errType(err) != models.Error_ResourceExists {
		t.Fatalf("desiring twice: %v", err)
	}
	d, err := a.client.DesiredLRPByProcessGuid(ctx(), "pg-1")
	if err != nil || d.Instances != 3 {
		t.Fatalf("desired %v %v", d, err)
	}
	infos, err := a.client.DesiredLRPSchedulingInfos(ctx(), client.DesiredLRPFilter{ProcessGUIDs: []string{"pg-1"}})
	if err != nil || len(infos) != 1 || infos[0].Instances != 3 {
		t.Fatalf("scheduling infos %v %v", infos, err)
	}
}

func TestScaleUpAuctionsNewIndicesAndScaleDownRetires(t *testing.T) {
	a := newAPI(t)
	a.rec.setCells("cell-1")
	if err := a.client.DesireLRP(ctx(), desiredLRP("pg", 2)); err != nil {
		t.Fatal(err)
	}
	if err := a.client.ClaimActualLRP(ctx(), lrpKey("pg", 1), instanceKey("ig-1", "cell-1")); err != nil {
		t.Fatal(err)
	}
	up := &models.DesiredLRPUpdate{}
	up.SetInstances(4)
	if err := a.client.UpdateDesiredLRP(ctx(), "pg", up); err != nil {
		t.Fatal(err)
	}
	auctions := a.rec.lrpAuctions()
	if last := auctions[len(auctions)-1]; !reflect.DeepEqual(last.Indices, []int{2, 3}) {
		t.Fatalf("scale-up auction %v", last.Indices)
	}
	down := &models.DesiredLRPUpdate{}
	down.SetInstances(1)
	if err := a.client.UpdateDesiredLRP(ctx(), "pg", down); err != nil {
		t.Fatal(err)
	}
	// Index 1 is claimed: its rep is told to stop it. 2 and 3 are unclaimed: deleted.
	if got := a.rec.stopped(); !reflect.DeepEqual(got, []string{"cell-1/pg/ig-1"}) {
		t.Fatalf("stops %v", got)
	}
	var indices []int
	for _, l := range a.rows("pg") {
		indices = append(indices, int(l.ActualLrpKey.Index))
	}
	sort.Ints(indices)
	if !reflect.DeepEqual(indices, []int{0, 1}) {
		t.Fatalf("indices left %v", indices)
	}
}

func TestActualLRPLifecycle(t *testing.T) {
	a := newAPI(t)
	if err := a.client.DesireLRP(ctx(), desiredLRP("pg", 1)); err != nil {
		t.Fatal(err)
	}
	key, ik := lrpKey("pg", 0), instanceKey("ig-1", "cell-1")
	if err := a.client.ClaimActualLRP(ctx(), key, ik); err != nil {
		t.Fatal(err)
	}
	net := &models.ActualLRPNetInfo{Address: "10.0.0.1", InstanceAddress: "10.255.0.1",
		Ports: []*models.PortMapping{{ContainerPort: 8080, HostPort: 61000}}}
	if err := a.client.StartActualLRP(ctx(), key, ik, net, nil, map[string]string{"app": "x"}, true, "z1"); err != nil {
		t.Fatal(err)
	}
	l := a.ordinary("pg", 0)
	if l.State != models.ActualLRPStateRunning || l.ActualLrpNetInfo.GetAddress() != "10.0.0.1" || !l.GetRoutable() || l.AvailabilityZone != "z1" {
		t.Fatalf("running lrp %v", l)
	}
	// Claiming a running instance from another cell is an illegal transition.
	if err := a.client.ClaimActualLRP(ctx(), key, instanceKey("ig-2", "cell-2")); errType(err) != models.Error_ActualLRPCannotBeClaimed {
		t.Fatalf("claim on another cell: %v", err)
	}
	// First crashes restart at once and are auctioned again.
	before := len(a.rec.lrpAuctions())
	if err := a.client.CrashActualLRP(ctx(), key, ik, "boom"); err != nil {
		t.Fatal(err)
	}
	l = a.ordinary("pg", 0)
	if l.State != models.ActualLRPStateUnclaimed || l.CrashCount != 1 || l.CrashReason != "boom" {
		t.Fatalf("after crash %v", l)
	}
	if len(a.rec.lrpAuctions()) != before+1 {
		t.Fatal("crash did not re-auction")
	}
	if err := a.client.FailActualLRP(ctx(), key, "no cells"); err != nil {
		t.Fatal(err)
	}
	if l = a.ordinary("pg", 0); l.PlacementError != "no cells" {
		t.Fatalf("placement error %q", l.PlacementError)
	}
	// Retiring an unclaimed instance deletes it.
	if err := a.client.RetireActualLRP(ctx(), key); err != nil {
		t.Fatal(err)
	}
	if a.ordinary("pg", 0) != nil {
		t.Fatal("retired unclaimed instance still there")
	}
	if err := a.client.RetireActualLRP(ctx(), key); errType(err) != models.Error_ResourceNotFound {
		t.Fatalf("retiring a missing instance: %v", err)
	}
}

func TestRetireOfRunningInstanceOnVanishedCellDeletesIt(t *testing.T) {
	a := newAPI(t)
	if err := a.client.DesireLRP(ctx(), desiredLRP("pg", 1)); err != nil {
		t.Fatal(err)
	}
	key, ik := lrpKey("pg", 0), instanceKey("ig-1", "gone-cell")
	if err := a.client.ClaimActualLRP(ctx(), key, ik); err != nil {
		t.Fatal(err)
	}
	if err := a.client.RetireActualLRP(ctx(), key); err != nil {
		t.Fatal(err)
	}
	if a.ordinary("pg", 0) != nil || len(a.rec.stopped()) != 0 {
		t.Fatal("instance on a vanished cell should be deleted, not stopped")
	}
}

func TestRemoveDesiredRetiresEverything(t *testing.T) {
	a := newAPI(t)
	a.rec.setCells("cell-1")
	if err := a.client.DesireLRP(ctx(), desiredLRP("pg", 2)); err != nil {
		t.Fatal(err)
	}
	if err := a.client.ClaimActualLRP(ctx(), lrpKey("pg", 0), instanceKey("ig-0", "cell-1")); err != nil {
		t.Fatal(err)
	}
	if err := a.client.RemoveDesiredLRP(ctx(), "pg"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.client.DesiredLRPByProcessGuid(ctx(), "pg"); errType(err) != models.Error_ResourceNotFound {
		t.Fatalf("desired after remove: %v", err)
	}
	if got := a.rec.stopped(); !reflect.DeepEqual(got, []string{"cell-1/pg/ig-0"}) {
		t.Fatalf("stops %v", got)
	}
	if rows := a.rows("pg"); len(rows) != 1 {
		t.Fatalf("rows left %d (the claimed one waits for its rep)", len(rows))
	}
}

func TestEvacuateRunningKeepsContainerUntilReplacementStarts(t *testing.T) {
	a := newAPI(t)
	if err := a.client.DesireLRP(ctx(), desiredLRP("pg", 1)); err != nil {
		t.Fatal(err)
	}
	key, old := lrpKey("pg", 0), instanceKey("ig-old", "cell-1")
	net := &models.ActualLRPNetInfo{Address: "10.0.0.1"}
	if err := a.client.ClaimActualLRP(ctx(), key, old); err != nil {
		t.Fatal(err)
	}
	if err := a.client.StartActualLRP(ctx(), key, old, net, nil, nil, true, ""); err != nil {
		t.Fatal(err)
	}
	keep, err := a.client.EvacuateRunningActualLRP(ctx(), key, old, net, nil, nil, true, "")
	if err != nil || !keep {
		t.Fatalf("evacuate running: keep=%v err=%v", keep, err)
	}
	rows := a.rows("pg")
	if len(rows) != 2 {
		t.Fatalf("rows %v", rows)
	}
	if l := a.ordinary("pg", 0); l.State != models.ActualLRPStateUnclaimed {
		t.Fatalf("ordinary after evacuation %v", l)
	}
	groups, err := a.client.ActualLRPGroupsByProcessGuid(ctx(), "pg")
	if err != nil || len(groups) != 1 || groups[0].Evacuating == nil || groups[0].Instance == nil {
		t.Fatalf("groups %v %v", groups, err)
	}
	// The replacement starts elsewhere: the evacuating row goes.
	repl := instanceKey("ig-new", "cell-2")
	if err := a.client.ClaimActualLRP(ctx(), key, repl); err != nil {
		t.Fatal(err)
	}
	if err := a.client.StartActualLRP(ctx(), key, repl, net, nil, nil, true, ""); err != nil {
		t.Fatal(err)
	}
	if rows := a.rows("pg"); len(rows) != 1 || rows[0].ActualLrpInstanceKey.InstanceGuid != "ig-new" {
		t.Fatalf("rows after replacement started %v", rows)
	}
	// The old cell asks again: its instance is no longer wanted.
	keep, err = a.client.EvacuateRunningActualLRP(ctx(), key, old, net, nil, nil, true, "")
	if err != nil || keep {
		t.Fatalf("second evacuate: keep=%v err=%v", keep, err)
	}
}

func TestEvacuateClaimedStoppedAndCrashed(t *testing.T) {
	a := newAPI(t)
	if err := a.client.DesireLRP(ctx(), desiredLRP("pg", 1)); err != nil {
		t.Fatal(err)
	}
	key, ik := lrpKey("pg", 0), instanceKey("ig-1", "cell-1")
	if err := a.client.ClaimActualLRP(ctx(), key, ik); err != nil {
		t.Fatal(err)
	}
	auctions := len(a.rec.lrpAuctions())
	keep, err := a.client.EvacuateClaimedActualLRP(ctx(), key, ik)
	if err != nil || keep {
		t.Fatalf("evacuate claimed: %v %v", keep, err)
	}
	if l := a.ordinary("pg", 0); l.State != models.ActualLRPStateUnclaimed || len(a.rec.lrpAuctions()) != auctions+1 {
		t.Fatalf("after evacuate claimed: %v", l)
	}
	if err := a.client.ClaimActualLRP(ctx(), key, ik); err != nil {
		t.Fatal(err)
	}
	if _, err := a.client.EvacuateStoppedActualLRP(ctx(), key, ik); err != nil {
		t.Fatal(err)
	}
	if a.ordinary("pg", 0) != nil {
		t.Fatal("evacuate stopped left the row")
	}
	if err := a.client.RemoveEvacuatingActualLRP(ctx(), key, ik); errType(err) != models.Error_ResourceNotFound {
		t.Fatalf("remove evacuating of nothing: %v", err)
	}
}

func TestDeprecatedReadsDowngrade(t *testing.T) {
	a := newAPI(t)
	d := desiredLRP("pg", 0)
	d.ImageLayers = []*models.ImageLayer{
		{Name: "shared", Url: "http://x/s.tgz", DestinationPath: "/s", LayerType: models.ImageLayer_SHARED, MediaType: models.ImageLayer_TGZ},
		{Name: "own", Url: "http://x/o.tgz", DestinationPath: "/o", LayerType: models.ImageLayer_EXCLUSIVE, MediaType: models.ImageLayer_TGZ,
			DigestAlgorithm: models.ImageLayer_SHA256, DigestValue: "abc"},
	}
	d.LegacyDownloadUser = "vcap"
	if err := a.client.DesireLRP(ctx(), d); err != nil {
		t.Fatal(err)
	}
	got, err := a.client.DesiredLRPByProcessGuid(ctx(), "pg")
	if err != nil || len(got.ImageLayers) != 2 {
		t.Fatalf("r3 read %v %v", got, err)
	}
	body, _ := proto.Marshal(&models.DesiredLRPByProcessGuidRequest{ProcessGuid: "pg"})
	resp := post(t, a.url+"/v1/desired_lrps/get_by_process_guid.r2", body)
	raw, _ := io.ReadAll(resp.Body)
	var r2 models.DesiredLRPResponse
	if err := proto.Unmarshal(raw, &r2); err != nil {
		t.Fatal(err)
	}
	v2 := r2.DesiredLrp
	if len(v2.ImageLayers) != 0 || len(v2.CachedDependencies) != 1 || v2.CachedDependencies[0].CacheKey != "http://x/s.tgz" {
		t.Fatalf("r2 cached dependencies %v", v2.CachedDependencies)
	}
	// No setup before: the setup is just the parallel downloads of exclusive layers.
	if v2.Setup.GetParallelAction().GetActions()[0].GetDownloadAction().GetCacheKey() != "sha256:abc" {
		t.Fatalf("r2 setup %v", v2.Setup)
	}
}

func TestRetireTriesTheRepFiveTimes(t *testing.T) {
	a := newAPI(t)
	a.rec.setCells("cell-1")
	a.rec.stopErr = errors.New("rep unreachable")
	if err := a.client.DesireLRP(ctx(), desiredLRP("pg", 1)); err != nil {
		t.Fatal(err)
	}
	if err := a.client.ClaimActualLRP(ctx(), lrpKey("pg", 0), instanceKey("ig", "cell-1")); err != nil {
		t.Fatal(err)
	}
	err := a.client.RetireActualLRP(ctx(), lrpKey("pg", 0))
	if err == nil || !strings.Contains(err.Error(), "rep unreachable") {
		t.Fatalf("retire: %v", err)
	}
	a.rec.mu.Lock()
	defer a.rec.mu.Unlock()
	if a.rec.stopN != 5 {
		t.Fatalf("%d stop attempts, want 5", a.rec.stopN)
	}
}

func TestUpdatePushesInternalRoutesAndMetricTagsToReps(t *testing.T) {
	a := newAPI(t)
	a.rec.setCells("cell-1")
	if err := a.client.DesireLRP(ctx(), desiredLRP("pg", 1)); err != nil {
		t.Fatal(err)
	}
	key, ik := lrpKey("pg", 0), instanceKey("ig-1", "cell-1")
	_ = a.client.ClaimActualLRP(ctx(), key, ik)
	if err := a.client.StartActualLRP(ctx(), key, ik, &models.ActualLRPNetInfo{Address: "1.1.1.1"}, nil, nil, true, ""); err != nil {
		t.Fatal(err)
	}
	update := &models.DesiredLRPUpdate{
		Routes: &models.ProtoRoutes{Routes: map[string][]byte{"internal-router": []byte(`[{"hostname":"app.apps.internal"}]`)}},
		MetricTags: map[string]*models.MetricTagValue{
			"source_id": {Static: "src-pg"}, "index": {Dynamic: models.MetricTagValue_INDEX},
		},
	}
	if err := a.client.UpdateDesiredLRP(ctx(), "pg", update); err != nil {
		t.Fatal(err)
	}
	a.rec.mu.Lock()
	defer a.rec.mu.Unlock()
	if len(a.rec.updates) != 1 {
		t.Fatalf("rep updates %+v", a.rec.updates)
	}
	u := a.rec.updates[0]
	if u.InstanceGUID != "ig-1" || len(u.InternalRoutes) != 1 || u.InternalRoutes[0].Hostname != "app.apps.internal" ||
		u.MetricTags["index"] != "0" || u.MetricTags["source_id"] != "src-pg" {
		t.Fatalf("rep update %+v", u)
	}
}
