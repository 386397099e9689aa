package models

import "testing"

// Valid fixtures that tests mutate one field at a time.

func validRunAction() *Action {
	return WrapAction(&RunAction{Path: "/bin/true", User: "vcap"})
}

func validDesiredLRP() *DesiredLRP {
	return &DesiredLRP{
		ProcessGuid: "pg-1",
		Domain:      "cf-apps",
		RootFs:      "preloaded:cflinuxfs4",
		Instances:   2,
		Action:      validRunAction(),
		MetricTags:  map[string]*MetricTagValue{"source_id": {Static: "app"}},
	}
}

func validTaskDefinition() *TaskDefinition {
	return &TaskDefinition{RootFs: "docker:///busybox", Action: validRunAction()}
}

func validLRPKey() *ActualLRPKey {
	return &ActualLRPKey{ProcessGuid: "pg-1", Index: 0, Domain: "cf-apps"}
}

func validInstanceKey() *ActualLRPInstanceKey {
	return &ActualLRPInstanceKey{InstanceGuid: "ig-1", CellId: "cell-1"}
}

// expectValidation asserts the exact validation message ("" means valid).
func expectValidation(t *testing.T, name string, v Validator, want string) {
	t.Helper()
	err := v.Validate()
	got := ""
	if err != nil {
		got = err.Error()
	}
	if got != want {
		t.Errorf("%s:\n got  %q\n want %q", name, got, want)
	}
}
