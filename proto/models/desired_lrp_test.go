package models

import (
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
)

func fullDesiredLRP() *DesiredLRP {
	d := validDesiredLRP()
	d.LogGuid = "log"
	d.MemoryMb, d.DiskMb, d.MaxPids, d.CpuWeight = 256, 1024, 100, 5
	d.Annotation = "note"
	d.Routes = &ProtoRoutes{Routes: map[string][]byte{"cf-router": []byte(`[{"hostnames":["a"],"port":8080}]`)}}
	d.ModificationTag = NewModificationTag("epoch", 3)
	d.PlacementTags = []string{"z1"}
	d.VolumeMounts = []*VolumeMount{{Driver: "nfs", Mode: "rw"}, {Driver: "smb", Mode: "r"}}
	d.EnvironmentVariables = []*EnvironmentVariable{{Name: "A", Value: "1"}}
	d.Setup = validRunAction()
	d.Monitor = validRunAction()
	d.StartTimeoutMs = 60000
	d.Privileged = true
	d.Ports = []uint32{8080}
	d.EgressRules = []*SecurityGroupRule{{Protocol: "all", Destinations: []string{"0.0.0.0/0"}}}
	d.LogSource = "APP"
	d.MetricsGuid = "app"
	d.CachedDependencies = []*CachedDependency{{From: "f", To: "t"}}
	d.LegacyDownloadUser = "vcap"
	d.TrustedSystemCertificatesPath = "/certs"
	d.Network = &Network{Properties: map[string]string{"a": "b"}}
	d.CertificateProperties = &CertificateProperties{OrganizationalUnit: []string{"ou"}}
	d.ImageUsername, d.ImagePassword = "u", "p"
	d.CheckDefinition = &CheckDefinition{Checks: []*Check{{TcpCheck: &TCPCheck{Port: 8080}}}}
	d.ImageLayers = []*ImageLayer{{Url: "u", DestinationPath: "/", LayerType: ImageLayer_SHARED, MediaType: ImageLayer_TGZ}}
	d.Sidecars = []*Sidecar{{Action: validRunAction()}}
	d.LogRateLimit = &LogRateLimit{BytesPerSecond: 100}
	return d
}

func TestSplitAndJoinDesiredLRP(t *testing.T) {
	d := fullDesiredLRP()
	created := time.Unix(0, 42)
	s := d.DesiredLRPSchedulingInfo()
	r := d.DesiredLRPRunInfo(created)
	if r.CreatedAt != 42 {
		t.Errorf("created at %d", r.CreatedAt)
	}
	if got := s.VolumePlacement.DriverNames; len(got) != 2 || got[0] != "nfs" || got[1] != "smb" {
		t.Errorf("drivers %v", got)
	}
	if err := s.Validate(); err != nil {
		t.Error(err)
	}
	if err := r.Validate(); err != nil {
		t.Error(err)
	}
	joined := NewDesiredLRP(s, r)
	if !proto.Equal(joined, d) {
		t.Errorf("round trip differs:\n got %v\nwant %v", joined, d)
	}
	// The split copies the modification tag, so bumping one does not touch d.
	s.ApplyUpdate(&DesiredLRPUpdate{})
	if d.ModificationTag.Index != 3 || s.ModificationTag.Index != 4 {
		t.Error("modification tag must be copied")
	}
}

func TestSplitEmptyDesiredLRP(t *testing.T) {
	s := (&DesiredLRP{}).DesiredLRPSchedulingInfo()
	if s.Routes == nil || s.ModificationTag == nil || s.VolumePlacement == nil || s.VolumePlacement.DriverNames == nil {
		t.Errorf("scheduling info parts must be set: %v", s)
	}
	d := NewDesiredLRP(&DesiredLRPSchedulingInfo{}, &DesiredLRPRunInfo{})
	if d.Routes == nil || d.ModificationTag == nil {
		t.Error("joined LRP always has routes and a modification tag")
	}
}

func TestDesiredLRPRoutingInfo(t *testing.T) {
	d := fullDesiredLRP()
	ri := d.DesiredLRPRoutingInfo()
	want := &DesiredLRP{ProcessGuid: d.ProcessGuid, Domain: d.Domain, LogGuid: d.LogGuid, Instances: d.Instances,
		Routes: d.Routes, ModificationTag: d.ModificationTag, MetricTags: d.MetricTags}
	if !proto.Equal(ri, want) {
		t.Errorf("got %v", ri)
	}
}

func TestApplyUpdate(t *testing.T) {
	s := fullDesiredLRP().DesiredLRPSchedulingInfo()
	u := &DesiredLRPUpdate{}
	u.SetInstances(0)
	u.SetAnnotation("")
	u.Routes = &ProtoRoutes{}
	s.ApplyUpdate(u)
	if s.Instances != 0 || s.Annotation != "" || len(s.Routes.GetRoutes()) != 0 || s.ModificationTag.Index != 4 {
		t.Errorf("got %v", s)
	}
	s = fullDesiredLRP().DesiredLRPSchedulingInfo()
	s.ApplyUpdate(&DesiredLRPUpdate{})
	if s.Instances != 2 || s.Annotation != "note" || len(s.Routes.GetRoutes()) != 1 {
		t.Errorf("empty update must only bump the tag: %v", s)
	}
	bare := &DesiredLRPSchedulingInfo{}
	bare.ApplyUpdate(&DesiredLRPUpdate{})
	if bare.ModificationTag.GetIndex() != 1 {
		t.Error("missing tag starts at 0")
	}
}

func TestUpdateChangeDetection(t *testing.T) {
	current := &ProtoRoutes{Routes: map[string][]byte{"internal-router": []byte(`[1]`), "cf-router": []byte(`[]`)}}
	cases := []struct {
		name   string
		routes *ProtoRoutes
		cur    *ProtoRoutes
		want   bool
	}{
		{"no routes in update", nil, current, false},
		{"no current routes", &ProtoRoutes{}, nil, true},
		{"same", &ProtoRoutes{Routes: map[string][]byte{"internal-router": []byte(`[1]`)}}, current, false},
		{"changed", &ProtoRoutes{Routes: map[string][]byte{"internal-router": []byte(`[2]`)}}, current, true},
		{"removed", &ProtoRoutes{Routes: map[string][]byte{"cf-router": []byte(`[]`)}}, current, true},
		{"absent on both sides", &ProtoRoutes{}, &ProtoRoutes{}, true},
	}
	for _, c := range cases {
		u := &DesiredLRPUpdate{Routes: c.routes}
		if got := u.IsRoutesGroupUpdated(c.cur, "internal-router"); got != c.want {
			t.Errorf("%s: got %v", c.name, got)
		}
	}
	existing := map[string]*MetricTagValue{"a": {Static: "1"}}
	tagCases := []struct {
		name string
		next map[string]*MetricTagValue
		want bool
	}{
		{"nil", nil, false},
		{"same", map[string]*MetricTagValue{"a": {Static: "1"}}, false},
		{"value", map[string]*MetricTagValue{"a": {Static: "2"}}, true},
		{"dynamic", map[string]*MetricTagValue{"a": {Static: "1", Dynamic: MetricTagValue_INDEX}}, true},
		{"key", map[string]*MetricTagValue{"b": {Static: "1"}}, true},
		{"more", map[string]*MetricTagValue{"a": {Static: "1"}, "b": {}}, true},
		{"emptied", map[string]*MetricTagValue{}, true},
	}
	for _, c := range tagCases {
		if got := (&DesiredLRPUpdate{MetricTags: c.next}).IsMetricTagsUpdated(existing); got != c.want {
			t.Errorf("%s: got %v", c.name, got)
		}
	}
}

func TestModificationTag(t *testing.T) {
	var nilTag *ModificationTag
	cases := []struct {
		a, b *ModificationTag
		want bool
	}{
		{nilTag, NewModificationTag("e", 0), true},
		{NewModificationTag("", 5), NewModificationTag("e", 0), true},
		{NewModificationTag("e", 5), NewModificationTag("", 0), true},
		{NewModificationTag("e", 5), NewModificationTag("f", 0), true},
		{NewModificationTag("e", 5), NewModificationTag("e", 6), true},
		{NewModificationTag("e", 5), NewModificationTag("e", 5), false},
		{NewModificationTag("e", 5), NewModificationTag("e", 4), false},
	}
	for _, c := range cases {
		if got := c.a.SucceededBy(c.b); got != c.want {
			t.Errorf("%v succeeded by %v: got %v", c.a, c.b, got)
		}
	}
}
