package models

import (
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
)

func layeredLRP() *DesiredLRP {
	d := validDesiredLRP()
	d.LegacyDownloadUser = "vcap"
	d.StartTimeoutMs = 61999
	d.Setup = WrapAction(&RunAction{Path: "setup", User: "vcap"})
	d.Action = WrapAction(Timeout(&RunAction{Path: "run", User: "vcap"}, 2*time.Second))
	d.CachedDependencies = []*CachedDependency{{Name: "old", From: "f", To: "/t", CacheKey: "k", LogSource: "ls"}}
	d.ImageLayers = []*ImageLayer{
		{Name: "shared", Url: "http://s", DestinationPath: "/s", LayerType: ImageLayer_SHARED, MediaType: ImageLayer_TGZ},
		{Name: "shared-digest", Url: "http://sd", DestinationPath: "/sd", LayerType: ImageLayer_SHARED, MediaType: ImageLayer_TGZ,
			DigestAlgorithm: ImageLayer_SHA256, DigestValue: "abc"},
		{Name: "excl", Url: "http://e", DestinationPath: "/e", LayerType: ImageLayer_EXCLUSIVE, MediaType: ImageLayer_TGZ,
			DigestAlgorithm: ImageLayer_SHA512, DigestValue: "def"},
	}
	return d
}

func TestDesiredLRPVersionDownToV3IsIdentity(t *testing.T) {
	d := layeredLRP()
	if d.VersionDownTo(V3) != d {
		t.Fatal("V3 must return the receiver")
	}
	var nilLRP *DesiredLRP
	if nilLRP.VersionDownTo(V0) != nil {
		t.Fatal("nil stays nil")
	}
}

func TestDesiredLRPVersionDownToV2(t *testing.T) {
	d := layeredLRP()
	before := proto.Clone(d)
	v2 := d.VersionDownTo(V2)
	if !proto.Equal(d, before) {
		t.Fatal("the receiver must not change")
	}
	if len(v2.ImageLayers) != 0 {
		t.Fatal("image layers must be cleared")
	}
	wantDeps := []*CachedDependency{
		{Name: "shared", From: "http://s", To: "/s", CacheKey: "http://s"},
		{Name: "shared-digest", From: "http://sd", To: "/sd", CacheKey: "sha256:abc", ChecksumAlgorithm: "sha256", ChecksumValue: "abc"},
		{Name: "old", From: "f", To: "/t", CacheKey: "k", LogSource: "ls"},
	}
	if len(v2.CachedDependencies) != len(wantDeps) {
		t.Fatalf("deps %v", v2.CachedDependencies)
	}
	for i := range wantDeps {
		if !proto.Equal(v2.CachedDependencies[i], wantDeps[i]) {
			t.Errorf("dep %d: %v want %v", i, v2.CachedDependencies[i], wantDeps[i])
		}
	}
	wantSetup := WrapAction(Serial(
		Parallel(&DownloadAction{Artifact: "excl", From: "http://e", To: "/e", CacheKey: "sha512:def", User: "vcap",
			ChecksumAlgorithm: "sha512", ChecksumValue: "def"}),
		&RunAction{Path: "setup", User: "vcap"},
	))
	if !proto.Equal(v2.Setup, wantSetup) {
		t.Errorf("setup %v\nwant %v", v2.Setup, wantSetup)
	}
	if v1 := d.VersionDownTo(V1); !proto.Equal(v1, v2) {
		t.Error("V1 equals V2 for desired LRPs")
	}
}

func TestDesiredLRPVersionDownToV0(t *testing.T) {
	d := layeredLRP()
	d.ImageLayers = nil
	d.Monitor = WrapAction(EmitProgressFor(Timeout(&RunAction{Path: "m", User: "u"}, time.Second), "s", "ok", "f"))
	v0 := d.VersionDownTo(V0)
	if v0.DeprecatedStartTimeoutS != 61 {
		t.Errorf("start timeout %d", v0.DeprecatedStartTimeoutS)
	}
	if got := v0.Action.GetTimeoutAction().GetDeprecatedTimeoutNs(); got != int64(2*time.Second) {
		t.Errorf("action timeout ns %d", got)
	}
	if d.Action.GetTimeoutAction().GetDeprecatedTimeoutNs() != 0 {
		t.Error("the receiver's actions must not change")
	}
	// The emit-progress wrapper is dropped for V0 clients.
	if got := v0.Monitor.GetTimeoutAction().GetDeprecatedTimeoutNs(); got != int64(time.Second) {
		t.Errorf("monitor %v", v0.Monitor)
	}
	if len(v0.CachedDependencies) != 0 {
		t.Error("cached dependencies become setup downloads")
	}
	wantSetup := WrapAction(Serial(
		Parallel(&DownloadAction{Artifact: "old", From: "f", To: "/t", CacheKey: "k", LogSource: "ls", User: "vcap"}),
		&RunAction{Path: "setup", User: "vcap"},
	))
	if !proto.Equal(v0.Setup, wantSetup) {
		t.Errorf("setup %v\nwant %v", v0.Setup, wantSetup)
	}
	d.Setup = nil
	if got := d.VersionDownTo(V0).Setup; !proto.Equal(got, WrapAction(Serial(Parallel(
		&DownloadAction{Artifact: "old", From: "f", To: "/t", CacheKey: "k", LogSource: "ls", User: "vcap"})))) {
		t.Errorf("setup without existing setup: %v", got)
	}
}

func TestSetDeprecatedTimeoutNs(t *testing.T) {
	run := &RunAction{Path: "p", User: "u"}
	tree := WrapAction(Codependent(
		Try(Timeout(run, time.Millisecond)),
		Serial(Timeout(run, 2*time.Millisecond)),
		Parallel(run),
	))
	got := tree.SetDeprecatedTimeoutNs()
	want := WrapAction(Codependent(
		&TimeoutAction{Action: WrapAction(run), TimeoutMs: 1, DeprecatedTimeoutNs: int64(time.Millisecond)},
		Serial(&TimeoutAction{Action: WrapAction(run), TimeoutMs: 2, DeprecatedTimeoutNs: int64(2 * time.Millisecond)}),
		Parallel(run),
	))
	if !proto.Equal(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	var nilAction *Action
	if nilAction.SetDeprecatedTimeoutNs() != nil {
		t.Error("nil stays nil")
	}
}

func TestTaskVersionDownTo(t *testing.T) {
	task := &Task{TaskGuid: "t", TaskDefinition: &TaskDefinition{
		LegacyDownloadUser: "vcap",
		Action:             WrapAction(&RunAction{Path: "p", User: "u"}),
		ImageLayers: []*ImageLayer{
			{Name: "e", Url: "http://e", DestinationPath: "/e", LayerType: ImageLayer_EXCLUSIVE, DigestAlgorithm: ImageLayer_SHA256, DigestValue: "x"},
			{Name: "s", Url: "http://s", DestinationPath: "/s", LayerType: ImageLayer_SHARED},
		},
	}}
	if task.VersionDownTo(V3) != task {
		t.Fatal("V3 must return the receiver")
	}
	v2 := task.VersionDownTo(V2)
	if len(task.TaskDefinition.ImageLayers) != 2 {
		t.Fatal("the receiver must not change")
	}
	def := v2.TaskDefinition
	if len(def.ImageLayers) != 0 || len(def.CachedDependencies) != 1 || def.CachedDependencies[0].CacheKey != "http://s" {
		t.Fatalf("got %v", def)
	}
	want := WrapAction(Serial(Parallel(&DownloadAction{Artifact: "e", From: "http://e", To: "/e", CacheKey: "sha256:x", User: "vcap",
		ChecksumAlgorithm: "sha256", ChecksumValue: "x"}), &RunAction{Path: "p", User: "u"}))
	if !proto.Equal(def.Action, want) {
		t.Errorf("action %v", def.Action)
	}
	if !proto.Equal(task.VersionDownTo(V0), v2) {
		t.Error("V0 equals V2 for tasks")
	}
	if got := (&Task{}).VersionDownTo(V2); got.TaskDefinition == nil {
		t.Error("a downgraded task always has a definition")
	}
}

func TestPopulateMetricsGuid(t *testing.T) {
	d := &DesiredLRP{MetricTags: map[string]*MetricTagValue{"source_id": {Static: "s"}}}
	if d.PopulateMetricsGuid().MetricsGuid != "s" {
		t.Error("metrics guid from source_id")
	}
	d = &DesiredLRP{MetricsGuid: "m"}
	if d.PopulateMetricsGuid().MetricTags["source_id"].GetStatic() != "m" {
		t.Error("source_id from metrics guid")
	}
	d = &DesiredLRP{MetricsGuid: "m", MetricTags: map[string]*MetricTagValue{"source_id": {Static: "s"}}}
	if d.PopulateMetricsGuid(); d.MetricsGuid != "m" || d.MetricTags["source_id"].GetStatic() != "s" {
		t.Error("both set: nothing changes")
	}
	d = &DesiredLRP{}
	if d.PopulateMetricsGuid(); d.MetricTags != nil || d.MetricsGuid != "" {
		t.Error("neither set: nothing changes")
	}
}
