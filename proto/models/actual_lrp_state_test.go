package models

import "testing"

func TestActualLRPTransitions(t *testing.T) {
	key := &ActualLRPKey{ProcessGuid: "pg", Index: 1, Domain: "d"}
	recorded := &ActualLRPInstanceKey{InstanceGuid: "ig", CellId: "cell"}
	keys := map[string]*ActualLRPInstanceKey{
		"empty": {},
		"nil":   nil,
		"same":  {InstanceGuid: "ig", CellId: "cell"},
		"other": {InstanceGuid: "ig2", CellId: "cell2"},
	}
	// Expected outcome for each (from, to) per requester key kind.
	type row struct{ empty, same, other bool }
	table := map[string]map[string]row{
		ActualLRPStateUnclaimed: {
			ActualLRPStateUnclaimed: {true, true, true},
			ActualLRPStateClaimed:   {true, true, true},
			ActualLRPStateRunning:   {true, true, true},
			ActualLRPStateCrashed:   {false, false, false},
		},
		ActualLRPStateClaimed: {
			ActualLRPStateUnclaimed: {true, false, false},
			ActualLRPStateClaimed:   {false, true, false},
			ActualLRPStateRunning:   {true, true, true},
			ActualLRPStateCrashed:   {false, true, false},
		},
		ActualLRPStateRunning: {
			ActualLRPStateUnclaimed: {true, false, false},
			ActualLRPStateClaimed:   {false, true, false},
			ActualLRPStateRunning:   {false, true, false},
			ActualLRPStateCrashed:   {false, true, false},
		},
		ActualLRPStateCrashed: {
			ActualLRPStateUnclaimed: {true, false, false},
			ActualLRPStateClaimed:   {false, true, false},
			ActualLRPStateRunning:   {false, true, false},
			ActualLRPStateCrashed:   {false, false, false},
		},
	}
	for from, tos := range table {
		for to, want := range tos {
			for kind, ik := range keys {
				lrp := &ActualLRP{ActualLrpKey: key, ActualLrpInstanceKey: recorded, State: from}
				expected := map[string]bool{"empty": want.empty, "nil": want.empty, "same": want.same, "other": want.other}[kind]
				if got := lrp.AllowsTransitionTo(key, ik, to); got != expected {
					t.Errorf("%s -> %s with %s key: got %v want %v", from, to, kind, got, expected)
				}
				otherKey := &ActualLRPKey{ProcessGuid: "pg", Index: 2, Domain: "d"}
				if lrp.AllowsTransitionTo(otherKey, ik, to) {
					t.Errorf("%s -> %s: a different LRP key must never be allowed", from, to)
				}
				if lrp.AllowsTransitionTo(nil, ik, to) {
					t.Errorf("%s -> %s: a nil LRP key must never be allowed", from, to)
				}
			}
		}
	}
	unknown := &ActualLRP{ActualLrpKey: key, State: "BOGUS"}
	for _, to := range ActualLRPStates {
		if unknown.AllowsTransitionTo(key, &ActualLRPInstanceKey{}, to) {
			t.Errorf("unknown state must not transition to %s", to)
		}
	}
}

func TestCellIsMissing(t *testing.T) {
	cells := NewCellSetFromList([]*CellPresence{{CellId: "a"}})
	cases := []struct {
		state, cell string
		want        bool
	}{
		{ActualLRPStateUnclaimed, "", false},
		{ActualLRPStateCrashed, "", false},
		{ActualLRPStateClaimed, "a", false},
		{ActualLRPStateClaimed, "b", true},
		{ActualLRPStateRunning, "a", false},
		{ActualLRPStateRunning, "b", true},
	}
	for _, c := range cases {
		lrp := &ActualLRP{State: c.state, ActualLrpInstanceKey: &ActualLRPInstanceKey{CellId: c.cell}}
		if got := lrp.CellIsMissing(cells); got != c.want {
			t.Errorf("%s on %q: got %v", c.state, c.cell, got)
		}
	}
}
