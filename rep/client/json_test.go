package client

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// golden checks that v marshals to exactly want and that want unmarshals back to v.
func golden[T any](t *testing.T, v T, want string) {
	t.Helper()
	got, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(want)); err != nil {
		t.Fatalf("bad golden: %v", err)
	}
	if string(got) != compact.String() {
		t.Errorf("marshal mismatch\n got: %s\nwant: %s", got, compact.String())
	}
	var back T
	if err := json.Unmarshal([]byte(want), &back); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	if !reflect.DeepEqual(back, v) {
		t.Errorf("round trip mismatch\n got: %#v\nwant: %#v", back, v)
	}
}

func TestCellStateJSON(t *testing.T) {
	state := CellState{
		RepURL:    "https://cell-1.cell.service.cf.internal:1801",
		CellID:    "cell_1",
		CellIndex: 3,
		RootFSProviders: RootFSProviders{
			"preloaded": FixedSetProvider("cflinuxfs4", "cflinuxfs3"),
			"docker":    ArbitraryProvider(),
		},
		AvailableResources: Resources{MemoryMB: 1024, DiskMB: 2048, Containers: 10},
		TotalResources:     Resources{MemoryMB: 4096, DiskMB: 8192, Containers: 250},
		LRPs: []LRP{{
			InstanceGUID:        "ig-1",
			ActualLRPKey:        ActualLRPKey{ProcessGUID: "pg-1", Index: 2, Domain: "cf-apps"},
			PlacementConstraint: PlacementConstraint{PlacementTags: []string{"a"}, VolumeDrivers: []string{}, RootFs: "preloaded:cflinuxfs4"},
			Resource:            Resource{MemoryMB: 256, DiskMB: 1024, MaxPids: 1024},
			State:               LRPStateRunning,
		}},
		Tasks: []Task{{
			TaskGUID:            "tg-1",
			Domain:              "cf-tasks",
			PlacementConstraint: PlacementConstraint{RootFs: "docker:///busybox"},
			Resource:            Resource{MemoryMB: 128, DiskMB: 64},
			State:               TaskStateRunning,
			Failed:              false,
		}},
		StartingContainerCount:  1,
		Zone:                    "z1",
		Evacuating:              false,
		VolumeDrivers:           []string{"nfs"},
		PlacementTags:           []string{"a"},
		OptionalPlacementTags:   []string{"b"},
		ProxyMemoryAllocationMB: 32,
	}
	golden(t, state, `{
		"rep_url":"https://cell-1.cell.service.cf.internal:1801",
		"cell_id":"cell_1",
		"cell_index":3,
		"RootFSProviders":{
			"docker":{"type":"arbitrary"},
			"preloaded":{"set":{"cflinuxfs3":{},"cflinuxfs4":{}},"type":"fixed_set"}
		},
		"AvailableResources":{"MemoryMB":1024,"DiskMB":2048,"Containers":10},
		"TotalResources":{"MemoryMB":4096,"DiskMB":8192,"Containers":250},
		"LRPs":[{
			"instance_guid":"ig-1","process_guid":"pg-1","index":2,"domain":"cf-apps",
			"PlacementTags":["a"],"VolumeDrivers":[],"RootFs":"preloaded:cflinuxfs4",
			"MemoryMB":256,"DiskMB":1024,"MaxPids":1024,"state":"RUNNING"
		}],
		"Tasks":[{
			"TaskGuid":"tg-1","Domain":"cf-tasks",
			"PlacementTags":null,"VolumeDrivers":null,"RootFs":"docker:///busybox",
			"MemoryMB":128,"DiskMB":64,"MaxPids":0,"state":"Running","failed":false
		}],
		"StartingContainerCount":1,
		"Zone":"z1",
		"Evacuating":false,
		"VolumeDrivers":["nfs"],
		"PlacementTags":["a"],
		"OptionalPlacementTags":["b"],
		"ProxyMemoryAllocationMB":32
	}`)
}

func TestEmptyCellStateJSON(t *testing.T) {
	golden(t, CellState{}, `{"rep_url":"","cell_id":"","cell_index":0,"RootFSProviders":null,
		"AvailableResources":{"MemoryMB":0,"DiskMB":0,"Containers":0},
		"TotalResources":{"MemoryMB":0,"DiskMB":0,"Containers":0},
		"LRPs":null,"Tasks":null,"StartingContainerCount":0,"Zone":"","Evacuating":false,
		"VolumeDrivers":null,"PlacementTags":null,"OptionalPlacementTags":null,"ProxyMemoryAllocationMB":0}`)
}

func TestWorkJSON(t *testing.T) {
	work := Work{
		LRPs: []LRP{{
			InstanceGUID:        "ig",
			ActualLRPKey:        ActualLRPKey{ProcessGUID: "pg", Index: 0, Domain: "d"},
			PlacementConstraint: PlacementConstraint{RootFs: "preloaded:cflinuxfs4"},
			Resource:            Resource{MemoryMB: 1, DiskMB: 2, MaxPids: 3},
		}},
		Tasks:  []Task{{TaskGUID: "t", Domain: "d", Resource: Resource{MemoryMB: 5}}},
		CellID: "cell-a",
	}
	golden(t, work, `{"LRPs":[{"instance_guid":"ig","process_guid":"pg","index":0,"domain":"d",
		"PlacementTags":null,"VolumeDrivers":null,"RootFs":"preloaded:cflinuxfs4",
		"MemoryMB":1,"DiskMB":2,"MaxPids":3,"state":""}],
		"Tasks":[{"TaskGuid":"t","Domain":"d","PlacementTags":null,"VolumeDrivers":null,"RootFs":"",
		"MemoryMB":5,"DiskMB":0,"MaxPids":0,"state":"Invalid","failed":false}],
		"cell_id":"cell-a"}`)
	// cell_id is omitted when empty (the failed-work reply).
	golden(t, Work{}, `{"LRPs":null,"Tasks":null}`)
}

func TestTaskStates(t *testing.T) {
	for i, name := range []string{"Invalid", "Pending", "Running", "Completed", "Resolving"} {
		golden(t, TaskState(i), `"`+name+`"`)
	}
	var s TaskState
	if err := json.Unmarshal([]byte(`"Bogus"`), &s); err == nil || err.Error() != "invalid state: Bogus" {
		t.Fatalf("got %v", err)
	}
	if err := json.Unmarshal([]byte(`2`), &s); err == nil {
		t.Fatal("numbers must be rejected")
	}
}

func TestLRPUpdateJSON(t *testing.T) {
	golden(t, LRPUpdate{
		InstanceGUID:   "ig",
		ActualLRPKey:   ActualLRPKey{ProcessGUID: "pg", Index: 1, Domain: "cf-apps"},
		InternalRoutes: []InternalRoute{{Hostname: "a.apps.internal"}},
		MetricTags:     map[string]string{"app_name": "x"},
	}, `{"instance_guid":"ig","process_guid":"pg","index":1,"domain":"cf-apps",
		"internal_routes":[{"hostname":"a.apps.internal"}],"metric_tags":{"app_name":"x"}}`)
	golden(t, LRPUpdate{}, `{"instance_guid":"","process_guid":"","index":0,"domain":"",
		"internal_routes":null,"metric_tags":null}`)
}

func TestContainerMetricsJSON(t *testing.T) {
	rx := uint64(10)
	golden(t, ContainerMetricsCollection{
		CellID: "c",
		LRPs: []LRPMetric{{InstanceGUID: "ig", ProcessGUID: "pg", Index: 4, ContainerMetrics: ContainerMetrics{
			MetricGUID: "mg", CPUUsageFraction: 0.5, DiskUsageBytes: 1, DiskQuotaBytes: 2,
			MemoryUsageBytes: 3, MemoryQuotaBytes: 4, RxBytes: &rx,
		}}},
		Tasks: []TaskMetric{{TaskGUID: "tg", ContainerMetrics: ContainerMetrics{MetricGUID: "tm"}}},
	}, `{"cell_id":"c",
		"lrps":[{"instance_guid":"ig","process_guid":"pg","index":4,"metric_guid":"mg",
			"cpu_usage_fraction":0.5,"disk_usage_bytes":1,"disk_quota_bytes":2,
			"memory_usage_bytes":3,"memory_quota_bytes":4,"rx_bytes":10}],
		"tasks":[{"task_guid":"tg","metric_guid":"tm","cpu_usage_fraction":0,"disk_usage_bytes":0,
			"disk_quota_bytes":0,"memory_usage_bytes":0,"memory_quota_bytes":0}]}`)
}

func TestEvacuateResponseJSON(t *testing.T) {
	golden(t, EvacuateResponse{PingPath: "/ping"}, `{"ping_path":"/ping"}`)
}

func TestRootFSProvidersJSON(t *testing.T) {
	golden(t, RootFSProviders{
		"preloaded":       FixedSetProvider("cflinuxfs4"),
		"preloaded+layer": FixedSetProvider("cflinuxfs4"),
		"docker":          ArbitraryProvider(),
	}, `{"docker":{"type":"arbitrary"},
		"preloaded":{"set":{"cflinuxfs4":{}},"type":"fixed_set"},
		"preloaded+layer":{"set":{"cflinuxfs4":{}},"type":"fixed_set"}}`)
	// Key order in the input does not matter; an unknown type matches nothing.
	var ps RootFSProviders
	if err := json.Unmarshal([]byte(`{"p":{"type":"fixed_set","set":{"s":{}}},"x":{"type":"weird"}}`), &ps); err != nil {
		t.Fatal(err)
	}
	if !ps.Match("p:s") || ps.Match("x:anything") || ps.Match("p:other") {
		t.Fatalf("unexpected matches for %#v", ps)
	}
}
