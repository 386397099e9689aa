package rep

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/godiego/diego/executor"
	"github.com/godiego/diego/proto/models"
)

// Errors of the conversions.
var (
	ErrContainerMissingTags = errors.New("container is missing tags")
	ErrInvalidProcessIndex  = errors.New("container does not have a valid process index")
)

// LRPContainerGuid is the executor guid of an LRP instance: its instance guid.
func LRPContainerGuid(processGUID, instanceGUID string) string { return instanceGUID }

// ActualLRPKeyFromTags reads an LRP container's process guid, index and domain.
func ActualLRPKeyFromTags(tags executor.Tags) (*models.ActualLRPKey, error) {
	if tags == nil {
		return nil, ErrContainerMissingTags
	}
	idx, err := strconv.Atoi(tags[executor.ProcessIndexTag])
	if err != nil {
		return nil, ErrInvalidProcessIndex
	}
	key := &models.ActualLRPKey{ProcessGuid: tags[executor.ProcessGuidTag], Index: int32(idx), Domain: tags[executor.DomainTag]}
	if key.ProcessGuid == "" || key.Domain == "" {
		return nil, ErrContainerMissingTags
	}
	return key, nil
}

// ActualLRPInstanceKeyFromContainer is the instance key of an LRP container on cellID.
func ActualLRPInstanceKeyFromContainer(c executor.Container, cellID string) (*models.ActualLRPInstanceKey, error) {
	ig := c.Tags[executor.InstanceGuidTag]
	if ig == "" {
		ig = c.Guid
	}
	if ig == "" || cellID == "" {
		return nil, ErrContainerMissingTags
	}
	return &models.ActualLRPInstanceKey{InstanceGuid: ig, CellId: cellID}, nil
}

// NetInfo builds the BBS net info of a running container: the host address
// and mapped ports, the container address, and which address to prefer.
func NetInfo(c executor.Container, preferInstanceAddress bool) *models.ActualLRPNetInfo {
	ports := make([]*models.PortMapping, 0, len(c.Ports))
	for _, p := range c.Ports {
		ports = append(ports, &models.PortMapping{ContainerPort: p.ContainerPort, HostPort: p.HostPort,
			ContainerTlsProxyPort: p.ContainerTLSProxyPort, HostTlsProxyPort: p.HostTLSProxyPort})
	}
	pref := models.ActualLRPNetInfo_HOST
	if preferInstanceAddress {
		pref = models.ActualLRPNetInfo_INSTANCE
	}
	return &models.ActualLRPNetInfo{Address: c.ExternalIP, Ports: ports, InstanceAddress: c.InternalIP, PreferredAddress: pref}
}

// RootFSPath maps a rootfs URL to what Garden is asked for: a preloaded
// stack becomes its configured path (or stays "preloaded:NAME" when no path
// is configured, which our Garden resolves itself); other URLs pass through.
func RootFSPath(rootfs string, stacks map[string]string) (string, error) {
	u, err := url.Parse(rootfs)
	if err != nil {
		return "", fmt.Errorf("invalid rootfs %q: %w", rootfs, err)
	}
	switch u.Scheme {
	case models.PreloadedRootFSScheme:
		if p, ok := stacks[u.Opaque]; ok {
			return p, nil
		}
		return rootfs, nil
	case models.PreloadedOCIRootFSScheme:
		name, query, _ := strings.Cut(u.Opaque, "?")
		if p, ok := stacks[name]; ok {
			return models.PreloadedOCIRootFSScheme + ":" + p + "?" + query, nil
		}
		return rootfs, nil
	}
	return rootfs, nil
}

// RootFSURL maps a Garden rootfs path back to the URL the auction knows.
func RootFSURL(path string, stacks map[string]string) string {
	for name, p := range stacks {
		if p == path {
			return models.PreloadedRootFS(name)
		}
	}
	return path
}

func cachedDependencies(deps []*models.CachedDependency) []executor.CachedDependency {
	out := make([]executor.CachedDependency, 0, len(deps))
	for _, d := range deps {
		out = append(out, executor.CachedDependency{Name: d.GetName(), From: d.GetFrom(), To: d.GetTo(), CacheKey: d.GetCacheKey(),
			LogSource: d.GetLogSource(), ChecksumAlgorithm: d.GetChecksumAlgorithm(), ChecksumValue: d.GetChecksumValue()})
	}
	return out
}

// NewRunRequestFromDesiredLRP builds the run request of one LRP instance.
func NewRunRequestFromDesiredLRP(containerGuid string, d *models.DesiredLRP, key *models.ActualLRPKey,
	ik *models.ActualLRPInstanceKey) (executor.RunRequest, error) {
	env := append([]*models.EnvironmentVariable{}, d.GetEnvironmentVariables()...)
	idx := strconv.Itoa(int(key.GetIndex()))
	env = append(env,
		&models.EnvironmentVariable{Name: "INSTANCE_GUID", Value: ik.GetInstanceGuid()},
		&models.EnvironmentVariable{Name: "INSTANCE_INDEX", Value: idx},
		&models.EnvironmentVariable{Name: "CF_INSTANCE_GUID", Value: ik.GetInstanceGuid()},
		&models.EnvironmentVariable{Name: "CF_INSTANCE_INDEX", Value: idx},
	)
	ports := make([]executor.PortMapping, 0, len(d.GetPorts()))
	for _, p := range d.GetPorts() {
		ports = append(ports, executor.PortMapping{ContainerPort: p})
	}
	startTimeoutMs := d.GetStartTimeoutMs()
	if startTimeoutMs == 0 {
		startTimeoutMs = int64(d.GetDeprecatedStartTimeoutS()) * 1000
	}
	tags := metricTags(d.GetMetricTags(), idx, ik.GetInstanceGuid())
	info := executor.RunInfo{
		CPUWeight: uint(d.GetCpuWeight()), Privileged: d.GetPrivileged(),
		Setup: d.GetSetup(), Action: d.GetAction(), Monitor: d.GetMonitor(), CheckDefinition: d.GetCheckDefinition(),
		StartTimeoutMs: uint(startTimeoutMs), Env: env, Ports: ports, EgressRules: d.GetEgressRules(),
		CachedDependencies:            cachedDependencies(d.GetCachedDependencies()),
		LogConfig:                     executor.LogConfig{Guid: d.GetLogGuid(), Index: int(key.GetIndex()), SourceName: d.GetLogSource(), Tags: tags},
		TrustedSystemCertificatesPath: d.GetTrustedSystemCertificatesPath(),
		Sidecars:                      d.GetSidecars(), ImageUsername: d.GetImageUsername(), ImagePassword: d.GetImagePassword(),
		NetworkProperties:     d.GetNetwork().GetProperties(),
		CertificateProperties: executor.CertificateProperties{OrganizationalUnit: d.GetCertificateProperties().GetOrganizationalUnit()},
	}
	return executor.RunRequest{Guid: containerGuid, RunInfo: info, Tags: executor.Tags{}}, nil
}

// NewRunRequestFromTask builds the run request of a task.
func NewRunRequestFromTask(t *models.Task) (executor.RunRequest, error) {
	def := t.GetTaskDefinition()
	info := executor.RunInfo{
		CPUWeight: uint(def.GetCpuWeight()), Privileged: def.GetPrivileged(), Action: def.GetAction(),
		Env: def.GetEnvironmentVariables(), EgressRules: def.GetEgressRules(),
		CachedDependencies:            cachedDependencies(def.GetCachedDependencies()),
		LogConfig:                     executor.LogConfig{Guid: def.GetLogGuid(), SourceName: def.GetLogSource(), Tags: metricTags(def.GetMetricTags(), "0", t.GetTaskGuid())},
		TrustedSystemCertificatesPath: def.GetTrustedSystemCertificatesPath(),
		ImageUsername:                 def.GetImageUsername(), ImagePassword: def.GetImagePassword(),
		NetworkProperties:     def.GetNetwork().GetProperties(),
		CertificateProperties: executor.CertificateProperties{OrganizationalUnit: def.GetCertificateProperties().GetOrganizationalUnit()},
	}
	return executor.RunRequest{Guid: t.GetTaskGuid(), RunInfo: info, Tags: executor.Tags{executor.ResultFileTag: def.GetResultFile()}}, nil
}

func jsonList(list []string) string {
	if list == nil {
		list = []string{}
	}
	b, _ := json.Marshal(list)
	return string(b)
}

// metricTags resolves static and dynamic (index, instance guid) metric tags.
func metricTags(in map[string]*models.MetricTagValue, index, instanceGuid string) map[string]string {
	tags := map[string]string{}
	for k, v := range in {
		switch {
		case v.GetStatic() != "":
			tags[k] = v.GetStatic()
		case v.GetDynamic() == models.MetricTagValue_INDEX:
			tags[k] = index
		case v.GetDynamic() == models.MetricTagValue_INSTANCE_GUID:
			tags[k] = instanceGuid
		}
	}
	return tags
}
