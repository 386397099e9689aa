package demo

import (
	"testing"

	"github.com/godiego/diego/internal/localrun"
	"github.com/godiego/diego/proto/models"
)

func TestDemoModelsAreValid(t *testing.T) {
	a := localrun.DefaultAddresses()
	if err := DesiredApp(a, 2).Validate(); err != nil {
		t.Fatalf("desired app: %v", err)
	}
	req := &models.DesireTaskRequest{TaskGuid: "demo-task-1", Domain: Domain, TaskDefinition: DemoTask(a)}
	if err := req.Validate(); err != nil {
		t.Fatalf("task: %v", err)
	}
	if got := AppURL(a); got != "http://127.0.0.1:8080/v1/static/demo-app/demo-app.tgz" {
		t.Fatalf("app url %s", got)
	}
}
