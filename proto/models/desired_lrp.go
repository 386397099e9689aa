package models

import (
	"bytes"
	"time"
)

// NewDesiredLRPKey builds a DesiredLRPKey.
func NewDesiredLRPKey(processGUID, domain, logGUID string) *DesiredLRPKey {
	return &DesiredLRPKey{ProcessGuid: processGUID, Domain: domain, LogGuid: logGUID}
}

// NewDesiredLRPResource builds a DesiredLRPResource.
func NewDesiredLRPResource(memoryMB, diskMB, maxPids int32, rootFS string) *DesiredLRPResource {
	return &DesiredLRPResource{MemoryMb: memoryMB, DiskMb: diskMB, MaxPids: maxPids, RootFs: rootFS}
}

// DesiredLRPKey returns a fresh key for d.
func (d *DesiredLRP) DesiredLRPKey() *DesiredLRPKey {
	return NewDesiredLRPKey(d.GetProcessGuid(), d.GetDomain(), d.GetLogGuid())
}

// DesiredLRPResource returns a fresh resource record for d.
func (d *DesiredLRP) DesiredLRPResource() *DesiredLRPResource {
	return NewDesiredLRPResource(d.GetMemoryMb(), d.GetDiskMb(), d.GetMaxPids(), d.GetRootFs())
}

// DesiredLRPSchedulingInfo splits off the scheduling half of d. Keys, the
// modification tag and the volume placement are fresh; routes and tag slices
// are shared with d. Routes and the modification tag are never nil.
func (d *DesiredLRP) DesiredLRPSchedulingInfo() *DesiredLRPSchedulingInfo {
	drivers := []string{}
	for _, m := range d.GetVolumeMounts() {
		drivers = append(drivers, m.GetDriver())
	}
	return &DesiredLRPSchedulingInfo{
		DesiredLrpKey:      d.DesiredLRPKey(),
		Annotation:         d.GetAnnotation(),
		Instances:          d.GetInstances(),
		DesiredLrpResource: d.DesiredLRPResource(),
		Routes:             routesOrEmpty(d.GetRoutes()),
		ModificationTag:    copyModificationTag(d.GetModificationTag()),
		VolumePlacement:    &VolumePlacement{DriverNames: drivers},
		PlacementTags:      d.GetPlacementTags(),
	}
}

// DesiredLRPRunInfo splits off the runnable half of d, stamped with createdAt.
// Sub-messages are shared with d.
func (d *DesiredLRP) DesiredLRPRunInfo(createdAt time.Time) *DesiredLRPRunInfo {
	return &DesiredLRPRunInfo{
		DesiredLrpKey:                 d.DesiredLRPKey(),
		CreatedAt:                     createdAt.UnixNano(),
		EnvironmentVariables:          d.GetEnvironmentVariables(),
		CachedDependencies:            d.GetCachedDependencies(),
		Setup:                         d.GetSetup(),
		Action:                        d.GetAction(),
		Monitor:                       d.GetMonitor(),
		StartTimeoutMs:                d.GetStartTimeoutMs(),
		Privileged:                    d.GetPrivileged(),
		CpuWeight:                     d.GetCpuWeight(),
		Ports:                         d.GetPorts(),
		EgressRules:                   d.GetEgressRules(),
		LogSource:                     d.GetLogSource(),
		MetricsGuid:                   d.GetMetricsGuid(),
		LegacyDownloadUser:            d.GetLegacyDownloadUser(),
		TrustedSystemCertificatesPath: d.GetTrustedSystemCertificatesPath(),
		VolumeMounts:                  d.GetVolumeMounts(),
		Network:                       d.GetNetwork(),
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

// NewDesiredLRP joins the two halves back into a full DesiredLRP (the
// deprecated start timeout and created_at are not carried over). Routes and
// the modification tag are always set, as in the original API.
func NewDesiredLRP(s *DesiredLRPSchedulingInfo, r *DesiredLRPRunInfo) *DesiredLRP {
	key, res := s.GetDesiredLrpKey(), s.GetDesiredLrpResource()
	return &DesiredLRP{
		ProcessGuid:                   key.GetProcessGuid(),
		Domain:                        key.GetDomain(),
		LogGuid:                       key.GetLogGuid(),
		MemoryMb:                      res.GetMemoryMb(),
		DiskMb:                        res.GetDiskMb(),
		MaxPids:                       res.GetMaxPids(),
		RootFs:                        res.GetRootFs(),
		Instances:                     s.GetInstances(),
		Annotation:                    s.GetAnnotation(),
		Routes:                        routesOrEmpty(s.GetRoutes()),
		ModificationTag:               copyModificationTag(s.GetModificationTag()),
		PlacementTags:                 s.GetPlacementTags(),
		EnvironmentVariables:          r.GetEnvironmentVariables(),
		CachedDependencies:            r.GetCachedDependencies(),
		Setup:                         r.GetSetup(),
		Action:                        r.GetAction(),
		Monitor:                       r.GetMonitor(),
		StartTimeoutMs:                r.GetStartTimeoutMs(),
		Privileged:                    r.GetPrivileged(),
		CpuWeight:                     r.GetCpuWeight(),
		Ports:                         r.GetPorts(),
		EgressRules:                   r.GetEgressRules(),
		LogSource:                     r.GetLogSource(),
		MetricsGuid:                   r.GetMetricsGuid(),
		LegacyDownloadUser:            r.GetLegacyDownloadUser(),
		TrustedSystemCertificatesPath: r.GetTrustedSystemCertificatesPath(),
		VolumeMounts:                  r.GetVolumeMounts(),
		Network:                       r.GetNetwork(),
		CertificateProperties:         r.GetCertificateProperties(),
		ImageUsername:                 r.GetImageUsername(),
		ImagePassword:                 r.GetImagePassword(),
		CheckDefinition:               r.GetCheckDefinition(),
		ImageLayers:                   r.GetImageLayers(),
		MetricTags:                    r.GetMetricTags(),
		Sidecars:                      r.GetSidecars(),
		LogRateLimit:                  r.GetLogRateLimit(),
	}
}

// DesiredLRPRoutingInfo returns the routing view of d: identity, instances,
// routes, modification tag and metric tags only.
func (d *DesiredLRP) DesiredLRPRoutingInfo() *DesiredLRP {
	return &DesiredLRP{
		ProcessGuid:     d.GetProcessGuid(),
		Domain:          d.GetDomain(),
		LogGuid:         d.GetLogGuid(),
		Instances:       d.GetInstances(),
		Routes:          routesOrEmpty(d.GetRoutes()),
		ModificationTag: copyModificationTag(d.GetModificationTag()),
		MetricTags:      d.GetMetricTags(),
	}
}

// ApplyUpdate applies the set fields of u and bumps the modification index.
// Metric tags live in the run info and are not touched here.
func (s *DesiredLRPSchedulingInfo) ApplyUpdate(u *DesiredLRPUpdate) {
	if u.InstancesExists() {
		s.Instances = u.GetInstances()
	}
	if u.GetRoutes() != nil {
		s.Routes = u.GetRoutes()
	}
	if u.AnnotationExists() {
		s.Annotation = u.GetAnnotation()
	}
	if s.ModificationTag == nil {
		s.ModificationTag = &ModificationTag{}
	}
	s.ModificationTag.Increment()
}

// SetInstances sets the optional instance count.
func (u *DesiredLRPUpdate) SetInstances(n int32) {
	u.OptionalInstances = &DesiredLRPUpdate_Instances{Instances: n}
}

// InstancesExists reports whether the update changes the instance count.
func (u *DesiredLRPUpdate) InstancesExists() bool {
	_, ok := u.GetOptionalInstances().(*DesiredLRPUpdate_Instances)
	return ok
}

// SetAnnotation sets the optional annotation.
func (u *DesiredLRPUpdate) SetAnnotation(a string) {
	u.OptionalAnnotation = &DesiredLRPUpdate_Annotation{Annotation: a}
}

// AnnotationExists reports whether the update changes the annotation.
func (u *DesiredLRPUpdate) AnnotationExists() bool {
	_, ok := u.GetOptionalAnnotation().(*DesiredLRPUpdate_Annotation)
	return ok
}

// IsRoutesGroupUpdated reports whether the update changes the routes of one
// router (e.g. "internal-router") compared with current.
func (u *DesiredLRPUpdate) IsRoutesGroupUpdated(current *ProtoRoutes, router string) bool {
	if u.GetRoutes() == nil {
		return false
	}
	if current == nil {
		return true
	}
	next, inNext := u.GetRoutes().GetRoutes()[router]
	prev, inPrev := current.GetRoutes()[router]
	if inNext != inPrev {
		return true
	}
	if inNext {
		return !bytes.Equal(next, prev)
	}
	return true
}

// IsMetricTagsUpdated reports whether the update replaces existing tags with
// different ones. A nil map in the update means "unchanged".
func (u *DesiredLRPUpdate) IsMetricTagsUpdated(existing map[string]*MetricTagValue) bool {
	next := u.GetMetricTags()
	if next == nil {
		return false
	}
	if len(next) != len(existing) {
		return true
	}
	for k, v := range existing {
		n, ok := next[k]
		if !ok || n.GetStatic() != v.GetStatic() || n.GetDynamic() != v.GetDynamic() {
			return true
		}
	}
	return false
}

// NewModificationTag builds a ModificationTag.
func NewModificationTag(epoch string, index uint32) *ModificationTag {
	return &ModificationTag{Epoch: epoch, Index: index}
}

// Increment bumps the index.
func (t *ModificationTag) Increment() {
	t.Index++
}

// SucceededBy reports whether other is newer than t. An unset tag on either
// side always counts as succeeded.
func (t *ModificationTag) SucceededBy(other *ModificationTag) bool {
	if t == nil || t.Epoch == "" || other.GetEpoch() == "" {
		return true
	}
	return t.Epoch != other.GetEpoch() || t.Index < other.GetIndex()
}

func copyModificationTag(t *ModificationTag) *ModificationTag {
	return &ModificationTag{Epoch: t.GetEpoch(), Index: t.GetIndex()}
}

func routesOrEmpty(r *ProtoRoutes) *ProtoRoutes {
	if r == nil {
		return &ProtoRoutes{}
	}
	return r
}
