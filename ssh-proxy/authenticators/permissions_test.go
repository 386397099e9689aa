package authenticators

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/godiego/diego/proto/models"
	"github.com/godiego/diego/ssh-proxy/proxy"
	"github.com/godiego/diego/ssh-proxy/routes"
)

func actualLRP(guid string, index int32, net *models.ActualLRPNetInfo) *models.ActualLRP {
	return &models.ActualLRP{
		ActualLrpKey:         &models.ActualLRPKey{ProcessGuid: guid, Index: index, Domain: "d"},
		ActualLrpInstanceKey: &models.ActualLRPInstanceKey{InstanceGuid: "instance-" + guid, CellId: "cell"},
		ActualLrpNetInfo:     net,
		State:                "RUNNING",
	}
}

func desiredLRP(guid string, route *routes.SSHRoute) *models.DesiredLRP {
	d := &models.DesiredLRP{ProcessGuid: guid, LogGuid: "log-" + guid, Routes: &models.ProtoRoutes{Routes: map[string][]byte{}}}
	if route != nil {
		d.Routes.Routes[routes.DiegoSSH] = route.Marshal()
	}
	return d
}

var sshRoute = routes.SSHRoute{ContainerPort: 2222, HostFingerprint: "aa:bb", User: "vcap", Password: "pw", PrivateKey: "KEY"}

func netInfo(pref models.ActualLRPNetInfo_PreferredAddress, ports ...*models.PortMapping) *models.ActualLRPNetInfo {
	return &models.ActualLRPNetInfo{Address: "10.0.0.5", InstanceAddress: "10.255.0.7", PreferredAddress: pref, Ports: ports}
}

func TestTargetAddressChoice(t *testing.T) {
	plain := &models.PortMapping{ContainerPort: 2222, HostPort: 61001}
	withTLS := &models.PortMapping{ContainerPort: 2222, HostPort: 61001, ContainerTlsProxyPort: 61443, HostTlsProxyPort: 61002}
	hostTLSOnly := &models.PortMapping{ContainerPort: 2222, HostPort: 61001, HostTlsProxyPort: 61002}
	other := &models.PortMapping{ContainerPort: 8080, HostPort: 61000}
	cases := []struct {
		name           string
		net            *models.ActualLRPNetInfo
		toInstance     bool
		wantAddr, wTLS string
		wantOK         bool
	}{
		{"host preferred", netInfo(models.ActualLRPNetInfo_HOST, other, plain), true, "10.0.0.5:61001", "", true},
		{"instance preferred", netInfo(models.ActualLRPNetInfo_INSTANCE, plain), false, "10.255.0.7:2222", "", true},
		{"unknown, flag off", netInfo(models.ActualLRPNetInfo_UNKNOWN, plain), false, "10.0.0.5:61001", "", true},
		{"unknown, flag on", netInfo(models.ActualLRPNetInfo_UNKNOWN, plain), true, "10.255.0.7:2222", "", true},
		{"host with tls", netInfo(models.ActualLRPNetInfo_HOST, withTLS), false, "10.0.0.5:61001", "10.0.0.5:61002", true},
		{"instance with tls", netInfo(models.ActualLRPNetInfo_INSTANCE, withTLS), false, "10.255.0.7:2222", "10.255.0.7:61443", true},
		{"instance, only host tls", netInfo(models.ActualLRPNetInfo_INSTANCE, hostTLSOnly), false, "10.255.0.7:2222", "10.0.0.5:61002", true},
		{"no matching port", netInfo(models.ActualLRPNetInfo_HOST, other), false, "", "", false},
		{"no net info", nil, false, "", "", false},
	}
	for _, c := range cases {
		target, ok := Target(sshRoute, actualLRP("g", 0, c.net), c.toInstance)
		if ok != c.wantOK || target.Address != c.wantAddr || target.TLSAddress != c.wTLS {
			t.Errorf("%s: got %v %q tls %q, want %v %q tls %q", c.name, ok, target.Address, target.TLSAddress, c.wantOK, c.wantAddr, c.wTLS)
			continue
		}
		if ok && (target.ServerCertDomainSAN != "instance-g" || target.HostFingerprint != "aa:bb" || target.User != "vcap" ||
			target.Password != "pw" || target.PrivateKey != "KEY") {
			t.Errorf("%s: route credentials not carried: %+v", c.name, target)
		}
	}
}

func TestLogTagsDefaultsAndDynamicValues(t *testing.T) {
	actual := actualLRP("g", 3, nil)
	d := desiredLRP("g", nil)
	if got := LogTags(d, actual); !reflect.DeepEqual(got, map[string]string{"source_id": "log-g", "instance_id": "3"}) {
		t.Fatalf("defaults: %v", got)
	}
	d.MetricTags = map[string]*models.MetricTagValue{
		"source_id": {Static: "custom"},
		"guid":      {Dynamic: models.MetricTagValue_INSTANCE_GUID},
		"idx":       {Dynamic: models.MetricTagValue_INDEX},
	}
	want := map[string]string{"source_id": "custom", "instance_id": "3", "guid": "instance-g", "idx": "3"}
	if got := LogTags(d, actual); !reflect.DeepEqual(got, want) {
		t.Fatalf("tags %v, want %v", got, want)
	}
	if len(d.MetricTags) != 3 {
		t.Fatal("LogTags changed the desired LRP's tags")
	}
}

func TestBuildPermissions(t *testing.T) {
	table := &lrpTable{
		actuals: []*models.ActualLRP{
			actualLRP("app", 0, netInfo(models.ActualLRPNetInfo_HOST, &models.PortMapping{ContainerPort: 2222, HostPort: 61001})),
			actualLRP("twice", 0, nil), actualLRP("twice", 0, nil),
			actualLRP("noroute", 0, nil),
			actualLRP("noport", 0, netInfo(models.ActualLRPNetInfo_HOST)),
		},
		desired: map[string]*models.DesiredLRP{
			"app":     desiredLRP("app", &sshRoute),
			"twice":   desiredLRP("twice", &sshRoute),
			"noroute": desiredLRP("noroute", nil),
			"noport":  desiredLRP("noport", &sshRoute),
		},
	}
	b := NewBBSPermissions(table, false, 0)

	perms, err := b.Build(testLogger(), "app", 0, connMeta{user: "diego:app/0"})
	if err != nil {
		t.Fatal(err)
	}
	target, err := proxy.TargetFrom(perms)
	if err != nil || target.Address != "10.0.0.5:61001" {
		t.Fatalf("target %+v, %v", target, err)
	}
	var msg proxy.LogMessage
	if err := json.Unmarshal([]byte(perms.CriticalOptions["log-message"]), &msg); err != nil {
		t.Fatal(err)
	}
	if msg.Message != "Successful remote access by 10.0.0.9:5555" || msg.Tags["source_id"] != "log-app" || msg.Tags["instance_id"] != "0" {
		t.Fatalf("log message %+v", msg)
	}
	if f := table.filters[0]; f.ProcessGUID != "app" || f.Index == nil || *f.Index != 0 {
		t.Fatalf("filter %+v", f)
	}

	errCases := []struct {
		guid  string
		index int
		want  string
	}{
		{"missing", 0, "no matching ActualLRP for ProcessGuid: missing, Index: 0"},
		{"app", 1, "no matching ActualLRP for ProcessGuid: app, Index: 1"},
		{"twice", 0, "multiple matching ActualLRP for ProcessGuid: twice, Index: 0"},
		{"noroute", 0, ErrRouteNotFound.Error()},
	}
	for _, c := range errCases {
		if _, err := b.Build(testLogger(), c.guid, c.index, connMeta{}); err == nil || err.Error() != c.want {
			t.Errorf("%s/%d: err %v, want %q", c.guid, c.index, err, c.want)
		}
	}

	perms, err = b.Build(testLogger(), "noport", 0, connMeta{})
	if err != nil || len(perms.CriticalOptions) != 0 {
		t.Fatalf("no port mapping: want empty permissions, got %+v, %v", perms, err)
	}
	if _, err := proxy.TargetFrom(perms); !errors.Is(err, proxy.ErrInvalidPermissions) {
		t.Fatalf("empty permissions must be refused by the proxy: %v", err)
	}

	table.actualErr = models.ErrUnknownError
	if _, err := b.Build(testLogger(), "app", 0, connMeta{}); !errors.Is(err, models.ErrUnknownError) {
		t.Fatal("a BBS error must fail the build")
	}
}

func TestRouteDecoding(t *testing.T) {
	if _, err := routes.FromRoutes(map[string][]byte{routes.DiegoSSH: []byte(`{"container_port":70000}`)}); err == nil {
		t.Fatal("a port beyond 65535 must not decode")
	}
	r, err := routes.FromRoutes(map[string][]byte{routes.DiegoSSH: []byte(`{"container_port":2222,"private_key":"k"}`)})
	if err != nil || r.ContainerPort != 2222 || r.PrivateKey != "k" {
		t.Fatalf("%+v %v", r, err)
	}
	if _, err := routes.FromRoutes(nil); !errors.Is(err, routes.ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
}
