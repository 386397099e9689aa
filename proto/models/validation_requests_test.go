package models

import "testing"

func TestRequestValidation(t *testing.T) {
	net := &ActualLRPNetInfo{Address: "1.2.3.4"}
	badKey := &ActualLRPKey{Index: -1}
	badIK := &ActualLRPInstanceKey{}
	badKeyMsg := "Invalid field: process_guid, Invalid field: index, Invalid field: domain"
	badIKMsg := "Invalid field: cell_id, Invalid field: instance_guid"
	cases := []struct {
		name string
		v    Validator
		want string
	}{
		{"actual lrps", &ActualLRPsRequest{}, ""},
		{"groups", &ActualLRPGroupsRequest{}, ""},
		{"groups by guid", &ActualLRPGroupsByProcessGuidRequest{}, "Invalid field: process_guid"},
		{"group by index", &ActualLRPGroupByProcessGuidAndIndexRequest{Index: -1}, "Invalid field: process_guid, Invalid field: index"},
		{"group by index ok", &ActualLRPGroupByProcessGuidAndIndexRequest{ProcessGuid: "p"}, ""},

		{"claim ok", &ClaimActualLRPRequest{ProcessGuid: "p", Index: -5, ActualLrpInstanceKey: validInstanceKey()}, ""},
		{"claim empty", &ClaimActualLRPRequest{}, "Invalid field: process_guid, Invalid field: actual_lrp_instance_key"},
		{"claim bad key", &ClaimActualLRPRequest{ProcessGuid: "p", ActualLrpInstanceKey: badIK}, badIKMsg},

		{"start ok", &StartActualLRPRequest{ActualLrpKey: validLRPKey(), ActualLrpInstanceKey: validInstanceKey(), ActualLrpNetInfo: net}, ""},
		{"start empty", &StartActualLRPRequest{},
			"Invalid field: actual_lrp_key, Invalid field: actual_lrp_instance_key, Invalid field: actual_lrp_net_info"},
		{"start bad", &StartActualLRPRequest{ActualLrpKey: badKey, ActualLrpInstanceKey: badIK, ActualLrpNetInfo: &ActualLRPNetInfo{}},
			badKeyMsg + ", " + badIKMsg + ", Invalid field: address"},

		{"crash ok", &CrashActualLRPRequest{ActualLrpKey: validLRPKey(), ActualLrpInstanceKey: validInstanceKey()}, ""},
		{"crash empty", &CrashActualLRPRequest{}, "Invalid field: actual_lrp_key, Invalid field: actual_lrp_instance_key"},

		{"fail ok", &FailActualLRPRequest{ActualLrpKey: validLRPKey(), ErrorMessage: "x"}, ""},
		{"fail empty", &FailActualLRPRequest{}, "Invalid field: actual_lrp_key, Invalid field: error_message"},

		{"retire ok", &RetireActualLRPRequest{ActualLrpKey: validLRPKey()}, ""},
		{"retire bad", &RetireActualLRPRequest{ActualLrpKey: badKey}, badKeyMsg},
		{"retire empty", &RetireActualLRPRequest{}, "Invalid field: actual_lrp_key"},

		{"remove ok", &RemoveActualLRPRequest{ProcessGuid: "p"}, ""},
		{"remove bad", &RemoveActualLRPRequest{Index: -1}, "Invalid field: process_guid, Invalid field: index"},

		{"remove evacuating", &RemoveEvacuatingActualLRPRequest{}, "Invalid field: actual_lrp_key, Invalid field: actual_lrp_instance_key"},
		{"evacuate claimed", &EvacuateClaimedActualLRPRequest{ActualLrpKey: badKey, ActualLrpInstanceKey: validInstanceKey()}, badKeyMsg},
		{"evacuate crashed", &EvacuateCrashedActualLRPRequest{ActualLrpKey: validLRPKey(), ActualLrpInstanceKey: validInstanceKey()},
			"Invalid field: error_message"},
		{"evacuate stopped", &EvacuateStoppedActualLRPRequest{ActualLrpKey: validLRPKey()}, "Invalid field: actual_lrp_instance_key"},
		{"evacuate running", &EvacuateRunningActualLRPRequest{ActualLrpKey: validLRPKey(), ActualLrpInstanceKey: validInstanceKey()},
			"Invalid field: actual_lrp_net_info"},

		{"desired lrps", &DesiredLRPsRequest{}, ""},
		{"desired by guid", &DesiredLRPByProcessGuidRequest{}, "Invalid field: process_guid"},
		{"remove desired", &RemoveDesiredLRPRequest{}, "Invalid field: process_guid"},
		{"upsert domain", &UpsertDomainRequest{}, "Invalid field: domain"},
		{"upsert domain ok", &UpsertDomainRequest{Domain: "d"}, ""},

		{"tasks", &TasksRequest{}, ""},
		{"task by guid", &TaskByGuidRequest{}, "Invalid field: task_guid"},
		{"task by guid any text", &TaskByGuidRequest{TaskGuid: "not a guid!"}, ""},
		{"task guid", &TaskGuidRequest{}, "Invalid field: task_guid"},
		{"start task", &StartTaskRequest{TaskGuid: "a b"}, "Invalid field: task_guid, Invalid field: cell_id"},
		{"start task ok", &StartTaskRequest{TaskGuid: "t", CellId: "c"}, ""},
		{"complete task", &CompleteTaskRequest{}, "Invalid field: task_guid, Invalid field: cell_id"},
		{"fail task", &FailTaskRequest{}, "Invalid field: task_guid, Invalid field: failure_reason"},
		{"reject task", &RejectTaskRequest{TaskGuid: "t"}, "Invalid field: failure_reason"},
		{"events", &EventsByCellId{}, ""},
	}
	for _, c := range cases {
		expectValidation(t, c.name, c.v, c.want)
	}
}
