package models

// Validate requires a domain, a well-formed task guid and a valid definition.
func (t *Task) Validate() error {
	var v ValidationError
	if t.GetDomain() == "" {
		v = v.field("domain")
	}
	if !ValidGUID(t.GetTaskGuid()) {
		v = v.field("task_guid")
	}
	v = validateTaskDefinition(v, t.GetTaskDefinition())
	return v.orNil()
}

// validateTaskDefinition reports a missing definition as "task_definition".
func validateTaskDefinition(v ValidationError, def *TaskDefinition) ValidationError {
	if def == nil {
		return v.field("task_definition")
	}
	return v.add(def.Validate())
}

// Validate applies the desire-time rules for tasks. Unlike LRPs, tasks do
// not check environment variables, volume mounts or metric tags, and a bad
// egress rule is reported without its details.
func (d *TaskDefinition) Validate() error {
	var v ValidationError
	if d.GetRootFs() == "" || !validRootFS(d.GetRootFs()) {
		v = v.field("rootfs")
	}
	if d.GetAction() == nil {
		v = v.add(ErrInvalidActionType)
	} else {
		v = v.labelled("action", d.GetAction().Validate())
	}
	if d.GetMemoryMb() < 0 {
		v = v.field("memory_mb")
	}
	if d.GetDiskMb() < 0 {
		v = v.field("disk_mb")
	}
	if l := d.GetLogRateLimit(); l != nil && l.GetBytesPerSecond() < -1 {
		v = v.field("log_rate_limit")
	}
	if d.GetMaxPids() < 0 {
		v = v.field("max_pids")
	}
	if len(d.GetAnnotation()) > MaxAnnotationLength {
		v = v.field("annotation")
	}
	for _, rule := range d.GetEgressRules() {
		if rule.Validate() != nil {
			v = v.field("egress_rules")
		}
	}
	v = validateImageCredentials(v, d.GetImageUsername(), d.GetImagePassword())
	v = validateCachedDependencies(v, d.GetCachedDependencies())
	v = validateImageLayers(v, d.GetImageLayers(), d.GetLegacyDownloadUser())
	return v.orNil()
}
