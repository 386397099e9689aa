package models

import "testing"

func row(index int32, ig, state string, presence ActualLRP_Presence) *ActualLRP {
	return &ActualLRP{
		ActualLrpKey:         NewActualLRPKey("pg", index, "d"),
		ActualLrpInstanceKey: NewActualLRPInstanceKey(ig, "cell"),
		State:                state,
		Presence:             presence,
	}
}

func TestResolveActualLRPGroups(t *testing.T) {
	const (
		ord  = ActualLRP_ORDINARY
		sus  = ActualLRP_SUSPECT
		evac = ActualLRP_EVACUATING
	)
	cases := []struct {
		name       string
		rows       []*ActualLRP
		instance   string // instance guid of the chosen Instance ("" for none)
		evacuating string
	}{
		{"ordinary only", []*ActualLRP{row(0, "a", ActualLRPStateClaimed, ord)}, "a", ""},
		{"with evacuating", []*ActualLRP{row(0, "a", ActualLRPStateUnclaimed, ord), row(0, "b", ActualLRPStateRunning, evac)}, "a", "b"},
		{"evacuating only", []*ActualLRP{row(0, "b", ActualLRPStateRunning, evac)}, "", "b"},
		{"suspect running beats ordinary unclaimed", []*ActualLRP{row(0, "a", ActualLRPStateUnclaimed, ord), row(0, "s", ActualLRPStateRunning, sus)}, "s", ""},
		{"suspect running beats ordinary claimed", []*ActualLRP{row(0, "a", ActualLRPStateClaimed, ord), row(0, "s", ActualLRPStateRunning, sus)}, "s", ""},
		{"ordinary running beats suspect", []*ActualLRP{row(0, "s", ActualLRPStateRunning, sus), row(0, "a", ActualLRPStateRunning, ord)}, "a", ""},
		{"suspect running kept over later ordinary claimed", []*ActualLRP{row(0, "s", ActualLRPStateRunning, sus), row(0, "a", ActualLRPStateClaimed, ord)}, "s", ""},
		{"suspect claimed beats ordinary claimed", []*ActualLRP{row(0, "a", ActualLRPStateClaimed, ord), row(0, "s", ActualLRPStateClaimed, sus)}, "s", ""},
		{"ordinary claimed beats ordinary unclaimed", []*ActualLRP{row(0, "a", ActualLRPStateUnclaimed, ord), row(0, "b", ActualLRPStateClaimed, ord)}, "b", ""},
		{"first of equals wins", []*ActualLRP{row(0, "a", ActualLRPStateUnclaimed, ord), row(0, "b", ActualLRPStateCrashed, ord)}, "a", ""},
	}
	for _, c := range cases {
		g := ResolveActualLRPGroup(c.rows)
		if got := g.GetInstance().GetActualLrpInstanceKey().GetInstanceGuid(); got != c.instance {
			t.Errorf("%s: instance %q want %q", c.name, got, c.instance)
		}
		if got := g.GetEvacuating().GetActualLrpInstanceKey().GetInstanceGuid(); got != c.evacuating {
			t.Errorf("%s: evacuating %q want %q", c.name, got, c.evacuating)
		}
	}
	groups := ResolveActualLRPGroups([]*ActualLRP{row(1, "a", ActualLRPStateRunning, ord), row(0, "b", ActualLRPStateRunning, ord), row(1, "c", ActualLRPStateRunning, evac)})
	if len(groups) != 2 || groups[0].Instance.ActualLrpKey.Index != 1 || groups[0].Evacuating == nil || groups[1].Instance.ActualLrpKey.Index != 0 {
		t.Errorf("groups %v", groups)
	}
	if g := ResolveActualLRPGroup(nil); g == nil || g.Instance != nil || g.Evacuating != nil {
		t.Error("no rows gives an empty group")
	}
	if ResolveActualLRPGroups(nil) == nil {
		t.Error("groups are never nil")
	}
}

func TestActualLRPGroupResolve(t *testing.T) {
	inst := func(state string) *ActualLRP { return row(0, "i", state, ActualLRP_ORDINARY) }
	evac := row(0, "e", ActualLRPStateRunning, ActualLRP_EVACUATING)
	cases := []struct {
		g        *ActualLRPGroup
		guid     string
		evacuate bool
	}{
		{&ActualLRPGroup{Instance: inst(ActualLRPStateClaimed)}, "i", false},
		{&ActualLRPGroup{Evacuating: evac}, "e", true},
		{&ActualLRPGroup{Instance: inst(ActualLRPStateRunning), Evacuating: evac}, "i", false},
		{&ActualLRPGroup{Instance: inst(ActualLRPStateCrashed), Evacuating: evac}, "i", false},
		{&ActualLRPGroup{Instance: inst(ActualLRPStateClaimed), Evacuating: evac}, "e", true},
		{&ActualLRPGroup{Instance: inst(ActualLRPStateUnclaimed), Evacuating: evac}, "e", true},
	}
	for _, c := range cases {
		lrp, e, err := c.g.Resolve()
		if err != nil || lrp.GetActualLrpInstanceKey().GetInstanceGuid() != c.guid || e != c.evacuate {
			t.Errorf("%v: got %v %v %v", c.g, lrp, e, err)
		}
	}
	if _, _, err := (&ActualLRPGroup{}).Resolve(); err != ErrActualLRPGroupInvalid {
		t.Errorf("empty group: %v", err)
	}
	if g := row(0, "e", "", ActualLRP_EVACUATING).ToActualLRPGroup(); g.Evacuating == nil || g.Instance != nil {
		t.Error("evacuating row goes to Evacuating")
	}
	if g := row(0, "s", "", ActualLRP_SUSPECT).ToActualLRPGroup(); g.Instance == nil {
		t.Error("other rows go to Instance")
	}
}
