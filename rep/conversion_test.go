package rep

import (
	"slices"
	"testing"

	"github.com/godiego/diego/proto/models"
)

func TestRunRequestsCarryInstanceEnvAndCertificateOUs(t *testing.T) {
	ous := []string{"app:a-guid", "space:s-guid", "organization:o-guid"}
	lrp := &models.DesiredLRP{
		ProcessGuid: "pg", Domain: "d", LogGuid: "log", Ports: []uint32{8080},
		Action:                &models.Action{RunAction: &models.RunAction{Path: "/bin/true"}},
		CertificateProperties: &models.CertificateProperties{OrganizationalUnit: ous},
	}
	req, err := NewRunRequestFromDesiredLRP("ig-1", lrp, &models.ActualLRPKey{ProcessGuid: "pg", Index: 2, Domain: "d"},
		&models.ActualLRPInstanceKey{InstanceGuid: "ig-1", CellId: "cell"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(req.RunInfo.CertificateProperties.OrganizationalUnit, ous) {
		t.Fatalf("LRP OUs %v", req.RunInfo.CertificateProperties.OrganizationalUnit)
	}
	env := map[string]string{}
	for _, e := range req.RunInfo.Env {
		env[e.GetName()] = e.GetValue()
	}
	if env["INSTANCE_GUID"] != "ig-1" || env["CF_INSTANCE_INDEX"] != "2" {
		t.Fatalf("env %v", env)
	}

	task := &models.Task{TaskGuid: "tg", TaskDefinition: &models.TaskDefinition{
		Action:                &models.Action{RunAction: &models.RunAction{Path: "/bin/true"}},
		CertificateProperties: &models.CertificateProperties{OrganizationalUnit: ous[:1]},
	}}
	treq, err := NewRunRequestFromTask(task)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(treq.RunInfo.CertificateProperties.OrganizationalUnit, ous[:1]) {
		t.Fatalf("task OUs %v", treq.RunInfo.CertificateProperties.OrganizationalUnit)
	}
}
