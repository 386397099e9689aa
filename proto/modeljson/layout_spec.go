package modeljson

// layoutSpec records, for every message, the fields upstream's gogo-generated
// struct has, in struct order, and how encoding/json renders each one. It was
// derived from the struct tags of code.cloudfoundry.org/bbs/models and
// code.cloudfoundry.org/locket/models (TestLayoutCoversEveryField checks it
// against our descriptors; conformance/cfdot checks the output against
// upstream's encoding/json).
//
// Each line is "Message field field ...", a field being
//
//	proto_name[=json_name][flags]      json_name defaults to proto_name
//	oneof_name=GoName{inner[?]}        a oneof: {"GoName":{"inner":value}} or null
//
// with flags
//
//	?  omitempty: left out when empty (zero, "", false, nil, no elements)
//	!  a value (non-pointer) struct: an unset message renders as an empty one
//	^  embedded: the sub-message's fields are inlined into the parent object
//	   (with ! an unset one inlines zero values, without it inlines nothing)
//
// Messages whose upstream type has a hand-written MarshalJSON (ResourceLimits,
// DesiredLRPUpdate, ActualLRPsRequest) and the routes map are in custom.go.
const layoutSpec = `
Action download_action=download? upload_action=upload? run_action=run? timeout_action=timeout? emit_progress_action=emit_progress? try_action=try? parallel_action=parallel? serial_action=serial? codependent_action=codependent?
DownloadAction artifact=? from to cache_key log_source=? user checksum_algorithm=? checksum_value=?
UploadAction artifact=? from to log_source=? user
RunAction path args=? dir=? env=? resource_limits=? user log_source=? suppress_log_output
TimeoutAction action=? deprecated_timeout_ns=timeout? log_source=? timeout_ms
EmitProgressAction action=? start_message success_message failure_message_prefix log_source=?
TryAction action=? log_source=?
ParallelAction actions=? log_source=?
SerialAction actions=? log_source=?
CodependentAction actions=? log_source=?
ActualLRPGroup instance=? evacuating=?
PortMapping container_port host_port container_tls_proxy_port host_tls_proxy_port
ActualLRPKey process_guid index domain
ActualLRPInstanceKey instance_guid cell_id
ActualLRPNetInfo address ports instance_address=? preferred_address=!
ActualLRPInternalRoute hostname
ActualLRP actual_lrp_key=^! actual_lrp_instance_key=^! actual_lrp_net_info=^! crash_count crash_reason=? state placement_error=? since modification_tag=! presence=! actual_lrp_internal_routes=? metric_tags=? optional_routable=OptionalRoutable{routable} availability_zone
ActualLRPLifecycleResponse error=?
ActualLRPGroupsResponse error=? actual_lrp_groups=?
ActualLRPGroupResponse error=? actual_lrp_group=?
ActualLRPGroupsRequest domain cell_id
ActualLRPGroupsByProcessGuidRequest process_guid
ActualLRPGroupByProcessGuidAndIndexRequest process_guid index
ClaimActualLRPRequest process_guid index actual_lrp_instance_key=?
StartActualLRPRequest actual_lrp_key=? actual_lrp_instance_key=? actual_lrp_net_info=? actual_lrp_internal_routes=? metric_tags=? optional_routable=OptionalRoutable{Routable?} availability_zone
CrashActualLRPRequest actual_lrp_key=? actual_lrp_instance_key=? error_message
FailActualLRPRequest actual_lrp_key=? error_message
RetireActualLRPRequest actual_lrp_key=?
RemoveActualLRPRequest process_guid index actual_lrp_instance_key=?
ActualLRPsResponse error=? actual_lrps=?
CachedDependency name from to cache_key log_source checksum_algorithm=? checksum_value=?
CellCapacity memory_mb disk_mb containers
CellPresence cell_id rep_address zone capacity=? rootfs_providers=rootfs_provider_list? placement_tags=? optional_placement_tags=? rep_url
Provider name properties=?
CellsResponse error=? cells=?
CertificateProperties organizational_unit=?
CheckDefinition checks=? log_source readiness_checks=?
Check tcp_check=? http_check=?
TCPCheck port connect_timeout_ms=? interval_ms=?
HTTPCheck port request_timeout_ms=? path interval_ms=?
DesiredLRPSchedulingInfo desired_lrp_key=^! annotation instances desired_lrp_resource=^! routes=! modification_tag=^! volume_placement=? PlacementTags=placement_tags?
DesiredLRPRunInfo desired_lrp_key=^! environment_variables=env setup=? action=? monitor=? deprecated_start_timeout_s=start_timeout? privileged cpu_weight ports=? egress_rules log_source metrics_guid created_at cached_dependencies=? legacy_download_user=? trusted_system_certificates_path=? volume_mounts=? network=? start_timeout_ms certificate_properties=? image_username=? image_password=? check_definition=? image_layers=? metric_tags=? sidecars=? log_rate_limit=?
DesiredLRPKey process_guid domain log_guid
DesiredLRPResource memory_mb disk_mb root_fs=rootfs max_pids
DesiredLRP process_guid domain root_fs=rootfs instances environment_variables=env setup=? action=? start_timeout_ms deprecated_start_timeout_s=deprecated_timeout_ns? monitor=? disk_mb memory_mb cpu_weight privileged ports=? routes=? log_source log_guid metrics_guid annotation egress_rules=? modification_tag=? cached_dependencies=? legacy_download_user=? trusted_system_certificates_path=? volume_mounts=? network=? PlacementTags=placement_tags? max_pids certificate_properties=? image_username=? image_password=? check_definition=? image_layers=? metric_tags=? sidecars=? log_rate_limit=?
DesiredLRPLifecycleResponse error=?
DesiredLRPsResponse error=? desired_lrps=?
DesiredLRPsRequest domain process_guids=?
DesiredLRPResponse error=? desired_lrp=?
DesiredLRPSchedulingInfosResponse error=? desired_lrp_scheduling_infos=?
DesiredLRPByProcessGuidRequest process_guid
DesireLRPRequest desired_lrp=?
UpdateDesiredLRPRequest process_guid update=?
RemoveDesiredLRPRequest process_guid
DomainsResponse error=? domains=?
UpsertDomainResponse error=?
UpsertDomainRequest domain ttl
EnvironmentVariable name value
Error type=! message
EvacuationResponse error=? keep_container
EvacuateClaimedActualLRPRequest actual_lrp_key=? actual_lrp_instance_key=?
EvacuateRunningActualLRPRequest actual_lrp_key=? actual_lrp_instance_key=? actual_lrp_net_info=? actual_lrp_internal_routes=? metric_tags=? optional_routable=OptionalRoutable{Routable?} availability_zone
EvacuateStoppedActualLRPRequest actual_lrp_key=? actual_lrp_instance_key=?
EvacuateCrashedActualLRPRequest actual_lrp_key=? actual_lrp_instance_key=? error_message
RemoveEvacuatingActualLRPRequest actual_lrp_key=? actual_lrp_instance_key=?
RemoveEvacuatingActualLRPResponse error=?
ActualLRPCreatedEvent actual_lrp_group=?
ActualLRPChangedEvent before=? after=?
ActualLRPRemovedEvent actual_lrp_group=?
ActualLRPInstanceCreatedEvent actual_lrp=? trace_id
ActualLRPInfo actual_lrp_net_info=^! crash_count crash_reason=? state placement_error=? since modification_tag=! presence=! optional_routable=OptionalRoutable{Routable?} availability_zone
ActualLRPInstanceChangedEvent actual_lrp_key=^! actual_lrp_instance_key=^! before=? after=? trace_id
ActualLRPInstanceRemovedEvent actual_lrp=? trace_id
DesiredLRPCreatedEvent desired_lrp=? trace_id
DesiredLRPChangedEvent before=? after=? trace_id
DesiredLRPRemovedEvent desired_lrp=? trace_id
ActualLRPCrashedEvent actual_lrp_key=^! actual_lrp_instance_key=^! crash_count crash_reason=? since
EventsByCellId cell_id
TaskCreatedEvent task=?
TaskChangedEvent before=? after=?
TaskRemovedEvent task=?
ImageLayer name=? url destination_path layer_type=! media_type=! digest_algorithm=?! digest_value=?
LogRateLimit bytes_per_second=?
MetricTagValue static=? dynamic=?!
ModificationTag epoch index
Network properties=?
PingResponse available
PortRange start end
ICMPInfo type code
SecurityGroupRule protocol=? destinations=? ports=? port_range=? icmp_info=? log annotations=?
Sidecar action=? disk_mb memory_mb
TaskDefinition root_fs=rootfs environment_variables=env? action=? disk_mb memory_mb cpu_weight privileged log_source log_guid metrics_guid result_file completion_callback_url=? annotation=? egress_rules=? cached_dependencies=? legacy_download_user=? trusted_system_certificates_path=? volume_mounts=? network=? placement_tags=? max_pids certificate_properties=? image_username image_password image_layers=? log_rate_limit=? metric_tags=?
Task task_definition=^ task_guid domain created_at updated_at first_completed_at state=! cell_id result failed failure_reason rejection_count rejection_reason
TaskLifecycleResponse error=?
DesireTaskRequest task_definition task_guid domain
StartTaskRequest task_guid cell_id
StartTaskResponse error=? should_start
FailTaskRequest task_guid failure_reason
RejectTaskRequest task_guid rejection_reason
TaskGuidRequest task_guid
CompleteTaskRequest task_guid cell_id failed failure_reason result
TaskCallbackResponse task_guid failed failure_reason result annotation=? created_at
TasksRequest domain cell_id
TasksResponse error=? tasks=?
TaskByGuidRequest task_guid
TaskResponse error=? task=?
SharedDevice volume_id mount_config
VolumeMount driver container_dir mode shared
VolumePlacement driver_names
Resource key=? owner=? value=? type=? type_code=?!
LockRequest resource=? ttl_in_seconds=?
ReleaseRequest resource=?
FetchRequest key=?
FetchResponse resource=?
FetchAllRequest type=? type_code=?!
FetchAllResponse resources=?
`
