package models

// Request validation. The BBS answers a failing request with
// Error{InvalidRequest, <the ValidationError text>}.

// requireNonEmpty reports an empty value as an invalid field.
func requireNonEmpty(v ValidationError, value, field string) ValidationError {
	if value == "" {
		return v.field(field)
	}
	return v
}

// requireGUIDPattern reports a value that is not a valid guid.
func requireGUIDPattern(v ValidationError, value, field string) ValidationError {
	if !ValidGUID(value) {
		return v.field(field)
	}
	return v
}

func requireLRPKey(v ValidationError, k *ActualLRPKey) ValidationError {
	if k == nil {
		return v.field("actual_lrp_key")
	}
	return v.add(k.Validate())
}

func requireInstanceKey(v ValidationError, k *ActualLRPInstanceKey) ValidationError {
	if k == nil {
		return v.field("actual_lrp_instance_key")
	}
	return v.add(k.Validate())
}

func requireNetInfo(v ValidationError, n *ActualLRPNetInfo) ValidationError {
	if n == nil {
		return v.field("actual_lrp_net_info")
	}
	return v.add(n.Validate())
}

func requireIndex(v ValidationError, index int32) ValidationError {
	if index < 0 {
		return v.field("index")
	}
	return v
}

// Validate accepts every filter.
func (*ActualLRPsRequest) Validate() error { return nil }

// Validate accepts every filter.
func (*ActualLRPGroupsRequest) Validate() error { return nil }

// Validate requires a process guid.
func (r *ActualLRPGroupsByProcessGuidRequest) Validate() error {
	return requireNonEmpty(nil, r.GetProcessGuid(), "process_guid").orNil()
}

// Validate requires a process guid and a non-negative index.
func (r *ActualLRPGroupByProcessGuidAndIndexRequest) Validate() error {
	v := requireNonEmpty(nil, r.GetProcessGuid(), "process_guid")
	return requireIndex(v, r.GetIndex()).orNil()
}

// Validate requires a process guid and a valid instance key (the index is not checked).
func (r *ClaimActualLRPRequest) Validate() error {
	v := requireNonEmpty(nil, r.GetProcessGuid(), "process_guid")
	return requireInstanceKey(v, r.GetActualLrpInstanceKey()).orNil()
}

// Validate requires valid keys and net info.
func (r *StartActualLRPRequest) Validate() error {
	v := requireLRPKey(nil, r.GetActualLrpKey())
	v = requireInstanceKey(v, r.GetActualLrpInstanceKey())
	return requireNetInfo(v, r.GetActualLrpNetInfo()).orNil()
}

// Validate requires valid keys.
func (r *CrashActualLRPRequest) Validate() error {
	v := requireLRPKey(nil, r.GetActualLrpKey())
	return requireInstanceKey(v, r.GetActualLrpInstanceKey()).orNil()
}

// Validate requires a valid key and an error message.
func (r *FailActualLRPRequest) Validate() error {
	v := requireLRPKey(nil, r.GetActualLrpKey())
	return requireNonEmpty(v, r.GetErrorMessage(), "error_message").orNil()
}

// Validate requires a valid key.
func (r *RetireActualLRPRequest) Validate() error {
	return requireLRPKey(nil, r.GetActualLrpKey()).orNil()
}

// Validate requires a process guid and a non-negative index.
func (r *RemoveActualLRPRequest) Validate() error {
	v := requireNonEmpty(nil, r.GetProcessGuid(), "process_guid")
	return requireIndex(v, r.GetIndex()).orNil()
}

// Validate requires valid keys.
func (r *RemoveEvacuatingActualLRPRequest) Validate() error {
	v := requireLRPKey(nil, r.GetActualLrpKey())
	return requireInstanceKey(v, r.GetActualLrpInstanceKey()).orNil()
}

// Validate requires valid keys.
func (r *EvacuateClaimedActualLRPRequest) Validate() error {
	v := requireLRPKey(nil, r.GetActualLrpKey())
	return requireInstanceKey(v, r.GetActualLrpInstanceKey()).orNil()
}

// Validate requires valid keys and an error message.
func (r *EvacuateCrashedActualLRPRequest) Validate() error {
	v := requireLRPKey(nil, r.GetActualLrpKey())
	v = requireInstanceKey(v, r.GetActualLrpInstanceKey())
	return requireNonEmpty(v, r.GetErrorMessage(), "error_message").orNil()
}

// Validate requires valid keys.
func (r *EvacuateStoppedActualLRPRequest) Validate() error {
	v := requireLRPKey(nil, r.GetActualLrpKey())
	return requireInstanceKey(v, r.GetActualLrpInstanceKey()).orNil()
}

// Validate requires valid keys and net info.
func (r *EvacuateRunningActualLRPRequest) Validate() error {
	v := requireLRPKey(nil, r.GetActualLrpKey())
	v = requireInstanceKey(v, r.GetActualLrpInstanceKey())
	return requireNetInfo(v, r.GetActualLrpNetInfo()).orNil()
}

// Validate accepts every filter.
func (*DesiredLRPsRequest) Validate() error { return nil }

// Validate requires a process guid.
func (r *DesiredLRPByProcessGuidRequest) Validate() error {
	return requireNonEmpty(nil, r.GetProcessGuid(), "process_guid").orNil()
}

// Validate requires a valid desired LRP.
func (r *DesireLRPRequest) Validate() error {
	if r.GetDesiredLrp() == nil {
		return ValidationError{InvalidFieldError{"desired_lrp"}}
	}
	return ValidationError(nil).add(r.GetDesiredLrp().Validate()).orNil()
}

// Validate requires a process guid and, if present, a valid update.
func (r *UpdateDesiredLRPRequest) Validate() error {
	v := requireNonEmpty(nil, r.GetProcessGuid(), "process_guid")
	if r.GetUpdate() != nil {
		v = v.add(r.GetUpdate().Validate())
	}
	return v.orNil()
}

// Validate requires a process guid.
func (r *RemoveDesiredLRPRequest) Validate() error {
	return requireNonEmpty(nil, r.GetProcessGuid(), "process_guid").orNil()
}

// Validate requires a domain.
func (r *UpsertDomainRequest) Validate() error {
	return requireNonEmpty(nil, r.GetDomain(), "domain").orNil()
}

// Validate accepts every filter.
func (*TasksRequest) Validate() error { return nil }

// Validate requires a task guid.
func (r *TaskByGuidRequest) Validate() error {
	return requireNonEmpty(nil, r.GetTaskGuid(), "task_guid").orNil()
}

// Validate requires a task guid.
func (r *TaskGuidRequest) Validate() error {
	return requireNonEmpty(nil, r.GetTaskGuid(), "task_guid").orNil()
}

// Validate requires a well-formed task guid, a domain and a valid definition.
func (r *DesireTaskRequest) Validate() error {
	v := requireGUIDPattern(nil, r.GetTaskGuid(), "task_guid")
	v = requireNonEmpty(v, r.GetDomain(), "domain")
	return validateTaskDefinition(v, r.GetTaskDefinition()).orNil()
}

// Validate requires a well-formed task guid and a cell id.
func (r *StartTaskRequest) Validate() error {
	v := requireGUIDPattern(nil, r.GetTaskGuid(), "task_guid")
	return requireNonEmpty(v, r.GetCellId(), "cell_id").orNil()
}

// Validate requires a well-formed task guid and a cell id.
func (r *CompleteTaskRequest) Validate() error {
	v := requireGUIDPattern(nil, r.GetTaskGuid(), "task_guid")
	return requireNonEmpty(v, r.GetCellId(), "cell_id").orNil()
}

// Validate requires a well-formed task guid and a failure reason.
func (r *FailTaskRequest) Validate() error {
	v := requireGUIDPattern(nil, r.GetTaskGuid(), "task_guid")
	return requireNonEmpty(v, r.GetFailureReason(), "failure_reason").orNil()
}

// Validate requires a well-formed task guid and a rejection reason, which the
// original API reports under the name "failure_reason".
func (r *RejectTaskRequest) Validate() error {
	v := requireGUIDPattern(nil, r.GetTaskGuid(), "task_guid")
	return requireNonEmpty(v, r.GetRejectionReason(), "failure_reason").orNil()
}

// Validate accepts any cell id (empty means all cells).
func (*EventsByCellId) Validate() error { return nil }
