package modeljson_test

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/proto/modeljson"
	"github.com/godiego/diego/proto/models"
)

func TestUnmarshalDesiredLRP(t *testing.T) {
	spec := `{
		"Process_Guid": "web", "domain": "cf-apps", "rootfs": "preloaded:cflinuxfs4", "instances": 3,
		"env": [{"name": "A", "value": "b"}],
		"action": {"serial": {"actions": [{"run": {"path": "/bin/sh", "args": ["-c", "x"], "user": "vcap",
			"resource_limits": {"nofile": 0}}}, {"timeout": {"action": {"try": {"action": {"run": {"path": "/x"}}}}, "timeout_ms": 5}}]}},
		"deprecated_timeout_ns": 9,
		"routes": {"cf-router": [ {"hostnames": ["a"]} ], "other": {"k": 1}},
		"metric_tags": {"source_id": {"static": "s"}, "idx": {"dynamic": "INDEX"}},
		"image_layers": [{"url": "u", "destination_path": "/d", "layer_type": "SHARED", "media_type": "TGZ"}],
		"unknown_key": {"ignored": true},
		"placement_tags": ["a", "b"]
	}`
	var got models.DesiredLRP
	if err := modeljson.Unmarshal([]byte(spec), &got); err != nil {
		t.Fatal(err)
	}
	run := got.GetAction().GetSerialAction().GetActions()[0].GetRunAction()
	limits := run.GetResourceLimits()
	switch {
	case got.GetProcessGuid() != "web" || got.GetInstances() != 3 || got.GetDomain() != "cf-apps":
		t.Errorf("scalars: %v", &got)
	case got.GetDeprecatedStartTimeoutS() != 9:
		t.Errorf("deprecated_timeout_ns: %d", got.GetDeprecatedStartTimeoutS())
	case run.GetPath() != "/bin/sh" || len(run.GetArgs()) != 2:
		t.Errorf("run action: %v", run)
	case limits.GetOptionalNofile() == nil || limits.GetNofile() != 0:
		t.Errorf("a zero nofile given explicitly must be set: %v", limits)
	case string(got.GetRoutes().GetRoutes()["cf-router"]) != `[{"hostnames":["a"]}]`:
		t.Errorf("routes: %q", got.GetRoutes().GetRoutes()["cf-router"])
	case got.GetMetricTags()["idx"].GetDynamic() != models.MetricTagValue_INDEX:
		t.Errorf("metric tags: %v", got.GetMetricTags())
	case got.GetImageLayers()[0].GetLayerType() != models.ImageLayer_SHARED:
		t.Errorf("image layers: %v", got.GetImageLayers())
	case len(got.GetPlacementTags()) != 2:
		t.Errorf("placement tags: %v", got.GetPlacementTags())
	}
}

func TestUnmarshalTaskFlattensDefinition(t *testing.T) {
	var task models.Task
	err := modeljson.Unmarshal([]byte(`{"task_guid":"t","domain":"d","rootfs":"r","memory_mb":5,"state":"Running","action":{"run":{"path":"/p"}}}`), &task)
	if err != nil {
		t.Fatal(err)
	}
	def := task.GetTaskDefinition()
	if task.GetTaskGuid() != "t" || def.GetRootFs() != "r" || def.GetMemoryMb() != 5 || task.GetState() != models.Task_Running ||
		def.GetAction().GetRunAction().GetPath() != "/p" {
		t.Errorf("got %v", &task)
	}
}

func TestUnmarshalUpdate(t *testing.T) {
	var u models.DesiredLRPUpdate
	if err := modeljson.Unmarshal([]byte(`{"instances":0,"annotation":null,"routes":{"r":[]}}`), &u); err != nil {
		t.Fatal(err)
	}
	if !hasInstances(&u) || u.GetInstances() != 0 {
		t.Errorf("instances 0 must be set: %v", &u)
	}
	if u.GetOptionalAnnotation() != nil {
		t.Errorf("a null annotation must stay unset: %v", &u)
	}
	if string(u.GetRoutes().GetRoutes()["r"]) != "[]" {
		t.Errorf("routes: %v", u.GetRoutes())
	}
	back, err := modeljson.Marshal(&u)
	if err != nil || string(back) != `{"instances":0,"routes":{"r":[]}}` {
		t.Errorf("round trip: %s %v", back, err)
	}
}

func hasInstances(u *models.DesiredLRPUpdate) bool { return u.GetOptionalInstances() != nil }

func TestUnmarshalErrors(t *testing.T) {
	cases := []struct {
		json string
		msg  proto.Message
		want string
	}{
		{`{"instances":"3"}`, &models.DesiredLRP{}, "json: cannot unmarshal string into Go struct field DesiredLRP.instances of type int32"},
		{`{"instances":3.5}`, &models.DesiredLRP{}, "json: cannot unmarshal number 3.5 into Go struct field DesiredLRP.instances of type int32"},
		{`{"action":{"run":{"args":"x"}}}`, &models.DesiredLRP{}, "json: cannot unmarshal string into Go struct field RunAction.action.run.args of type []string"},
		{`{"state":"Sleeping"}`, &models.Task{}, "invalid state: Sleeping"},
		{`{"instances":"4"}`, &models.DesiredLRPUpdate{}, "json: cannot unmarshal string into Go struct field internalDesiredLRPUpdate.instances of type int32"},
		{`{"action":"x"}`, &models.DesiredLRP{}, "json: cannot unmarshal string into Go struct field DesiredLRP.action of type models.Action"},
		{`{"env":{}}`, &models.DesiredLRP{}, "json: cannot unmarshal object into Go struct field DesiredLRP.env of type []*models.EnvironmentVariable"},
		{`{"memory_mb":"x"}`, &models.Task{}, "json: cannot unmarshal string into Go struct field Task.TaskDefinition.memory_mb of type int32"},
		{`[1]`, &models.DesiredLRP{}, "json: cannot unmarshal array into Go value of type models.DesiredLRP"},
		{`{"process_guid":`, &models.DesiredLRP{}, "unexpected end of JSON input"},
		{`{"process_guid" "x"}`, &models.DesiredLRP{}, "invalid character '\"' after object key"},
	}
	for _, c := range cases {
		err := modeljson.Unmarshal([]byte(c.json), c.msg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.json, err, c.want)
		}
	}
}

// TestRoundTrip: what Marshal writes, Unmarshal reads back unchanged.
func TestRoundTrip(t *testing.T) {
	in := &models.DesiredLRP{
		ProcessGuid: "p", Domain: "d", RootFs: "r", Instances: 2, MemoryMb: 3,
		Action:       &models.Action{ParallelAction: &models.ParallelAction{Actions: []*models.Action{{DownloadAction: &models.DownloadAction{From: "f", To: "t"}}}}},
		Routes:       &models.ProtoRoutes{Routes: map[string][]byte{"x": []byte(`{"a":1}`)}},
		VolumeMounts: []*models.VolumeMount{{Driver: "nfs", Shared: &models.SharedDevice{VolumeId: "v"}}},
		Network:      &models.Network{Properties: map[string]string{"a": "b"}},
		MetricTags:   map[string]*models.MetricTagValue{"s": {Static: "v"}},
		LogRateLimit: &models.LogRateLimit{BytesPerSecond: -1},
	}
	b, err := modeljson.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	out := &models.DesiredLRP{}
	if err := modeljson.Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(in, out) {
		t.Errorf("round trip changed the record\n in %v\nout %v", in, out)
	}
}
