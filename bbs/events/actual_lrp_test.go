package events

import (
	"reflect"
	"testing"

	"github.com/godiego/diego/proto/models"
)

func lrp(state, guid, cell string, presence models.ActualLRP_Presence) *models.ActualLRP {
	return &models.ActualLRP{
		ActualLrpKey:         &models.ActualLRPKey{ProcessGuid: "pg", Index: 0, Domain: "d"},
		ActualLrpInstanceKey: &models.ActualLRPInstanceKey{InstanceGuid: guid, CellId: cell},
		State:                state, Presence: presence,
	}
}

func names(evs []Event, kind Kind) []string {
	var out []string
	for _, e := range evs {
		if e.Kind == kind {
			out = append(out, e.Name)
		}
	}
	return out
}

func TestInstanceEvents(t *testing.T) {
	unclaimed := lrp(models.ActualLRPStateUnclaimed, "", "", models.ActualLRP_ORDINARY)
	claimed := lrp(models.ActualLRPStateClaimed, "ig-1", "cell-1", models.ActualLRP_ORDINARY)
	running := lrp(models.ActualLRPStateRunning, "ig-1", "cell-1", models.ActualLRP_ORDINARY)
	crashed := lrp(models.ActualLRPStateCrashed, "", "", models.ActualLRP_ORDINARY)
	crashed.CrashCount = 3
	restarted := lrp(models.ActualLRPStateUnclaimed, "", "", models.ActualLRP_ORDINARY)
	restarted.CrashCount = 1
	evacuating := lrp(models.ActualLRPStateRunning, "ig-1", "cell-1", models.ActualLRP_EVACUATING)

	cases := []struct {
		name          string
		before, after []*models.ActualLRP
		crashed       bool
		instance      []string
		group         []string
	}{
		{"create", nil, []*models.ActualLRP{unclaimed}, false,
			[]string{"actual_lrp_instance_created"}, []string{"actual_lrp_created"}},
		{"claim", []*models.ActualLRP{unclaimed}, []*models.ActualLRP{claimed}, false,
			[]string{"actual_lrp_instance_changed"}, []string{"actual_lrp_changed"}},
		{"start", []*models.ActualLRP{claimed}, []*models.ActualLRP{running}, false,
			[]string{"actual_lrp_instance_changed"}, []string{"actual_lrp_changed"}},
		{"remove", []*models.ActualLRP{running}, nil, false,
			[]string{"actual_lrp_instance_removed"}, []string{"actual_lrp_removed"}},
		{"crash to CRASHED", []*models.ActualLRP{running}, []*models.ActualLRP{crashed}, true,
			[]string{"actual_lrp_crashed", "actual_lrp_instance_changed"}, []string{"actual_lrp_crashed", "actual_lrp_changed"}},
		{"crash with restart: the instance guid goes", []*models.ActualLRP{running}, []*models.ActualLRP{restarted}, true,
			[]string{"actual_lrp_crashed", "actual_lrp_instance_created", "actual_lrp_instance_removed"}, []string{"actual_lrp_crashed", "actual_lrp_changed"}},
		{"evacuate running: evacuating copy plus new unclaimed", []*models.ActualLRP{running}, []*models.ActualLRP{evacuating, unclaimed}, false,
			[]string{"actual_lrp_instance_changed", "actual_lrp_instance_created"}, []string{"actual_lrp_created", "actual_lrp_changed"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			evs := ActualLRPEvents(c.before, c.after, c.crashed, "trace")
			if got := names(evs, KindActualInstance); !reflect.DeepEqual(got, c.instance) {
				t.Errorf("instance events %v, want %v", got, c.instance)
			}
			if got := names(evs, KindActualGroup); !reflect.DeepEqual(got, c.group) {
				t.Errorf("group events %v, want %v", got, c.group)
			}
		})
	}
}

func TestInstanceChangedCarriesKeysAndInfo(t *testing.T) {
	claimed := lrp(models.ActualLRPStateClaimed, "ig-1", "cell-1", models.ActualLRP_ORDINARY)
	running := lrp(models.ActualLRPStateRunning, "ig-1", "cell-1", models.ActualLRP_ORDINARY)
	running.OptionalRoutable = &models.ActualLRP_Routable{Routable: true}
	evs := ActualLRPEvents([]*models.ActualLRP{claimed}, []*models.ActualLRP{running}, false, "t-1")
	var ch *models.ActualLRPInstanceChangedEvent
	for _, e := range evs {
		if m, ok := e.Message.(*models.ActualLRPInstanceChangedEvent); ok {
			ch = m
		}
	}
	if ch == nil || ch.ActualLrpInstanceKey.InstanceGuid != "ig-1" || ch.Before.State != "CLAIMED" || ch.After.State != "RUNNING" ||
		!ch.After.GetRoutable() || ch.TraceId != "t-1" {
		t.Fatalf("changed event: %v", ch)
	}
}

func TestResolveGroupsPrefersRunningOrdinary(t *testing.T) {
	suspect := lrp(models.ActualLRPStateRunning, "ig-1", "cell-1", models.ActualLRP_SUSPECT)
	replacement := lrp(models.ActualLRPStateUnclaimed, "", "", models.ActualLRP_ORDINARY)
	evac := lrp(models.ActualLRPStateRunning, "ig-2", "cell-2", models.ActualLRP_EVACUATING)
	gs := models.ResolveActualLRPGroups([]*models.ActualLRP{replacement, suspect, evac})
	if len(gs) != 1 || gs[0].Instance != suspect || gs[0].Evacuating != evac {
		t.Fatalf("groups: %v", gs)
	}
}
