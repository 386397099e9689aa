package cfdot_test

import (
	"encoding/json"
	"testing"
	"time"

	"code.cloudfoundry.org/bbs/models"
)

func raw(s string) *json.RawMessage {
	r := json.RawMessage(s)
	return &r
}

func run(path string, args ...string) *models.RunAction {
	return &models.RunAction{Path: path, Args: args, User: "vcap"}
}

// richDesiredLRP sets (nearly) every field a DesiredLRP has, so the
// comparison covers every rendering rule: embedded, omitempty and
// always-present fields, nested actions, enums, maps and raw routes.
func richDesiredLRP(guid string) *models.DesiredLRP {
	limits := &models.ResourceLimits{}
	limits.SetNofile(1024)
	runWithLimits := run("/bin/sh", "-c", "echo <hi> & bye")
	runWithLimits.ResourceLimits = limits
	runWithLimits.Env = []*models.EnvironmentVariable{{Name: "A", Value: "b"}}
	runWithLimits.Dir = "/home/vcap"
	runWithLimits.LogSource = "APP"
	return &models.DesiredLRP{
		ProcessGuid: guid, Domain: "golden", RootFs: "docker:///cloudfoundry/golden", Instances: 2,
		EnvironmentVariables: []*models.EnvironmentVariable{{Name: "PORT", Value: "8080"}, {Name: "EMPTY", Value: ""}},
		Setup: models.WrapAction(models.Serial(
			&models.DownloadAction{From: "http://file-server/lifecycle.tgz", To: "/tmp/lifecycle", CacheKey: "lc", User: "vcap", ChecksumAlgorithm: "sha256", ChecksumValue: "abc"},
			models.EmitProgressFor(run("/bin/true"), "starting", "started", "failed"),
		)),
		Action: models.WrapAction(models.Codependent(
			runWithLimits,
			models.Timeout(models.Try(run("/bin/sleep", "1")), 30*time.Second),
			models.Parallel(&models.UploadAction{From: "/tmp/a", To: "http://up", User: "vcap"}),
		)),
		Monitor:        models.WrapAction(run("/bin/check")),
		StartTimeoutMs: 60000,
		DiskMb:         1024, MemoryMb: 512, CpuWeight: 50, Privileged: true,
		Ports: []uint32{8080, 2222},
		Routes: &models.Routes{
			"cf-router":  raw(`[{"hostnames":["a.example.com"],"port":8080,"route_service_url":"https://x?a=1&b=<2>"}]`),
			"tcp-router": raw(`[ {"external_port": 61000, "container_port": 2222} ]`),
		},
		LogSource: "CELL", LogGuid: "log-" + guid, MetricsGuid: "metrics-" + guid, Annotation: "an <annotation>",
		EgressRules: []*models.SecurityGroupRule{
			{Protocol: "tcp", Destinations: []string{"10.0.0.0/8"}, PortRange: &models.PortRange{Start: 80, End: 443}, Log: true},
			{Protocol: "icmp", Destinations: []string{"0.0.0.0/0"}, IcmpInfo: &models.ICMPInfo{Type: 8, Code: 0}},
			{Protocol: "udp", Destinations: []string{"1.1.1.1"}, Ports: []uint32{53}, Annotations: []string{"dns"}},
		},
		CachedDependencies: []*models.CachedDependency{
			{Name: "buildpack", From: "http://file-server/bp.zip", To: "/tmp/bp", CacheKey: "bp", LogSource: "bp"},
		},
		LegacyDownloadUser:            "vcap",
		TrustedSystemCertificatesPath: "/etc/cf-system-certificates",
		VolumeMounts: []*models.VolumeMount{
			{Driver: "nfs", ContainerDir: "/data", Mode: "rw", Shared: &models.SharedDevice{VolumeId: "vol-1", MountConfig: `{"uid":"1000"}`}},
		},
		Network:               &models.Network{Properties: map[string]string{"policy_group_id": "pg", "app_id": "app"}},
		PlacementTags:         []string{"zone-a"},
		MaxPids:               1024,
		CertificateProperties: &models.CertificateProperties{OrganizationalUnit: []string{"app:1", "space:2"}},
		ImageUsername:         "user", ImagePassword: "secret",
		CheckDefinition: &models.CheckDefinition{
			Checks: []*models.Check{
				{TcpCheck: &models.TCPCheck{Port: 8080, ConnectTimeoutMs: 1000}},
				{HttpCheck: &models.HTTPCheck{Port: 8080, Path: "/health", RequestTimeoutMs: 2000, IntervalMs: 500}},
			},
			ReadinessChecks: []*models.Check{{TcpCheck: &models.TCPCheck{Port: 8080, IntervalMs: 100}}},
			LogSource:       "HEALTH",
		},
		ImageLayers: []*models.ImageLayer{
			{Name: "layer", Url: "http://layers/one.tgz", DestinationPath: "/opt", LayerType: models.LayerTypeShared, MediaType: models.MediaTypeTgz},
			{Url: "http://layers/two.tgz", DestinationPath: "/srv", LayerType: models.LayerTypeExclusive, MediaType: models.MediaTypeTar,
				DigestAlgorithm: models.DigestAlgorithmSha256, DigestValue: "0123abcd"},
		},
		MetricTags: map[string]*models.MetricTagValue{
			"source_id": {Static: "metrics-" + guid},
			"index":     {Dynamic: models.MetricTagDynamicValueIndex},
			"instance":  {Dynamic: models.MetricTagDynamicValueInstanceGuid},
		},
		Sidecars:     []*models.Sidecar{{Action: models.WrapAction(run("/bin/sidecar")), DiskMb: 10, MemoryMb: 20}},
		LogRateLimit: &models.LogRateLimit{BytesPerSecond: 4096},
	}
}

// plainDesiredLRP leaves everything optional empty.
func plainDesiredLRP(guid string) *models.DesiredLRP {
	return &models.DesiredLRP{
		ProcessGuid: guid, Domain: "plain", RootFs: "preloaded:cflinuxfs4", Instances: 1,
		Action:     models.WrapAction(run("/bin/sleep", "3600")),
		MetricTags: map[string]*models.MetricTagValue{"app": {Static: guid}},
	}
}

func richTaskDefinition() *models.TaskDefinition {
	return &models.TaskDefinition{
		RootFs:               "docker:///cloudfoundry/task",
		EnvironmentVariables: []*models.EnvironmentVariable{{Name: "X", Value: "y"}},
		Action:               models.WrapAction(models.Serial(run("/bin/echo", "hi"), run("/bin/true"))),
		DiskMb:               64, MemoryMb: 128, CpuWeight: 10, Privileged: true,
		LogSource: "TASK", LogGuid: "task-log", MetricsGuid: "task-metrics",
		ResultFile: "/tmp/result", CompletionCallbackUrl: "http://127.0.0.1:1/callback",
		Annotation:  "task <annotation>",
		EgressRules: []*models.SecurityGroupRule{{Protocol: "all", Destinations: []string{"0.0.0.0-255.255.255.255"}}},
		CachedDependencies: []*models.CachedDependency{
			{From: "http://file-server/x.tgz", To: "/tmp/x", CacheKey: "x", ChecksumAlgorithm: "sha1", ChecksumValue: "deadbeef"},
		},
		LegacyDownloadUser: "root", TrustedSystemCertificatesPath: "/certs",
		VolumeMounts:          []*models.VolumeMount{{Driver: "smb", ContainerDir: "/mnt", Mode: "r", Shared: &models.SharedDevice{VolumeId: "v"}}},
		Network:               &models.Network{Properties: map[string]string{"k": "v"}},
		PlacementTags:         []string{"big"},
		MaxPids:               100,
		CertificateProperties: &models.CertificateProperties{OrganizationalUnit: []string{"task"}},
		ImageUsername:         "u", ImagePassword: "p",
		ImageLayers:  []*models.ImageLayer{{Url: "http://layers/t.tgz", DestinationPath: "/t", LayerType: models.LayerTypeShared, MediaType: models.MediaTypeZip}},
		LogRateLimit: &models.LogRateLimit{BytesPerSecond: -1},
		MetricTags:   map[string]*models.MetricTagValue{"source_id": {Static: "task-metrics"}},
	}
}

func plainTaskDefinition() *models.TaskDefinition {
	return &models.TaskDefinition{RootFs: "preloaded:cflinuxfs4", Action: models.WrapAction(run("/bin/true"))}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
