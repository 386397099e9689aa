package client

import (
	"math"
	"testing"
)

func TestRootFSMatch(t *testing.T) {
	ps := RootFSProviders{
		"preloaded":       FixedSetProvider("cflinuxfs4"),
		"preloaded+layer": FixedSetProvider("cflinuxfs4"),
		"docker":          ArbitraryProvider(),
	}
	cases := map[string]bool{
		"preloaded:cflinuxfs4":                   true,
		"preloaded:cflinuxfs3":                   false,
		"preloaded+layer:cflinuxfs4?layer=x.tgz": true,
		"docker:///cloudfoundry/grace":           true,
		"docker://registry:5000/x#tag":           true,
		"oci:///x":                               false,
		"cflinuxfs4":                             false,
		"":                                       false,
		"%zz:bad":                                false,
	}
	for rootfs, want := range cases {
		if got := ps.Match(rootfs); got != want {
			t.Errorf("Match(%q) = %v, want %v", rootfs, got, want)
		}
	}
}

func TestMatchPlacementTags(t *testing.T) {
	cases := []struct {
		required, optional, desired []string
		want                        bool
	}{
		{nil, nil, nil, true},
		{nil, nil, []string{"a"}, false},
		{[]string{"a"}, nil, nil, false},
		{[]string{"a"}, nil, []string{"a"}, true},
		{[]string{"a"}, []string{"b"}, []string{"a"}, true},
		{[]string{"a"}, []string{"b"}, []string{"a", "b"}, true},
		{[]string{"a"}, []string{"b"}, []string{"b"}, false},
		{nil, []string{"b"}, []string{"b"}, true},
		{nil, []string{"b"}, nil, true},
		{[]string{"a", "c"}, []string{"b"}, []string{"a", "b"}, false},
		{[]string{"a"}, []string{"b"}, []string{"a", "a", "b", "b"}, true},
		{[]string{"a"}, []string{"b"}, []string{"a", "c"}, false},
	}
	for _, c := range cases {
		cell := CellState{PlacementTags: c.required, OptionalPlacementTags: c.optional}
		if got := cell.MatchPlacementTags(c.desired); got != c.want {
			t.Errorf("required %v optional %v desired %v: got %v", c.required, c.optional, c.desired, got)
		}
	}
}

func TestMatchVolumeDrivers(t *testing.T) {
	cell := CellState{VolumeDrivers: []string{"nfs", "smb"}}
	if !cell.MatchVolumeDrivers(nil) || !cell.MatchVolumeDrivers([]string{"smb", "nfs"}) {
		t.Error("subset must match")
	}
	if cell.MatchVolumeDrivers([]string{"nfs", "ceph"}) {
		t.Error("unknown driver must not match")
	}
	if (&CellState{}).MatchVolumeDrivers([]string{"nfs"}) {
		t.Error("cell without drivers must not match")
	}
}

func TestResourceMatch(t *testing.T) {
	cell := CellState{AvailableResources: Resources{MemoryMB: 100, DiskMB: 100, Containers: 1}}
	if err := cell.ResourceMatch(Resource{MemoryMB: 100, DiskMB: 100}); err != nil {
		t.Fatalf("exact fit: %v", err)
	}
	cases := []struct {
		avail Resources
		res   Resource
		want  string
	}{
		{Resources{100, 100, 1}, Resource{MemoryMB: 101}, "insufficient resources: memory"},
		{Resources{100, 100, 1}, Resource{DiskMB: 101}, "insufficient resources: disk"},
		{Resources{100, 100, 0}, Resource{}, "insufficient resources: containers"},
		{Resources{0, 0, 0}, Resource{MemoryMB: 1, DiskMB: 1}, "insufficient resources: containers, disk, memory"},
		{Resources{0, 0, 1}, Resource{MemoryMB: 1, DiskMB: 1}, "insufficient resources: disk, memory"},
	}
	for _, c := range cases {
		cell := CellState{AvailableResources: c.avail}
		err := cell.ResourceMatch(c.res)
		if err == nil || err.Error() != c.want {
			t.Errorf("%+v on %+v: got %v, want %q", c.res, c.avail, err, c.want)
		}
	}
	if got := (InsufficientResourcesError{}).Error(); got != "insufficient resources" {
		t.Errorf("empty problems: %q", got)
	}
}

func TestComputeScore(t *testing.T) {
	cell := CellState{
		AvailableResources:     Resources{MemoryMB: 1000, DiskMB: 2000, Containers: 10},
		TotalResources:         Resources{MemoryMB: 2000, DiskMB: 4000, Containers: 20},
		StartingContainerCount: 2,
	}
	// After placing (500, 1000): memory 0.75, disk 0.75, containers 0.55 used.
	want := (0.75+0.75+(1-9.0/20))/3 + 2*0.25
	if got := cell.ComputeScore(Resource{MemoryMB: 500, DiskMB: 1000}, 0.25); math.Abs(got-want) > 1e-12 {
		t.Fatalf("score %v, want %v", got, want)
	}
	cell.AddLRP(LRP{Resource: Resource{MemoryMB: 500, DiskMB: 1000}})
	if cell.AvailableResources != (Resources{500, 1000, 9}) || cell.StartingContainerCount != 3 || len(cell.LRPs) != 1 {
		t.Fatalf("AddLRP: %+v", cell)
	}
	cell.AddTask(Task{Resource: Resource{MemoryMB: 100}})
	if cell.AvailableResources != (Resources{400, 1000, 8}) || cell.StartingContainerCount != 4 || len(cell.Tasks) != 1 {
		t.Fatalf("AddTask: %+v", cell)
	}
}

func TestPickURL(t *testing.T) {
	cases := []struct {
		addr, url         string
		haveTLS, required bool
		want              string
		wantErr           bool
	}{
		{"http://a:1800", "", false, false, "http://a:1800", false},
		{"http://a:1800", "http://c:1801", false, false, "http://c:1801", false},
		{"http://a:1800", "https://c:1801", false, false, "", true},
		{"http://a:1800", "https://c:1801", true, false, "https://c:1801", false},
		{"http://a:1800", "", true, false, "http://a:1800", false},
		{"http://a:1800", "http://c:1801", true, true, "", true},
		{"http://a:1800", "https://c:1801", true, true, "https://c:1801", false},
	}
	for _, c := range cases {
		got, err := PickURL(c.addr, c.url, c.haveTLS, c.required)
		if (err != nil) != c.wantErr || got != c.want {
			t.Errorf("PickURL(%q, %q, %v, %v) = %q, %v", c.addr, c.url, c.haveTLS, c.required, got, err)
		}
	}
}
