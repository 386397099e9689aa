package modeljson_test

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/proto/locketmodels"
	"github.com/godiego/diego/proto/modeljson"
	"github.com/godiego/diego/proto/models"
)

func TestMarshal(t *testing.T) {
	update := &models.DesiredLRPUpdate{}
	update.OptionalInstances = &models.DesiredLRPUpdate_Instances{Instances: 0}
	cases := []struct {
		name string
		msg  proto.Message
		want string
	}{
		{
			"empty actual LRP: embedded keys inlined, value structs and enums present",
			&models.ActualLRP{},
			`{"process_guid":"","index":0,"domain":"","instance_guid":"","cell_id":"","address":"","ports":null,"preferred_address":"UNKNOWN","crash_count":0,"state":"","since":0,"modification_tag":{"epoch":"","index":0},"presence":"ORDINARY","OptionalRoutable":null,"availability_zone":""}`,
		},
		{
			"running actual LRP",
			&models.ActualLRP{
				ActualLrpKey:         &models.ActualLRPKey{ProcessGuid: "pg", Index: 2, Domain: "d"},
				ActualLrpInstanceKey: &models.ActualLRPInstanceKey{InstanceGuid: "ig", CellId: "c1"},
				ActualLrpNetInfo: &models.ActualLRPNetInfo{Address: "10.0.0.1", InstanceAddress: "10.1.0.1",
					PreferredAddress: models.ActualLRPNetInfo_HOST,
					Ports:            []*models.PortMapping{{ContainerPort: 8080, HostPort: 61000}}},
				CrashCount: 1, CrashReason: "boom", State: "RUNNING", Since: 1700000000000000000,
				ModificationTag: &models.ModificationTag{Epoch: "e", Index: 3}, Presence: models.ActualLRP_EVACUATING,
				ActualLrpInternalRoutes: []*models.ActualLRPInternalRoute{{Hostname: "a.internal"}},
				MetricTags:              map[string]string{"z": "1", "a": "2"},
				OptionalRoutable:        &models.ActualLRP_Routable{Routable: false},
				AvailabilityZone:        "z1",
			},
			`{"process_guid":"pg","index":2,"domain":"d","instance_guid":"ig","cell_id":"c1","address":"10.0.0.1","ports":[{"container_port":8080,"host_port":61000,"container_tls_proxy_port":0,"host_tls_proxy_port":0}],"instance_address":"10.1.0.1","preferred_address":"HOST","crash_count":1,"crash_reason":"boom","state":"RUNNING","since":1700000000000000000,"modification_tag":{"epoch":"e","index":3},"presence":"EVACUATING","actual_lrp_internal_routes":[{"hostname":"a.internal"}],"metric_tags":{"a":"2","z":"1"},"OptionalRoutable":{"routable":false},"availability_zone":"z1"}`,
		},
		{
			"actual LRP info: the wrapper's Routable is omitempty",
			&models.ActualLRPInfo{OptionalRoutable: &models.ActualLRPInfo_Routable{Routable: false}},
			`{"address":"","ports":null,"preferred_address":"UNKNOWN","crash_count":0,"state":"","since":0,"modification_tag":{"epoch":"","index":0},"presence":"ORDINARY","OptionalRoutable":{},"availability_zone":""}`,
		},
		{
			"task without a definition inlines nothing",
			&models.Task{TaskGuid: "t", State: models.Task_Pending},
			`{"task_guid":"t","domain":"","created_at":0,"updated_at":0,"first_completed_at":0,"state":"Pending","cell_id":"","result":"","failed":false,"failure_reason":"","rejection_count":0,"rejection_reason":""}`,
		},
		{
			"task with a definition inlines it; unknown enum numbers print as quoted numbers",
			&models.Task{TaskGuid: "t", State: models.Task_State(9), TaskDefinition: &models.TaskDefinition{
				RootFs: "preloaded:x", MemoryMb: 5, Annotation: "<a&b>",
				Action: &models.Action{RunAction: &models.RunAction{Path: "/bin/true", User: "root"}},
			}},
			`{"rootfs":"preloaded:x","action":{"run":{"path":"/bin/true","user":"root","suppress_log_output":false}},"disk_mb":0,"memory_mb":5,"cpu_weight":0,"privileged":false,"log_source":"","log_guid":"","metrics_guid":"","result_file":"","annotation":"\u003ca\u0026b\u003e","max_pids":0,"image_username":"","image_password":"","task_guid":"t","domain":"","created_at":0,"updated_at":0,"first_completed_at":0,"state":"9","cell_id":"","result":"","failed":false,"failure_reason":"","rejection_count":0,"rejection_reason":""}`,
		},
		{
			"scheduling info: unset routes are null, embedded keys inlined",
			&models.DesiredLRPSchedulingInfo{Instances: 1},
			`{"process_guid":"","domain":"","log_guid":"","annotation":"","instances":1,"memory_mb":0,"disk_mb":0,"rootfs":"","max_pids":0,"routes":null,"epoch":"","index":0}`,
		},
		{
			"desired LRP: routes are raw JSON, compacted and HTML-escaped; metric tag enums by name",
			&models.DesiredLRP{
				ProcessGuid: "p", Instances: 1, DeprecatedStartTimeoutS: 7,
				Routes:     &models.ProtoRoutes{Routes: map[string][]byte{"cf-router": []byte(`[ {"hostnames": ["<h>"]} ]`), "empty": nil}},
				MetricTags: map[string]*models.MetricTagValue{"i": {Dynamic: models.MetricTagValue_INDEX}, "s": {Static: "v"}},
			},
			`{"process_guid":"p","domain":"","rootfs":"","instances":1,"env":null,"start_timeout_ms":0,"deprecated_timeout_ns":7,"disk_mb":0,"memory_mb":0,"cpu_weight":0,"privileged":false,"routes":{"cf-router":[{"hostnames":["\u003ch\u003e"]}],"empty":null},"log_source":"","log_guid":"","metrics_guid":"","annotation":"","max_pids":0,"metric_tags":{"i":{"dynamic":"INDEX"},"s":{"static":"v"}}}`,
		},
		{"update with zero instances set", update, `{"instances":0}`},
		{"empty update", &models.DesiredLRPUpdate{}, `{}`},
		{
			"resource limits",
			&models.ResourceLimits{OptionalNofile: &models.ResourceLimits_Nofile{Nofile: 10}},
			`{"nofile":10}`,
		},
		{
			"actual LRPs request",
			&models.ActualLRPsRequest{Domain: "d", OptionalIndex: &models.ActualLRPsRequest_Index{Index: 0}},
			`{"domain":"d","cell_id":"","process_guid":"","index":0}`,
		},
		{"error type by name", &models.Error{Type: models.Error_ResourceNotFound, Message: "gone"}, `{"type":"ResourceNotFound","message":"gone"}`},
		{
			"cell presence",
			&models.CellPresence{CellId: "c", RepAddress: "http://r", Capacity: &models.CellCapacity{MemoryMb: 1},
				RootfsProviders: []*models.Provider{{Name: "docker"}, {Name: "preloaded", Properties: []string{"x"}}}},
			`{"cell_id":"c","rep_address":"http://r","zone":"","capacity":{"memory_mb":1,"disk_mb":0,"containers":0},"rootfs_provider_list":[{"name":"docker"},{"name":"preloaded","properties":["x"]}],"rep_url":""}`,
		},
		{
			"locket resource: plain gogo tags, numeric enum",
			&locketmodels.Resource{Key: "k", Owner: "o", TypeCode: locketmodels.TypeCode_PRESENCE},
			`{"key":"k","owner":"o","type_code":2}`,
		},
		{
			"group with only an evacuating instance",
			&models.ActualLRPGroup{Evacuating: &models.ActualLRP{State: "RUNNING", Presence: models.ActualLRP_EVACUATING}},
			`{"evacuating":{"process_guid":"","index":0,"domain":"","instance_guid":"","cell_id":"","address":"","ports":null,"preferred_address":"UNKNOWN","crash_count":0,"state":"RUNNING","since":0,"modification_tag":{"epoch":"","index":0},"presence":"EVACUATING","OptionalRoutable":null,"availability_zone":""}}`,
		},
		{
			"crashed event",
			&models.ActualLRPCrashedEvent{ActualLrpKey: &models.ActualLRPKey{ProcessGuid: "p"}, CrashCount: 2, Since: 5},
			`{"process_guid":"p","index":0,"domain":"","instance_guid":"","cell_id":"","crash_count":2,"since":5}`,
		},
	}
	for _, c := range cases {
		got, err := modeljson.Marshal(c.msg)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if string(got) != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}
