package models

import (
	"strings"
	"testing"
)

func TestDesiredLRPValidation(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*DesiredLRP)
		want   string
	}{
		{"valid", func(*DesiredLRP) {}, ""},
		{"no domain", func(d *DesiredLRP) { d.Domain = "" }, "Invalid field: domain, Invalid field: domain"},
		{"no rootfs", func(d *DesiredLRP) { d.RootFs = "" }, "Invalid field: rootfs, Invalid field: rootfs"},
		{"rootfs without scheme", func(d *DesiredLRP) { d.RootFs = "cflinuxfs4" }, "Invalid field: rootfs"},
		{"unparsable rootfs", func(d *DesiredLRP) { d.RootFs = "://x" }, "Invalid field: rootfs"},
		{"negative instances", func(d *DesiredLRP) { d.Instances = -1 }, "Invalid field: instances"},
		{"negative memory", func(d *DesiredLRP) { d.MemoryMb = -1 }, "Invalid field: memory_mb"},
		{"negative disk", func(d *DesiredLRP) { d.DiskMb = -1 }, "Invalid field: disk_mb"},
		{"negative max pids", func(d *DesiredLRP) { d.MaxPids = -1 }, "Invalid field: max_pids"},
		{"log rate -1 is unlimited", func(d *DesiredLRP) { d.LogRateLimit = &LogRateLimit{BytesPerSecond: -1} }, ""},
		{"log rate below -1", func(d *DesiredLRP) { d.LogRateLimit = &LogRateLimit{BytesPerSecond: -2} },
			"Invalid field: log_rate_limit_bytes_per_second, Invalid field: log_rate_limit"},
		{"annotation at limit", func(d *DesiredLRP) { d.Annotation = strings.Repeat("a", 10*1024) }, ""},
		{"annotation too long", func(d *DesiredLRP) { d.Annotation = strings.Repeat("a", 10*1024+1) }, "Invalid field: annotation"},
		{"routes at limit", func(d *DesiredLRP) {
			d.Routes = &ProtoRoutes{Routes: map[string][]byte{"a": make([]byte, 64*1024), "b": make([]byte, 64*1024)}}
		}, ""},
		{"routes too big", func(d *DesiredLRP) {
			d.Routes = &ProtoRoutes{Routes: map[string][]byte{"a": make([]byte, 64*1024), "b": make([]byte, 64*1024+1)}}
		}, "Invalid field: routes"},
		{"bad process guid", func(d *DesiredLRP) { d.ProcessGuid = "a/b" }, "Invalid field: process_guid"},
		{"empty process guid", func(d *DesiredLRP) { d.ProcessGuid = "" }, "Invalid field: process_guid"},
		{"no action", func(d *DesiredLRP) { d.Action = nil }, "invalid action type"},
		{"empty action", func(d *DesiredLRP) { d.Action = &Action{} }, "Invalid field: action, Invalid field: inner-action"},
		{"bad action", func(d *DesiredLRP) { d.Action = WrapAction(&RunAction{}) },
			"Invalid field: action, Invalid field: path, Invalid field: user"},
		{"bad setup", func(d *DesiredLRP) { d.Setup = WrapAction(&RunAction{User: "u"}) }, "Invalid field: setup, Invalid field: path"},
		{"bad monitor", func(d *DesiredLRP) { d.Monitor = WrapAction(&RunAction{Path: "p"}) }, "Invalid field: monitor, Invalid field: user"},
		{"blank env name", func(d *DesiredLRP) { d.EnvironmentVariables = []*EnvironmentVariable{{Value: "x"}} },
			"invalid field: name cannot be blank"},
		{"bad egress rule", func(d *DesiredLRP) {
			d.EgressRules = []*SecurityGroupRule{{Protocol: "all"}}
		}, "Invalid field: egress_rules, Invalid field: destinations [ Must have at least 1 destination ]"},
		{"bad cached dependency", func(d *DesiredLRP) { d.CachedDependencies = []*CachedDependency{{To: "/x"}} },
			"Invalid field: cached_dependency, Invalid field: from"},
		{"exclusive layer needs user", func(d *DesiredLRP) {
			d.ImageLayers = []*ImageLayer{{Url: "u", DestinationPath: "/", LayerType: ImageLayer_EXCLUSIVE, MediaType: ImageLayer_TGZ,
				DigestAlgorithm: ImageLayer_SHA256, DigestValue: "abc"}}
		}, "Invalid field: legacy_download_user"},
		{"nil metric tags", func(d *DesiredLRP) { d.MetricTags = nil }, "Invalid field: metric_tags"},
		{"empty metric tags", func(d *DesiredLRP) { d.MetricTags = map[string]*MetricTagValue{} }, ""},
		{"metric tag with both values", func(d *DesiredLRP) {
			d.MetricTags["x"] = &MetricTagValue{Static: "s", Dynamic: MetricTagValue_INDEX}
		}, "Invalid field: metric_tags, Invalid field: static, Invalid field: dynamic"},
		{"source id must match metrics guid", func(d *DesiredLRP) { d.MetricsGuid = "other" },
			"Invalid field: metric_tags, Invalid field: source_id should match metrics_guid"},
		{"bad sidecar", func(d *DesiredLRP) { d.Sidecars = []*Sidecar{{MemoryMb: -1}} },
			"Invalid field: sidecars, invalid action type, Invalid field: memory_mb"},
		{"bad volume mount", func(d *DesiredLRP) { d.VolumeMounts = []*VolumeMount{{Mode: "x", Shared: &SharedDevice{}}} },
			"invalid volume_mount driver, invalid volume_mount mode, invalid volume_mount volume id"},
		{"password without user", func(d *DesiredLRP) { d.ImagePassword = "p" }, "Invalid field: image_username"},
		{"user without password", func(d *DesiredLRP) { d.ImageUsername = "u" }, "Invalid field: image_password"},
		{"bad check definition", func(d *DesiredLRP) { d.CheckDefinition = &CheckDefinition{Checks: []*Check{{}}} },
			"Invalid field: check_definition, Invalid field: port"},
	}
	for _, c := range cases {
		d := validDesiredLRP()
		c.mutate(d)
		expectValidation(t, c.name, d, c.want)
		expectValidation(t, c.name+" (request)", &DesireLRPRequest{DesiredLrp: d}, c.want)
	}
	expectValidation(t, "nil desired lrp", &DesireLRPRequest{}, "Invalid field: desired_lrp")
}

func TestDesiredLRPUpdateValidation(t *testing.T) {
	neg := &DesiredLRPUpdate{}
	neg.SetInstances(-1)
	long := &DesiredLRPUpdate{}
	long.SetAnnotation(strings.Repeat("x", MaxAnnotationLength+1))
	cases := []struct {
		name string
		u    *DesiredLRPUpdate
		want string
	}{
		{"empty", &DesiredLRPUpdate{}, ""},
		{"negative instances", neg, "Invalid field: instances"},
		{"long annotation", long, "Invalid field: annotation"},
		{"big routes", &DesiredLRPUpdate{Routes: &ProtoRoutes{Routes: map[string][]byte{"r": make([]byte, MaxRoutesLength+1)}}}, "Invalid field: routes"},
		{"bad tag", &DesiredLRPUpdate{MetricTags: map[string]*MetricTagValue{"a": {}}},
			"Invalid field: metric_tags, Invalid field: static, Invalid field: dynamic"},
	}
	for _, c := range cases {
		expectValidation(t, c.name, c.u, c.want)
	}
	expectValidation(t, "request without guid", &UpdateDesiredLRPRequest{Update: neg}, "Invalid field: process_guid, Invalid field: instances")
	expectValidation(t, "request without update", &UpdateDesiredLRPRequest{ProcessGuid: "p"}, "")
}

func TestSchedulingInfoValidation(t *testing.T) {
	s := validDesiredLRP().DesiredLRPSchedulingInfo()
	expectValidation(t, "valid", s, "")
	s.DesiredLrpResource.RootFs = ""
	s.DesiredLrpResource.MemoryMb = -1
	s.DesiredLrpResource.DiskMb = -1
	s.DesiredLrpResource.MaxPids = -1
	s.DesiredLrpKey.Domain = ""
	s.Instances = -1
	expectValidation(t, "invalid", s, "Invalid field: domain, Invalid field: rootfs, Invalid field: memory_mb, "+
		"Invalid field: disk_mb, Invalid field: max_pids, Invalid field: instances")
}

func TestActualLRPValidation(t *testing.T) {
	net := &ActualLRPNetInfo{Address: "10.0.0.1"}
	cases := []struct {
		name string
		lrp  *ActualLRP
		want string
	}{
		{"unclaimed", &ActualLRP{ActualLrpKey: validLRPKey(), State: ActualLRPStateUnclaimed, Since: 1}, ""},
		{"unclaimed with everything wrong", &ActualLRP{ActualLrpKey: &ActualLRPKey{Index: -1}, State: ActualLRPStateUnclaimed,
			ActualLrpInstanceKey: validInstanceKey(), ActualLrpNetInfo: net, Presence: ActualLRP_SUSPECT},
			"Invalid field: process_guid, Invalid field: index, Invalid field: domain, Invalid field: since, " +
				"instance key cannot be set when state is unclaimed, net info cannot be set when state is unclaimed, " +
				"presence cannot be set when state is unclaimed"},
		{"claimed", &ActualLRP{ActualLrpKey: validLRPKey(), ActualLrpInstanceKey: validInstanceKey(), State: ActualLRPStateClaimed, Since: 1}, ""},
		{"claimed without instance", &ActualLRP{ActualLrpKey: validLRPKey(), State: ActualLRPStateClaimed, Since: 1,
			ActualLrpNetInfo: net, PlacementError: "x"},
			"Invalid field: cell_id, Invalid field: instance_guid, net info cannot be set when state is claimed, " +
				"placement error cannot be set when state is claimed"},
		{"running", &ActualLRP{ActualLrpKey: validLRPKey(), ActualLrpInstanceKey: validInstanceKey(), ActualLrpNetInfo: net,
			State: ActualLRPStateRunning, Since: 1, PlacementError: "  "}, ""},
		{"running without net info", &ActualLRP{ActualLrpKey: validLRPKey(), ActualLrpInstanceKey: validInstanceKey(),
			State: ActualLRPStateRunning, Since: 1, PlacementError: "x"},
			"Invalid field: address, placement error cannot be set when state is running"},
		{"crashed with leftovers", &ActualLRP{ActualLrpKey: validLRPKey(), ActualLrpInstanceKey: validInstanceKey(),
			ActualLrpNetInfo: net, State: ActualLRPStateCrashed, Since: 1, PlacementError: "x"},
			"instance key cannot be set when state is crashed, net info cannot be set when state is crashed, " +
				"placement error cannot be set when state is crashed"},
		{"unknown state", &ActualLRP{ActualLrpKey: validLRPKey(), State: "BOGUS", Since: 1}, "Invalid field: state"},
	}
	for _, c := range cases {
		expectValidation(t, c.name, c.lrp, c.want)
	}
}
