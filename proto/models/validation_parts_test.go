package models

import "testing"

func TestSecurityGroupRuleValidation(t *testing.T) {
	dest := []string{"10.0.0.0/8"}
	cases := []struct {
		name string
		r    *SecurityGroupRule
		want string
	}{
		{"tcp ports", &SecurityGroupRule{Protocol: "tcp", Destinations: dest, Ports: []uint32{80}}, ""},
		{"udp range", &SecurityGroupRule{Protocol: "udp", Destinations: dest, PortRange: &PortRange{Start: 1, End: 2}}, ""},
		{"tcp neither", &SecurityGroupRule{Protocol: "tcp", Destinations: dest}, "Missing required field: ports or port_range"},
		{"tcp both", &SecurityGroupRule{Protocol: "tcp", Destinations: dest, Ports: []uint32{1}, PortRange: &PortRange{Start: 1, End: 1}},
			"Invalid: ports and port_range provided"},
		{"tcp bad range", &SecurityGroupRule{Protocol: "tcp", Destinations: dest, PortRange: &PortRange{Start: 0, End: 0}},
			"Invalid field: port_range, Invalid field: port_range"},
		{"tcp inverted range", &SecurityGroupRule{Protocol: "tcp", Destinations: dest, PortRange: &PortRange{Start: 5, End: 4}},
			"Invalid field: port_range"},
		{"tcp empty ports", &SecurityGroupRule{Protocol: "tcp", Destinations: dest, Ports: []uint32{}}, "Invalid field: ports"},
		{"tcp zero port", &SecurityGroupRule{Protocol: "tcp", Destinations: dest, Ports: []uint32{0, 0}},
			"Invalid field: ports, Invalid field: ports"},
		{"tcp with icmp", &SecurityGroupRule{Protocol: "tcp", Destinations: dest, Ports: []uint32{1}, IcmpInfo: &ICMPInfo{}},
			"Invalid field: icmp_info"},
		{"icmp ok", &SecurityGroupRule{Protocol: "icmp", Destinations: dest, IcmpInfo: &ICMPInfo{}}, ""},
		{"icmp wrong", &SecurityGroupRule{Protocol: "icmp", Destinations: dest, Ports: []uint32{}, PortRange: &PortRange{}},
			"Invalid field: port_range, Invalid field: ports, Invalid field: icmp_info"},
		{"all ok", &SecurityGroupRule{Protocol: "all", Destinations: dest}, ""},
		{"all wrong", &SecurityGroupRule{Protocol: "all", Destinations: dest, Ports: []uint32{1}, PortRange: &PortRange{}, IcmpInfo: &ICMPInfo{}},
			"Invalid field: port_range, Invalid field: ports, Invalid field: icmp_info"},
		{"bad protocol", &SecurityGroupRule{Protocol: "sctp", Destinations: dest}, "Invalid field: protocol"},
		{"no destinations", &SecurityGroupRule{Protocol: "all"}, "Invalid field: destinations [ Must have at least 1 destination ]"},
		{"bad ip", &SecurityGroupRule{Protocol: "all", Destinations: []string{"1.2.3"}}, "Invalid field: destinations [ Invalid IP ]"},
		{"bad cidr", &SecurityGroupRule{Protocol: "all", Destinations: []string{"1.2.3.4/33"}},
			"Invalid field: destinations [ invalid CIDR address: 1.2.3.4/33 ]"},
		{"ip range ok", &SecurityGroupRule{Protocol: "all", Destinations: []string{"1.2.3.4-1.2.3.9", "::1"}}, ""},
		{"ip range half", &SecurityGroupRule{Protocol: "all", Destinations: []string{"1.2.3.4-x"}}, "Invalid field: destinations [ Invalid IP ]"},
		{"ip range inverted", &SecurityGroupRule{Protocol: "all", Destinations: []string{"1.9.9.9-1.1.1.1"}},
			"Invalid field: destinations [ Invalid IP, Invalid IP, Invalid IP ]"},
	}
	for _, c := range cases {
		expectValidation(t, c.name, c.r, c.want)
	}
}

func TestImageLayerValidation(t *testing.T) {
	base := func() *ImageLayer {
		return &ImageLayer{Url: "u", DestinationPath: "/d", LayerType: ImageLayer_SHARED, MediaType: ImageLayer_TGZ}
	}
	cases := []struct {
		name   string
		mutate func(*ImageLayer)
		want   string
	}{
		{"shared without digest", func(*ImageLayer) {}, ""},
		{"missing everything", func(l *ImageLayer) { *l = ImageLayer{} },
			"Invalid field: url, Invalid field: destination_path, Invalid field: layer_type, Invalid field: media_type"},
		{"exclusive needs digest", func(l *ImageLayer) { l.LayerType = ImageLayer_EXCLUSIVE },
			"Invalid field: digest_algorithm, Invalid field: digest_value"},
		{"value without algorithm", func(l *ImageLayer) { l.DigestValue = "v" },
			"Invalid field: digest_algorithm, Invalid field: digest_algorithm"},
		{"algorithm without value", func(l *ImageLayer) { l.DigestAlgorithm = ImageLayer_SHA512 }, "Invalid field: digest_value"},
		{"unknown algorithm", func(l *ImageLayer) { l.DigestAlgorithm = 9; l.DigestValue = "v" }, "Invalid field: digest_algorithm"},
		{"bad enums", func(l *ImageLayer) { l.LayerType = 5; l.MediaType = 9 }, "Invalid field: layer_type, Invalid field: media_type"},
	}
	for _, c := range cases {
		l := base()
		c.mutate(l)
		expectValidation(t, c.name, l, c.want)
	}
}

func TestSmallPartsValidation(t *testing.T) {
	cases := []struct {
		name string
		v    Validator
		want string
	}{
		{"env ok", &EnvironmentVariable{Name: "A"}, ""},
		{"env blank", &EnvironmentVariable{}, "invalid field: name cannot be blank"},
		{"cached dep ok", &CachedDependency{From: "f", To: "t"}, ""},
		{"cached dep bad", &CachedDependency{ChecksumAlgorithm: "md5"}, "Invalid field: from, Invalid field: to, Invalid field: checksum value"},
		{"metric static", &MetricTagValue{Static: "s"}, ""},
		{"metric dynamic", &MetricTagValue{Dynamic: MetricTagValue_INSTANCE_GUID}, ""},
		{"metric neither", &MetricTagValue{}, "Invalid field: static, Invalid field: dynamic"},
		{"metric both", &MetricTagValue{Static: "s", Dynamic: MetricTagValue_INDEX}, "Invalid field: static, Invalid field: dynamic"},
		{"metric unknown dynamic", &MetricTagValue{Dynamic: 9}, "Invalid field: static, Invalid field: dynamic"},
		{"sidecar ok", &Sidecar{Action: validRunAction()}, ""},
		{"sidecar bad", &Sidecar{Action: &Action{}, DiskMb: -1}, "Invalid field: action, Invalid field: inner-action, Invalid field: disk_mb"},
		{"mount ok", &VolumeMount{Driver: "d", Mode: "rw", Shared: &SharedDevice{VolumeId: "v"}}, ""},
		{"mount read-only", &VolumeMount{Driver: "d", Mode: "r"}, ""},
		{"mount bad", &VolumeMount{Mode: "w", Shared: &SharedDevice{}},
			"invalid volume_mount driver, invalid volume_mount mode, invalid volume_mount volume id"},
		{"tcp check ok", &Check{TcpCheck: &TCPCheck{Port: 8080}}, ""},
		{"http check ok", &Check{HttpCheck: &HTTPCheck{Port: 65535}}, ""},
		{"check port zero", &Check{HttpCheck: &HTTPCheck{}}, "Invalid field: port"},
		{"check port too big", &Check{TcpCheck: &TCPCheck{Port: 65536}}, "Invalid field: port"},
		{"check both", &Check{TcpCheck: &TCPCheck{Port: 1}, HttpCheck: &HTTPCheck{Port: 1}}, "Invalid field: check"},
		{"check neither", &Check{}, "Invalid field: port"},
		{"definition", &CheckDefinition{Checks: []*Check{{}}, ReadinessChecks: []*Check{{TcpCheck: &TCPCheck{}, HttpCheck: &HTTPCheck{}}}},
			"Invalid field: port, Invalid field: check"},
		{"capacity ok", &CellCapacity{MemoryMb: 1, Containers: 1}, ""},
		{"capacity bad", &CellCapacity{DiskMb: -1}, "Invalid field: memory_mb, Invalid field: disk_mb, Invalid field: containers"},
		{"cell ok", &CellPresence{CellId: "c", RepAddress: "http://x", RepUrl: "https://c:1801", Capacity: &CellCapacity{MemoryMb: 1, Containers: 1}}, ""},
		{"cell bad", &CellPresence{RepUrl: "ftp://x"},
			"Invalid field: cell_id, Invalid field: rep_address, Invalid field: rep_url, Invalid field: memory_mb, Invalid field: containers"},
		{"volume placement", &VolumePlacement{}, ""},
		{"certificate properties", &CertificateProperties{}, ""},
	}
	for _, c := range cases {
		expectValidation(t, c.name, c.v, c.want)
	}
}

func TestValidGUID(t *testing.T) {
	for _, ok := range []string{"a", "A-z_0-9", "0123456789abcdef-0123"} {
		if !ValidGUID(ok) {
			t.Errorf("%q must be valid", ok)
		}
	}
	for _, bad := range []string{"", " ", "a b", "a/b", "a.b", "a\n", "ü"} {
		if ValidGUID(bad) {
			t.Errorf("%q must be invalid", bad)
		}
	}
}
