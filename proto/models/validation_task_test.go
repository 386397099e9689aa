package models

import (
	"strings"
	"testing"
)

func TestTaskDefinitionValidation(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*TaskDefinition)
		want   string
	}{
		{"valid", func(*TaskDefinition) {}, ""},
		{"no rootfs", func(d *TaskDefinition) { d.RootFs = "" }, "Invalid field: rootfs"},
		{"rootfs without scheme", func(d *TaskDefinition) { d.RootFs = "busybox" }, "Invalid field: rootfs"},
		{"no action", func(d *TaskDefinition) { d.Action = nil }, "invalid action type"},
		{"bad action", func(d *TaskDefinition) { d.Action = WrapAction(&RunAction{Path: "p"}) }, "Invalid field: action, Invalid field: user"},
		{"negative resources", func(d *TaskDefinition) { d.MemoryMb, d.DiskMb, d.MaxPids = -1, -1, -1 },
			"Invalid field: memory_mb, Invalid field: disk_mb, Invalid field: max_pids"},
		{"log rate", func(d *TaskDefinition) { d.LogRateLimit = &LogRateLimit{BytesPerSecond: -2} }, "Invalid field: log_rate_limit"},
		{"annotation", func(d *TaskDefinition) { d.Annotation = strings.Repeat("a", MaxAnnotationLength+1) }, "Invalid field: annotation"},
		{"egress rule without details", func(d *TaskDefinition) { d.EgressRules = []*SecurityGroupRule{{}} }, "Invalid field: egress_rules"},
		{"credentials", func(d *TaskDefinition) { d.ImageUsername = "u" }, "Invalid field: image_password"},
		{"cached dependency", func(d *TaskDefinition) { d.CachedDependencies = []*CachedDependency{{From: "f"}} },
			"Invalid field: cached_dependency, Invalid field: to"},
		{"image layer", func(d *TaskDefinition) { d.ImageLayers = []*ImageLayer{{}} },
			"Invalid field: image_layer, Invalid field: url, Invalid field: destination_path, Invalid field: layer_type, Invalid field: media_type"},
		{"env and mounts are not checked for tasks", func(d *TaskDefinition) {
			d.EnvironmentVariables = []*EnvironmentVariable{{}}
			d.VolumeMounts = []*VolumeMount{{}}
		}, ""},
	}
	for _, c := range cases {
		d := validTaskDefinition()
		c.mutate(d)
		expectValidation(t, c.name, d, c.want)
		expectValidation(t, c.name+" (task)", &Task{TaskGuid: "t", Domain: "d", TaskDefinition: d}, c.want)
		expectValidation(t, c.name+" (request)", &DesireTaskRequest{TaskGuid: "t", Domain: "d", TaskDefinition: d}, c.want)
	}
	expectValidation(t, "empty task", &Task{}, "Invalid field: domain, Invalid field: task_guid, Invalid field: task_definition")
	expectValidation(t, "empty desire", &DesireTaskRequest{}, "Invalid field: task_guid, Invalid field: domain, Invalid field: task_definition")
}
