package routingtable

import (
	"encoding/json"
	"testing"

	"github.com/godiego/diego/proto/models"
)

func desired(pg string, routes map[string]string) DesiredRoutes {
	raw := map[string][]byte{}
	for k, v := range routes {
		raw[k] = []byte(v)
	}
	return DesiredRoutesFrom(&models.DesiredLRP{
		ProcessGuid: pg, Domain: "cf-apps", LogGuid: "log-" + pg, Instances: 2,
		Routes:     &models.ProtoRoutes{Routes: raw},
		MetricTags: map[string]*models.MetricTagValue{"app": {Static: "web"}, "idx": {Dynamic: models.MetricTagValue_INDEX}},
	})
}

type lrpOpt func(*models.ActualLRP)

func actual(pg string, index int32, guid, state string, opts ...lrpOpt) *models.ActualLRP {
	lrp := &models.ActualLRP{
		ActualLrpKey:         &models.ActualLRPKey{ProcessGuid: pg, Index: index, Domain: "cf-apps"},
		ActualLrpInstanceKey: &models.ActualLRPInstanceKey{InstanceGuid: guid, CellId: "cell-1"},
		ActualLrpNetInfo: &models.ActualLRPNetInfo{
			Address: "10.0.0.1", InstanceAddress: "10.254.0.2",
			Ports: []*models.PortMapping{{ContainerPort: 8080, HostPort: 61001}},
		},
		State: state, Since: 1000,
	}
	for _, o := range opts {
		o(lrp)
	}
	return lrp
}

func hostPort(port uint32) lrpOpt {
	return func(l *models.ActualLRP) { l.ActualLrpNetInfo.Ports[0].HostPort = port }
}

func evacuating(l *models.ActualLRP) { l.Presence = models.ActualLRP_EVACUATING }

func routable(b bool) lrpOpt {
	return func(l *models.ActualLRP) { l.OptionalRoutable = &models.ActualLRP_Routable{Routable: b} }
}

func uris(ms []RegistryMessage) []string {
	var out []string
	for _, m := range ms {
		for _, u := range m.URIs {
			out = append(out, u+"@"+m.Host+":"+itoa(m.Port))
		}
	}
	return out
}

func itoa(n uint32) string { b, _ := json.Marshal(n); return string(b) }

func expect(t *testing.T, what string, got []RegistryMessage, want ...string) {
	t.Helper()
	g := uris(got)
	if len(g) != len(want) {
		t.Fatalf("%s: got %v, want %v", what, g, want)
	}
	for i := range want {
		if g[i] != want[i] {
			t.Fatalf("%s: got %v, want %v", what, g, want)
		}
	}
}

const web = `[{"hostnames":["a.example.com","b.example.com"],"port":8080}]`

func TestRunningInstanceRegistersEveryHostname(t *testing.T) {
	tbl := New(Options{})
	if m := tbl.SetDesired(desired("pg", map[string]string{CFRouterKey: web})); !m.Empty() {
		t.Fatalf("a desired LRP without instances emitted %+v", m)
	}
	m := tbl.SetActual(actual("pg", 0, "ig-1", "RUNNING"))
	expect(t, "register", m.Registrations, "a.example.com@10.0.0.1:61001", "b.example.com@10.0.0.1:61001")
	if len(m.Unregistrations) != 0 {
		t.Fatalf("unexpected unregistrations %+v", m.Unregistrations)
	}
}

func TestRegistryMessageJSONMatchesUpstreamShape(t *testing.T) {
	tbl := New(Options{})
	tbl.SetDesired(desired("pg", map[string]string{CFRouterKey: `[{"hostnames":["a.example.com"],"port":8080,"route_service_url":"https://rs","isolation_segment":"iso","protocol":"http2"}]`}))
	m := tbl.SetActual(actual("pg", 1, "ig-1", "RUNNING", func(l *models.ActualLRP) { l.AvailabilityZone = "z1" }))
	got, _ := json.Marshal(m.Registrations[0])
	want := `{"host":"10.0.0.1","port":61001,"uris":["a.example.com"],"protocol":"http2","app":"log-pg","route_service_url":"https://rs","private_instance_id":"ig-1","private_instance_index":"1","server_cert_domain_san":"ig-1","isolation_segment":"iso","endpoint_updated_at_ns":1000,"tags":{"app":"web","component":"route-emitter","idx":"1"},"availability_zone":"z1"}`
	if string(got) != want {
		t.Fatalf("JSON\n got %s\nwant %s", got, want)
	}
}

func TestNonRunningOrUnroutableInstancesAreNotRegistered(t *testing.T) {
	for _, state := range []string{"UNCLAIMED", "CLAIMED", "CRASHED"} {
		tbl := New(Options{})
		tbl.SetDesired(desired("pg", map[string]string{CFRouterKey: web}))
		if m := tbl.SetActual(actual("pg", 0, "ig", state)); !m.Empty() {
			t.Errorf("%s instance emitted %+v", state, m)
		}
	}
	tbl := New(Options{})
	tbl.SetDesired(desired("pg", map[string]string{CFRouterKey: web}))
	if m := tbl.SetActual(actual("pg", 0, "ig", "RUNNING", routable(false))); !m.Empty() {
		t.Errorf("unroutable instance emitted %+v", m)
	}
	m := tbl.SetActual(actual("pg", 0, "ig", "RUNNING", routable(true)))
	expect(t, "now routable", m.Registrations, "a.example.com@10.0.0.1:61001", "b.example.com@10.0.0.1:61001")
}

func TestScaleUpAndDownAndCrash(t *testing.T) {
	tbl := New(Options{})
	tbl.SetDesired(desired("pg", map[string]string{CFRouterKey: `[{"hostnames":["a"],"port":8080}]`}))
	tbl.SetActual(actual("pg", 0, "ig-0", "RUNNING"))
	m := tbl.SetActual(actual("pg", 1, "ig-1", "RUNNING", hostPort(61002)))
	expect(t, "scale up", m.Registrations, "a@10.0.0.1:61002")
	m = tbl.SetActual(actual("pg", 1, "ig-1", "CRASHED", hostPort(61002)))
	expect(t, "crash", m.Unregistrations, "a@10.0.0.1:61002")
	expect(t, "crash registers nothing", m.Registrations)
	m = tbl.RemoveActual(actual("pg", 0, "ig-0", "RUNNING"))
	expect(t, "remove", m.Unregistrations, "a@10.0.0.1:61001")
	if tbl.RouteCount() != 0 {
		t.Fatalf("routes left: %d", tbl.RouteCount())
	}
}

func TestRouteChangesEmitOnlyTheDifference(t *testing.T) {
	tbl := New(Options{})
	tbl.SetDesired(desired("pg", map[string]string{CFRouterKey: `[{"hostnames":["a","b"],"port":8080}]`}))
	tbl.SetActual(actual("pg", 0, "ig", "RUNNING"))

	m := tbl.SetDesired(desired("pg", map[string]string{CFRouterKey: `[{"hostnames":["b","c"],"port":8080}]`}))
	expect(t, "added hostname", m.Registrations, "c@10.0.0.1:61001")
	expect(t, "removed hostname", m.Unregistrations, "a@10.0.0.1:61001")

	// An option-only change re-registers without unregistering.
	m = tbl.SetDesired(desired("pg", map[string]string{CFRouterKey: `[{"hostnames":["b","c"],"port":8080,"route_service_url":"https://rs"}]`}))
	expect(t, "option change", m.Registrations, "b@10.0.0.1:61001", "c@10.0.0.1:61001")
	expect(t, "option change", m.Unregistrations)
	if m.Registrations[0].RouteServiceURL != "https://rs" {
		t.Fatalf("route service url not carried: %+v", m.Registrations[0])
	}

	// A port change moves the route to another endpoint (none here).
	m = tbl.SetDesired(desired("pg", map[string]string{CFRouterKey: `[{"hostnames":["b"],"port":9090}]`}))
	expect(t, "port change", m.Unregistrations, "b@10.0.0.1:61001", "c@10.0.0.1:61001")

	m = tbl.RemoveDesired("pg")
	expect(t, "removing an unrouted desired LRP", m.Unregistrations)
}

func TestRemovingTheDesiredLRPUnregistersEverything(t *testing.T) {
	tbl := New(Options{})
	tbl.SetDesired(desired("pg", map[string]string{CFRouterKey: web}))
	tbl.SetActual(actual("pg", 0, "ig", "RUNNING"))
	m := tbl.RemoveDesired("pg")
	expect(t, "remove desired", m.Unregistrations, "a.example.com@10.0.0.1:61001", "b.example.com@10.0.0.1:61001")
}

func TestEvacuationHandsOverWithoutGaps(t *testing.T) {
	tbl := New(Options{})
	tbl.SetDesired(desired("pg", map[string]string{CFRouterKey: `[{"hostnames":["a"],"port":8080}]`}))
	tbl.SetActual(actual("pg", 0, "ig-old", "RUNNING"))

	// The BBS creates an EVACUATING copy and unclaims the ordinary row.
	m := tbl.SetActual(actual("pg", 0, "ig-old", "RUNNING", evacuating))
	m.Merge(tbl.SetActual(actual("pg", 0, "", "UNCLAIMED")))
	m.Merge(tbl.RemoveActual(actual("pg", 0, "ig-old", "RUNNING")))
	expect(t, "evacuating copy keeps the route", m.Unregistrations)

	m = tbl.SetActual(func() *models.ActualLRP {
		l := actual("pg", 0, "ig-new", "RUNNING", hostPort(61009))
		l.ActualLrpNetInfo.Address = "10.0.0.2"
		return l
	}())
	expect(t, "replacement", m.Registrations, "a@10.0.0.2:61009")

	m = tbl.RemoveActual(actual("pg", 0, "ig-old", "RUNNING", evacuating))
	expect(t, "evacuated instance leaves", m.Unregistrations, "a@10.0.0.1:61001")
}

func TestDirectInstanceRoutes(t *testing.T) {
	preferInstance := func(l *models.ActualLRP) {
		l.ActualLrpNetInfo.PreferredAddress = models.ActualLRPNetInfo_INSTANCE
	}
	tbl := New(Options{})
	tbl.SetDesired(desired("pg", map[string]string{CFRouterKey: `[{"hostnames":["a"],"port":8080}]`}))
	m := tbl.SetActual(actual("pg", 0, "ig", "RUNNING", preferInstance))
	expect(t, "preferred instance address", m.Registrations, "a@10.254.0.2:8080")

	tbl = New(Options{RegisterDirectInstanceRoutes: true})
	tbl.SetDesired(desired("pg", map[string]string{CFRouterKey: `[{"hostnames":["a"],"port":8080}]`}))
	m = tbl.SetActual(actual("pg", 0, "ig", "RUNNING"))
	expect(t, "unknown preference with direct routes on", m.Registrations, "a@10.254.0.2:8080")

	m = tbl.SetActual(actual("pg", 1, "ig-h", "RUNNING", func(l *models.ActualLRP) {
		l.ActualLrpNetInfo.PreferredAddress = models.ActualLRPNetInfo_HOST
		l.ActualLrpNetInfo.Ports[0].HostPort = 61005
	}))
	expect(t, "preferred host address", m.Registrations, "a@10.0.0.1:61005")
}

func TestInternalRoutes(t *testing.T) {
	tbl := New(Options{})
	tbl.SetDesired(desired("pg", map[string]string{InternalRouterKey: `[{"hostname":"api.apps.internal"}]`}))
	m := tbl.SetActual(actual("pg", 3, "ig", "RUNNING"))
	if len(m.Registrations) != 0 || len(m.InternalRegistrations) != 1 {
		t.Fatalf("want one internal registration, got %+v", m)
	}
	got, _ := json.Marshal(m.InternalRegistrations[0])
	want := `{"host":"10.254.0.2","port":0,"uris":["api.apps.internal","3.api.apps.internal"],"app":"log-pg","private_instance_index":"3","endpoint_updated_at_ns":1000,"tags":{"component":"route-emitter"}}`
	if string(got) != want {
		t.Fatalf("JSON\n got %s\nwant %s", got, want)
	}
	m = tbl.RemoveActual(actual("pg", 3, "ig", "RUNNING"))
	if len(m.InternalUnregistrations) != 1 {
		t.Fatalf("want one internal unregistration, got %+v", m)
	}
}

func TestTCPMappings(t *testing.T) {
	tbl := New(Options{})
	tbl.SetDesired(desired("pg", map[string]string{TCPRouterKey: `[{"router_group_guid":"rg","external_port":5000,"container_port":8080}]`}))
	m := tbl.SetActual(actual("pg", 0, "ig", "RUNNING"))
	if len(m.TCPMappings) != 1 || m.TCPMappings[0] != (TCPMapping{RouterGroupGUID: "rg", BackendIP: "10.0.0.1", BackendPort: 61001, Port: 5000}) {
		t.Fatalf("mappings %+v", m.TCPMappings)
	}
	m = tbl.RemoveDesired("pg")
	if len(m.TCPUnmappings) != 1 {
		t.Fatalf("unmappings %+v", m.TCPUnmappings)
	}
}

func TestSyncWithdrawsOnlyForFreshDomains(t *testing.T) {
	tbl := New(Options{})
	tbl.SetDesired(desired("pg", map[string]string{CFRouterKey: `[{"hostnames":["a"],"port":8080}]`}))
	tbl.SetActual(actual("pg", 0, "ig", "RUNNING"))

	// The snapshot lacks everything, but the domain is stale: keep it.
	m := tbl.Sync(nil, nil, map[string]bool{})
	if !m.Empty() || tbl.RouteCount() != 1 {
		t.Fatalf("stale domain routes withdrawn: %+v", m)
	}
	// Fresh domain: the snapshot is the truth.
	m = tbl.Sync(nil, nil, map[string]bool{"cf-apps": true})
	expect(t, "fresh sync", m.Unregistrations, "a@10.0.0.1:61001")

	// A sync that brings new state registers it.
	m = tbl.Sync([]DesiredRoutes{desired("pg", map[string]string{CFRouterKey: `[{"hostnames":["z"],"port":8080}]`})},
		[]*models.ActualLRP{actual("pg", 0, "ig", "RUNNING"), actual("pg", 1, "ig-c", "CRASHED")}, map[string]bool{"cf-apps": true})
	expect(t, "sync registers", m.Registrations, "z@10.0.0.1:61001")
}

func TestAllOmitsUpdateTimesAndCoversEveryRoute(t *testing.T) {
	tbl := New(Options{})
	tbl.SetDesired(desired("pg", map[string]string{CFRouterKey: web, InternalRouterKey: `[{"hostname":"i"}]`}))
	tbl.SetActual(actual("pg", 0, "ig-0", "RUNNING"))
	tbl.SetActual(actual("pg", 1, "ig-1", "RUNNING", hostPort(61002)))
	all := tbl.All()
	if len(all.Registrations) != 4 || len(all.InternalRegistrations) != 2 {
		t.Fatalf("all: %d external, %d internal", len(all.Registrations), len(all.InternalRegistrations))
	}
	for _, m := range append(all.Registrations, all.InternalRegistrations...) {
		if m.EndpointUpdatedAtNs != 0 {
			t.Fatalf("periodic message carries endpoint_updated_at_ns: %+v", m)
		}
	}
	if tbl.RouteCount() != 6 {
		t.Fatalf("route count %d", tbl.RouteCount())
	}
}

func TestMalformedRoutingInfoIsIgnored(t *testing.T) {
	tbl := New(Options{})
	tbl.SetDesired(desired("pg", map[string]string{CFRouterKey: `{not json`}))
	if m := tbl.SetActual(actual("pg", 0, "ig", "RUNNING")); !m.Empty() {
		t.Fatalf("malformed routes emitted %+v", m)
	}
}
