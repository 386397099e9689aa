package models

// NewActualLRPKey builds an ActualLRPKey.
func NewActualLRPKey(processGUID string, index int32, domain string) *ActualLRPKey {
	return &ActualLRPKey{ProcessGuid: processGUID, Index: index, Domain: domain}
}

// NewActualLRPInstanceKey builds an ActualLRPInstanceKey.
func NewActualLRPInstanceKey(instanceGUID, cellID string) *ActualLRPInstanceKey {
	return &ActualLRPInstanceKey{InstanceGuid: instanceGUID, CellId: cellID}
}

// NewActualLRPNetInfo builds an ActualLRPNetInfo.
func NewActualLRPNetInfo(address, instanceAddress string, preferred ActualLRPNetInfo_PreferredAddress, ports ...*PortMapping) *ActualLRPNetInfo {
	return &ActualLRPNetInfo{Address: address, InstanceAddress: instanceAddress, PreferredAddress: preferred, Ports: ports}
}

// NewPortMapping maps a container port to a host port.
func NewPortMapping(hostPort, containerPort uint32) *PortMapping {
	return &PortMapping{HostPort: hostPort, ContainerPort: containerPort}
}

// NewPortMappingWithTLSProxy also maps the TLS proxy ports.
func NewPortMappingWithTLSProxy(hostPort, containerPort, hostTLSProxy, containerTLSProxy uint32) *PortMapping {
	return &PortMapping{
		HostPort:              hostPort,
		ContainerPort:         containerPort,
		HostTlsProxyPort:      hostTLSProxy,
		ContainerTlsProxyPort: containerTLSProxy,
	}
}

// NewUnclaimedActualLRP builds an UNCLAIMED record changed at since (unix ns).
func NewUnclaimedActualLRP(key *ActualLRPKey, since int64) *ActualLRP {
	return &ActualLRP{ActualLrpKey: key, State: ActualLRPStateUnclaimed, Since: since}
}

// NewClaimedActualLRP builds a CLAIMED record.
func NewClaimedActualLRP(key *ActualLRPKey, instanceKey *ActualLRPInstanceKey, since int64) *ActualLRP {
	return &ActualLRP{ActualLrpKey: key, ActualLrpInstanceKey: instanceKey, State: ActualLRPStateClaimed, Since: since}
}

// NewRunningActualLRP builds a RUNNING record.
func NewRunningActualLRP(key *ActualLRPKey, instanceKey *ActualLRPInstanceKey, net *ActualLRPNetInfo, since int64) *ActualLRP {
	return &ActualLRP{ActualLrpKey: key, ActualLrpInstanceKey: instanceKey, ActualLrpNetInfo: net,
		State: ActualLRPStateRunning, Since: since}
}

// SetRoutable sets the optional routable flag.
func (a *ActualLRP) SetRoutable(routable bool) {
	a.OptionalRoutable = &ActualLRP_Routable{Routable: routable}
}

// RoutableExists reports whether the routable flag is set.
func (a *ActualLRP) RoutableExists() bool {
	_, ok := a.GetOptionalRoutable().(*ActualLRP_Routable)
	return ok
}

// SetRoutable sets the optional routable flag.
func (i *ActualLRPInfo) SetRoutable(routable bool) {
	i.OptionalRoutable = &ActualLRPInfo_Routable{Routable: routable}
}

// RoutableExists reports whether the routable flag is set.
func (i *ActualLRPInfo) RoutableExists() bool {
	_, ok := i.GetOptionalRoutable().(*ActualLRPInfo_Routable)
	return ok
}

// SetRoutable sets the optional routable flag.
func (r *StartActualLRPRequest) SetRoutable(routable bool) {
	r.OptionalRoutable = &StartActualLRPRequest_Routable{Routable: routable}
}

// RoutableExists reports whether the routable flag is set.
func (r *StartActualLRPRequest) RoutableExists() bool {
	_, ok := r.GetOptionalRoutable().(*StartActualLRPRequest_Routable)
	return ok
}

// SetRoutable sets the optional routable flag.
func (r *EvacuateRunningActualLRPRequest) SetRoutable(routable bool) {
	r.OptionalRoutable = &EvacuateRunningActualLRPRequest_Routable{Routable: routable}
}

// RoutableExists reports whether the routable flag is set.
func (r *EvacuateRunningActualLRPRequest) RoutableExists() bool {
	_, ok := r.GetOptionalRoutable().(*EvacuateRunningActualLRPRequest_Routable)
	return ok
}

// SetIndex sets the optional index filter.
func (r *ActualLRPsRequest) SetIndex(index int32) {
	r.OptionalIndex = &ActualLRPsRequest_Index{Index: index}
}

// IndexExists reports whether the index filter is set.
func (r *ActualLRPsRequest) IndexExists() bool {
	_, ok := r.GetOptionalIndex().(*ActualLRPsRequest_Index)
	return ok
}

// ToActualLRPInfo extracts the mutable part of a, as carried by change
// events. Sub-messages are shared. nil stays nil.
func (a *ActualLRP) ToActualLRPInfo() *ActualLRPInfo {
	if a == nil {
		return nil
	}
	info := &ActualLRPInfo{
		ActualLrpNetInfo: a.GetActualLrpNetInfo(),
		CrashCount:       a.GetCrashCount(),
		CrashReason:      a.GetCrashReason(),
		State:            a.GetState(),
		PlacementError:   a.GetPlacementError(),
		Since:            a.GetSince(),
		ModificationTag:  a.GetModificationTag(),
		Presence:         a.GetPresence(),
		AvailabilityZone: a.GetAvailabilityZone(),
	}
	if a.RoutableExists() {
		info.SetRoutable(a.GetRoutable())
	}
	return info
}

// ToActualLRP rebuilds a full record from the info and the keys. nil stays nil.
func (i *ActualLRPInfo) ToActualLRP(key *ActualLRPKey, instanceKey *ActualLRPInstanceKey) *ActualLRP {
	if i == nil {
		return nil
	}
	a := &ActualLRP{
		ActualLrpKey:         key,
		ActualLrpInstanceKey: instanceKey,
		ActualLrpNetInfo:     i.GetActualLrpNetInfo(),
		CrashCount:           i.GetCrashCount(),
		CrashReason:          i.GetCrashReason(),
		State:                i.GetState(),
		PlacementError:       i.GetPlacementError(),
		Since:                i.GetSince(),
		ModificationTag:      i.GetModificationTag(),
		Presence:             i.GetPresence(),
		AvailabilityZone:     i.GetAvailabilityZone(),
	}
	if i.RoutableExists() {
		a.SetRoutable(i.GetRoutable())
	}
	return a
}
