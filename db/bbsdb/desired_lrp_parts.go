package bbsdb

import (
	"encoding/json"
	"strconv"

	"google.golang.org/protobuf/proto"

	"github.com/godiego/diego/proto/models"
)

// internalRouterKey is the routing key whose routes are pushed to the reps
// as an instance's internal routes.
const internalRouterKey = "internal-router"

// runInfoOf splits the run-time half off a desired LRP, stamped createdAt.
func runInfoOf(d *models.DesiredLRP, createdAt int64) *models.DesiredLRPRunInfo {
	return &models.DesiredLRPRunInfo{
		DesiredLrpKey:                 &models.DesiredLRPKey{ProcessGuid: d.GetProcessGuid(), Domain: d.GetDomain(), LogGuid: d.GetLogGuid()},
		EnvironmentVariables:          d.GetEnvironmentVariables(),
		Setup:                         d.GetSetup(),
		Action:                        d.GetAction(),
		Monitor:                       d.GetMonitor(),
		DeprecatedStartTimeoutS:       d.GetDeprecatedStartTimeoutS(),
		Privileged:                    d.GetPrivileged(),
		CpuWeight:                     d.GetCpuWeight(),
		Ports:                         d.GetPorts(),
		EgressRules:                   d.GetEgressRules(),
		LogSource:                     d.GetLogSource(),
		MetricsGuid:                   d.GetMetricsGuid(),
		CreatedAt:                     createdAt,
		CachedDependencies:            d.GetCachedDependencies(),
		LegacyDownloadUser:            d.GetLegacyDownloadUser(),
		TrustedSystemCertificatesPath: d.GetTrustedSystemCertificatesPath(),
		VolumeMounts:                  d.GetVolumeMounts(),
		Network:                       d.GetNetwork(),
		StartTimeoutMs:                d.GetStartTimeoutMs(),
		CertificateProperties:         d.GetCertificateProperties(),
		ImageUsername:                 d.GetImageUsername(),
		ImagePassword:                 d.GetImagePassword(),
		CheckDefinition:               d.GetCheckDefinition(),
		ImageLayers:                   d.GetImageLayers(),
		MetricTags:                    d.GetMetricTags(),
		Sidecars:                      d.GetSidecars(),
		LogRateLimit:                  d.GetLogRateLimit(),
	}
}

// volumePlacementOf lists the volume drivers a desired LRP needs.
func volumePlacementOf(d *models.DesiredLRP) *models.VolumePlacement {
	vp := &models.VolumePlacement{DriverNames: []string{}}
	for _, m := range d.GetVolumeMounts() {
		vp.DriverNames = append(vp.DriverNames, m.GetDriver())
	}
	return vp
}

// joinDesired rebuilds a desired LRP from its scheduling info and run info.
func joinDesired(si *models.DesiredLRPSchedulingInfo, ri *models.DesiredLRPRunInfo) *models.DesiredLRP {
	res := si.GetDesiredLrpResource()
	return &models.DesiredLRP{
		ProcessGuid:                   si.GetDesiredLrpKey().GetProcessGuid(),
		Domain:                        si.GetDesiredLrpKey().GetDomain(),
		LogGuid:                       si.GetDesiredLrpKey().GetLogGuid(),
		MemoryMb:                      res.GetMemoryMb(),
		DiskMb:                        res.GetDiskMb(),
		MaxPids:                       res.GetMaxPids(),
		RootFs:                        res.GetRootFs(),
		Instances:                     si.GetInstances(),
		Annotation:                    si.GetAnnotation(),
		Routes:                        si.GetRoutes(),
		ModificationTag:               si.GetModificationTag(),
		PlacementTags:                 si.GetPlacementTags(),
		EnvironmentVariables:          ri.GetEnvironmentVariables(),
		CachedDependencies:            ri.GetCachedDependencies(),
		Setup:                         ri.GetSetup(),
		Action:                        ri.GetAction(),
		Monitor:                       ri.GetMonitor(),
		StartTimeoutMs:                ri.GetStartTimeoutMs(),
		DeprecatedStartTimeoutS:       ri.GetDeprecatedStartTimeoutS(),
		Privileged:                    ri.GetPrivileged(),
		CpuWeight:                     ri.GetCpuWeight(),
		Ports:                         dedupPorts(ri.GetPorts()),
		EgressRules:                   ri.GetEgressRules(),
		LogSource:                     ri.GetLogSource(),
		MetricsGuid:                   ri.GetMetricsGuid(),
		LegacyDownloadUser:            ri.GetLegacyDownloadUser(),
		TrustedSystemCertificatesPath: ri.GetTrustedSystemCertificatesPath(),
		VolumeMounts:                  ri.GetVolumeMounts(),
		Network:                       ri.GetNetwork(),
		CertificateProperties:         ri.GetCertificateProperties(),
		ImageUsername:                 ri.GetImageUsername(),
		ImagePassword:                 ri.GetImagePassword(),
		CheckDefinition:               ri.GetCheckDefinition(),
		ImageLayers:                   ri.GetImageLayers(),
		MetricTags:                    ri.GetMetricTags(),
		Sidecars:                      ri.GetSidecars(),
		LogRateLimit:                  ri.GetLogRateLimit(),
	}
}

// dedupPorts drops repeated ports, keeping the first occurrence's order.
func dedupPorts(ports []uint32) []uint32 {
	seen := make(map[uint32]bool, len(ports))
	out := ports[:0:0]
	for _, p := range ports {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	if len(out) == len(ports) {
		return ports
	}
	return out
}

// desiredInternalRoutes decodes the internal-router routes of a desired
// LRP; nil when there are none.
func desiredInternalRoutes(r *models.ProtoRoutes) ([]*models.ActualLRPInternalRoute, error) {
	raw, ok := r.GetRoutes()[internalRouterKey]
	if !ok || raw == nil {
		return nil, nil
	}
	var in []internalRouteJSON
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, err
	}
	out := make([]*models.ActualLRPInternalRoute, 0, len(in))
	for _, h := range in {
		out = append(out, &models.ActualLRPInternalRoute{Hostname: h.Hostname})
	}
	return out, nil
}

// sameInternalRoutes compares hostnames as a set, as upstream does.
func sameInternalRoutes(a, b []*models.ActualLRPInternalRoute) bool {
	if len(a) != len(b) {
		return false
	}
	set := make(map[string]bool, len(a))
	for _, r := range a {
		set[r.GetHostname()] = true
	}
	for _, r := range b {
		if !set[r.GetHostname()] {
			return false
		}
	}
	return true
}

// resolveMetricTags renders desired metric tags for one instance: static
// values as they are, dynamic ones from the index or instance guid.
func resolveMetricTags(tags map[string]*models.MetricTagValue, index int32, instanceGUID string) map[string]string {
	out := make(map[string]string, len(tags))
	for k, v := range tags {
		switch v.GetDynamic() {
		case models.MetricTagValue_INDEX:
			out[k] = strconv.FormatInt(int64(index), 10)
		case models.MetricTagValue_INSTANCE_GUID:
			out[k] = instanceGUID
		default:
			out[k] = v.GetStatic()
		}
	}
	return out
}

func sameStringMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func sameInternalRouteList(a, b []*models.ActualLRPInternalRoute) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].GetHostname() != b[i].GetHostname() {
			return false
		}
	}
	return true
}

func sameNetInfo(a, b *models.ActualLRPNetInfo) bool {
	if a == nil {
		a = &models.ActualLRPNetInfo{}
	}
	if b == nil {
		b = &models.ActualLRPNetInfo{}
	}
	return proto.Equal(a, b)
}
