package models

import "testing"

func TestEventTypesAndKeys(t *testing.T) {
	lrp := row(0, "ig", ActualLRPStateRunning, ActualLRP_ORDINARY)
	d := &DesiredLRP{ProcessGuid: "pg"}
	task := &Task{TaskGuid: "tg"}
	group := &ActualLRPGroup{Instance: lrp}
	cases := []struct {
		e        Event
		typ, key string
	}{
		{&DesiredLRPCreatedEvent{DesiredLrp: d}, "desired_lrp_created", "pg"},
		{&DesiredLRPChangedEvent{Before: d, After: d}, "desired_lrp_changed", "pg"},
		{&DesiredLRPRemovedEvent{DesiredLrp: d}, "desired_lrp_removed", "pg"},
		{&ActualLRPCreatedEvent{ActualLrpGroup: group}, "actual_lrp_created", "ig"},
		{&ActualLRPChangedEvent{Before: group, After: group}, "actual_lrp_changed", "ig"},
		{&ActualLRPRemovedEvent{ActualLrpGroup: &ActualLRPGroup{}}, "actual_lrp_removed", ""},
		{NewActualLRPCrashedEvent(lrp, lrp), "actual_lrp_crashed", "ig"},
		{&ActualLRPInstanceCreatedEvent{ActualLrp: lrp}, "actual_lrp_instance_created", "ig"},
		{NewActualLRPInstanceChangedEvent(lrp, lrp, "t"), "actual_lrp_instance_changed", "ig"},
		{&ActualLRPInstanceRemovedEvent{}, "actual_lrp_instance_removed", ""},
		{&TaskCreatedEvent{Task: task}, "task_created", "tg"},
		{&TaskChangedEvent{Before: task, After: task}, "task_changed", "tg"},
		{&TaskRemovedEvent{Task: task}, "task_removed", "tg"},
	}
	for _, c := range cases {
		if c.e.EventType() != c.typ || c.e.Key() != c.key {
			t.Errorf("%T: got %q %q", c.e, c.e.EventType(), c.e.Key())
		}
	}
}

func TestNewActualLRPInstanceChangedEvent(t *testing.T) {
	before := &ActualLRP{ActualLrpKey: NewActualLRPKey("pg", 1, "d"), ActualLrpInstanceKey: NewActualLRPInstanceKey("ig", "c"),
		State: ActualLRPStateClaimed, ModificationTag: NewModificationTag("e", 1)}
	after := &ActualLRP{ActualLrpKey: NewActualLRPKey("pg", 1, "d"), State: ActualLRPStateUnclaimed, Since: 5}
	after.SetRoutable(true)
	e := NewActualLRPInstanceChangedEvent(before, after, "trace")
	if e.ActualLrpKey.GetProcessGuid() != "pg" || e.ActualLrpInstanceKey.GetInstanceGuid() != "ig" || e.TraceId != "trace" {
		t.Errorf("keys: %v", e)
	}
	if e.Before.State != ActualLRPStateClaimed || e.After.State != ActualLRPStateUnclaimed || !e.After.RoutableExists() || e.Before.RoutableExists() {
		t.Errorf("infos: %v", e)
	}
	back := e.After.ToActualLRP(e.ActualLrpKey, nil)
	if back.Since != 5 || !back.GetRoutable() || back.State != ActualLRPStateUnclaimed {
		t.Errorf("ToActualLRP: %v", back)
	}
	var nilInfo *ActualLRPInfo
	if nilInfo.ToActualLRP(nil, nil) != nil || (*ActualLRP)(nil).ToActualLRPInfo() != nil {
		t.Error("nil stays nil")
	}
	c := NewActualLRPCrashedEvent(before, &ActualLRP{ActualLrpKey: before.ActualLrpKey, CrashCount: 2, CrashReason: "oom", Since: 9})
	if c.ActualLrpInstanceKey.GetInstanceGuid() != "ig" || c.CrashCount != 2 || c.CrashReason != "oom" || c.Since != 9 {
		t.Errorf("crashed: %v", c)
	}
}

func TestVersionEvents(t *testing.T) {
	d := layeredLRP()
	e := VersionDesiredLRPsTo(&DesiredLRPChangedEvent{Before: d, After: d, TraceId: "t"}, V2).(*DesiredLRPChangedEvent)
	if len(e.Before.ImageLayers) != 0 || len(e.After.ImageLayers) != 0 || e.TraceId != "t" {
		t.Error("desired LRPs in events must be downgraded")
	}
	other := &TaskCreatedEvent{}
	if VersionDesiredLRPsTo(other, V0) != Event(other) {
		t.Error("other events pass through")
	}
	task := &Task{TaskDefinition: &TaskDefinition{ImageLayers: []*ImageLayer{{LayerType: ImageLayer_SHARED}}}}
	te := VersionTaskDefinitionsTo(&TaskRemovedEvent{Task: task}, V2).(*TaskRemovedEvent)
	if len(te.Task.TaskDefinition.ImageLayers) != 0 {
		t.Error("tasks in events must be downgraded")
	}
}

func TestTaskCallbackResponse(t *testing.T) {
	task := &Task{TaskGuid: "t", Failed: true, FailureReason: "r", Result: "x", CreatedAt: 7,
		TaskDefinition: &TaskDefinition{Annotation: "a"}}
	got := task.CallbackResponse()
	if got.TaskGuid != "t" || !got.Failed || got.FailureReason != "r" || got.Result != "x" || got.Annotation != "a" || got.CreatedAt != 7 {
		t.Errorf("got %v", got)
	}
}

func TestCellHelpers(t *testing.T) {
	c := NewCellPresence("cell", "http://1.2.3.4:1800", "https://cell.service:1801", "z1",
		&CellCapacity{MemoryMb: 1, DiskMb: 1, Containers: 1}, []string{"docker"}, []string{"cflinuxfs4"}, []string{"t"}, nil)
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, p := range c.RootfsProviders {
		names = append(names, p.Name)
	}
	if len(names) != 3 || names[0] != "preloaded" || names[1] != "preloaded+layer" || names[2] != "docker" ||
		c.RootfsProviders[1].Properties[0] != "cflinuxfs4" || c.RootfsProviders[2].Properties == nil {
		t.Errorf("providers %v", c.RootfsProviders)
	}
	set := NewCellSetFromList([]*CellPresence{c})
	if !set.HasCellID("cell") || set.HasCellID("x") || len(set.CellIDs()) != 1 {
		t.Error("cell set")
	}
	if PreloadedRootFS("cflinuxfs4") != "preloaded:cflinuxfs4" {
		t.Error(PreloadedRootFS("cflinuxfs4"))
	}
}

func TestActualLRPConstructors(t *testing.T) {
	key, ik := NewActualLRPKey("pg", 1, "d"), NewActualLRPInstanceKey("ig", "c")
	net := NewActualLRPNetInfo("1.1.1.1", "10.0.0.1", ActualLRPNetInfo_INSTANCE, NewPortMapping(61000, 8080), NewPortMappingWithTLSProxy(61001, 8080, 61002, 61443))
	for _, lrp := range []*ActualLRP{
		NewUnclaimedActualLRP(key, 1), NewClaimedActualLRP(key, ik, 1), NewRunningActualLRP(key, ik, net, 1),
	} {
		if err := lrp.Validate(); err != nil {
			t.Errorf("%s: %v", lrp.State, err)
		}
	}
	if net.Ports[1].HostTlsProxyPort != 61002 || net.Ports[1].ContainerTlsProxyPort != 61443 {
		t.Errorf("tls ports %v", net.Ports[1])
	}
	if !(&ActualLRPNetInfo{}).IsEmpty() || net.IsEmpty() {
		t.Error("IsEmpty")
	}
	r := &ActualLRPsRequest{}
	if r.IndexExists() {
		t.Error("index unset")
	}
	r.SetIndex(0)
	if !r.IndexExists() || r.GetIndex() != 0 {
		t.Error("index set")
	}
	s := &StartActualLRPRequest{}
	s.SetRoutable(false)
	ev := &EvacuateRunningActualLRPRequest{}
	ev.SetRoutable(true)
	if !s.RoutableExists() || s.GetRoutable() || !ev.RoutableExists() || !ev.GetRoutable() {
		t.Error("routable")
	}
}
