package models

import (
	"errors"
	"strings"
)

// Validate applies the desire-time rules. The messages, their order and the
// duplicates (an empty rootfs or domain is reported more than once) match
// the original API, because clients show them verbatim.
func (d *DesiredLRP) Validate() error {
	var v ValidationError
	if d.GetDomain() == "" {
		v = v.field("domain")
	}
	if d.GetRootFs() == "" {
		v = v.field("rootfs")
	}
	if !validRootFS(d.GetRootFs()) {
		v = v.field("rootfs")
	}
	if d.GetInstances() < 0 {
		v = v.field("instances")
	}
	if d.GetMemoryMb() < 0 {
		v = v.field("memory_mb")
	}
	if d.GetDiskMb() < 0 {
		v = v.field("disk_mb")
	}
	if l := d.GetLogRateLimit(); l != nil && l.GetBytesPerSecond() < -1 {
		v = v.field("log_rate_limit_bytes_per_second")
	}
	if len(d.GetAnnotation()) > MaxAnnotationLength {
		v = v.field("annotation")
	}
	if d.GetMaxPids() < 0 {
		v = v.field("max_pids")
	}
	if routesLength(d.GetRoutes()) > MaxRoutesLength {
		v = v.field("routes")
	}
	v = v.add(d.runInfoForValidation().Validate())
	return v.orNil()
}

// runInfoForValidation is the run info without copying anything validation
// does not look at.
func (d *DesiredLRP) runInfoForValidation() *DesiredLRPRunInfo {
	return &DesiredLRPRunInfo{
		DesiredLrpKey:        d.DesiredLRPKey(),
		EnvironmentVariables: d.GetEnvironmentVariables(),
		Setup:                d.GetSetup(),
		Action:               d.GetAction(),
		Monitor:              d.GetMonitor(),
		EgressRules:          d.GetEgressRules(),
		MetricsGuid:          d.GetMetricsGuid(),
		CachedDependencies:   d.GetCachedDependencies(),
		LegacyDownloadUser:   d.GetLegacyDownloadUser(),
		VolumeMounts:         d.GetVolumeMounts(),
		ImageUsername:        d.GetImageUsername(),
		ImagePassword:        d.GetImagePassword(),
		CheckDefinition:      d.GetCheckDefinition(),
		ImageLayers:          d.GetImageLayers(),
		MetricTags:           d.GetMetricTags(),
		Sidecars:             d.GetSidecars(),
		LogRateLimit:         d.GetLogRateLimit(),
	}
}

// Validate checks the runnable part of a desired LRP. Note that metric_tags
// is required: a nil map is rejected.
func (r *DesiredLRPRunInfo) Validate() error {
	var v ValidationError
	v = v.add(r.GetDesiredLrpKey().Validate())
	if r.GetSetup() != nil {
		v = v.labelled("setup", r.GetSetup().Validate())
	}
	if r.GetAction() == nil {
		v = v.add(ErrInvalidActionType)
	} else {
		v = v.labelled("action", r.GetAction().Validate())
	}
	if r.GetMonitor() != nil {
		v = v.labelled("monitor", r.GetMonitor().Validate())
	}
	for _, env := range r.GetEnvironmentVariables() {
		v = v.add(env.Validate())
	}
	for _, rule := range r.GetEgressRules() {
		v = v.labelled("egress_rules", rule.Validate())
	}
	v = validateCachedDependencies(v, r.GetCachedDependencies())
	v = validateImageLayers(v, r.GetImageLayers(), r.GetLegacyDownloadUser())
	if r.GetMetricTags() == nil {
		v = v.field("metric_tags")
	}
	if errs := validateMetricTags(r.GetMetricTags(), r.GetMetricsGuid()); len(errs) > 0 {
		v = v.labelled("metric_tags", errs)
	}
	var sidecars ValidationError
	for _, s := range r.GetSidecars() {
		sidecars = sidecars.add(s.Validate())
	}
	if len(sidecars) > 0 {
		v = v.labelled("sidecars", sidecars)
	}
	for _, m := range r.GetVolumeMounts() {
		v = v.add(m.Validate())
	}
	v = validateImageCredentials(v, r.GetImageUsername(), r.GetImagePassword())
	if r.GetCheckDefinition() != nil {
		v = v.labelled("check_definition", r.GetCheckDefinition().Validate())
	}
	if l := r.GetLogRateLimit(); l != nil && l.GetBytesPerSecond() < -1 {
		v = v.field("log_rate_limit")
	}
	return v.orNil()
}

// validateImageCredentials requires both or neither of username and password.
func validateImageCredentials(v ValidationError, user, password string) ValidationError {
	if user == "" && password != "" {
		v = v.field("image_username")
	}
	if user != "" && password == "" {
		v = v.field("image_password")
	}
	return v
}

// Validate checks the fields an update may change.
func (u *DesiredLRPUpdate) Validate() error {
	var v ValidationError
	if u.GetInstances() < 0 {
		v = v.field("instances")
	}
	if len(u.GetAnnotation()) > MaxAnnotationLength {
		v = v.field("annotation")
	}
	if routesLength(u.GetRoutes()) > MaxRoutesLength {
		v = v.field("routes")
	}
	if errs := validateMetricTags(u.GetMetricTags(), ""); len(errs) > 0 {
		v = v.labelled("metric_tags", errs)
	}
	return v.orNil()
}

// Validate requires a domain and a well-formed process guid. A nil key is
// treated as empty.
func (k *DesiredLRPKey) Validate() error {
	var v ValidationError
	if k.GetDomain() == "" {
		v = v.field("domain")
	}
	if !ValidGUID(k.GetProcessGuid()) {
		v = v.field("process_guid")
	}
	return v.orNil()
}

// Validate requires a rootfs URL and non-negative resources.
func (r *DesiredLRPResource) Validate() error {
	var v ValidationError
	if !validRootFS(r.GetRootFs()) {
		v = v.field("rootfs")
	}
	if r.GetMemoryMb() < 0 {
		v = v.field("memory_mb")
	}
	if r.GetDiskMb() < 0 {
		v = v.field("disk_mb")
	}
	if r.GetMaxPids() < 0 {
		v = v.field("max_pids")
	}
	return v.orNil()
}

// Validate checks the scheduling part of a desired LRP.
func (s *DesiredLRPSchedulingInfo) Validate() error {
	var v ValidationError
	v = v.add(s.GetDesiredLrpKey().Validate())
	v = v.add(s.GetDesiredLrpResource().Validate())
	if routesLength(s.GetRoutes()) > MaxRoutesLength {
		v = v.field("routes")
	}
	if s.GetInstances() < 0 {
		v = v.field("instances")
	}
	if len(s.GetAnnotation()) > MaxAnnotationLength {
		v = v.field("annotation")
	}
	return v.orNil()
}

// Validate checks that the record is consistent with its state.
func (a *ActualLRP) Validate() error {
	var v ValidationError
	v = v.add(a.GetActualLrpKey().Validate())
	if a.GetSince() == 0 {
		v = v.field("since")
	}
	ik, net := a.GetActualLrpInstanceKey(), a.GetActualLrpNetInfo()
	placementSet := strings.TrimSpace(a.GetPlacementError()) != ""
	switch a.GetState() {
	case ActualLRPStateUnclaimed:
		if !ik.IsEmpty() {
			v = v.add(errors.New("instance key cannot be set when state is unclaimed"))
		}
		if !net.IsEmpty() {
			v = v.add(errors.New("net info cannot be set when state is unclaimed"))
		}
		if a.GetPresence() != ActualLRP_ORDINARY {
			v = v.add(errors.New("presence cannot be set when state is unclaimed"))
		}
	case ActualLRPStateClaimed:
		v = v.add(ik.Validate())
		if !net.IsEmpty() {
			v = v.add(errors.New("net info cannot be set when state is claimed"))
		}
		if placementSet {
			v = v.add(errors.New("placement error cannot be set when state is claimed"))
		}
	case ActualLRPStateRunning:
		v = v.add(ik.Validate())
		v = v.add(net.Validate())
		if placementSet {
			v = v.add(errors.New("placement error cannot be set when state is running"))
		}
	case ActualLRPStateCrashed:
		if !ik.IsEmpty() {
			v = v.add(errors.New("instance key cannot be set when state is crashed"))
		}
		if !net.IsEmpty() {
			v = v.add(errors.New("net info cannot be set when state is crashed"))
		}
		if placementSet {
			v = v.add(errors.New("placement error cannot be set when state is crashed"))
		}
	default:
		v = v.field("state")
	}
	return v.orNil()
}

// Validate requires a process guid, a non-negative index and a domain.
func (k *ActualLRPKey) Validate() error {
	var v ValidationError
	if k.GetProcessGuid() == "" {
		v = v.field("process_guid")
	}
	if k.GetIndex() < 0 {
		v = v.field("index")
	}
	if k.GetDomain() == "" {
		v = v.field("domain")
	}
	return v.orNil()
}

// Validate requires a cell id and an instance guid.
func (k *ActualLRPInstanceKey) Validate() error {
	var v ValidationError
	if k.GetCellId() == "" {
		v = v.field("cell_id")
	}
	if k.GetInstanceGuid() == "" {
		v = v.field("instance_guid")
	}
	return v.orNil()
}

// Validate requires an address.
func (n *ActualLRPNetInfo) Validate() error {
	if n.GetAddress() == "" {
		return ValidationError{InvalidFieldError{"address"}}
	}
	return nil
}

// IsEmpty reports whether no address, ports or preference is set (nil counts as empty).
func (n *ActualLRPNetInfo) IsEmpty() bool {
	return n.GetAddress() == "" && len(n.GetPorts()) == 0 && n.GetPreferredAddress() == ActualLRPNetInfo_UNKNOWN
}
