package config

import (
	"time"

	"github.com/godiego/diego/internal/config"
)

// ExecutorConfig is upstream's executor block, embedded at the top level
// of the rep config.
type ExecutorConfig struct {
	AdvertisePreferenceForInstanceAddress bool     `json:"advertise_preference_for_instance_address"`
	AutoDiskOverheadMB                    int      `json:"auto_disk_capacity_overhead_mb"`
	CachePath                             string   `json:"cache_path,omitempty"`
	ContainerInodeLimit                   uint64   `json:"container_inode_limit,omitempty"`
	ContainerMaxCpuShares                 uint64   `json:"container_max_cpu_shares,omitempty"`
	ContainerMetricsReportInterval        Duration `json:"container_metrics_report_interval,omitempty"`
	ContainerOwnerName                    string   `json:"container_owner_name,omitempty"`
	ContainerProxyADSServers              []string `json:"container_proxy_ads_addresses,omitempty" unused:"true"`
	ContainerProxyConfigPath              string   `json:"container_proxy_config_path,omitempty" unused:"true"`
	ContainerProxyPath                    string   `json:"container_proxy_path,omitempty" unused:"true"`
	ContainerProxyRequireClientCerts      bool     `json:"container_proxy_require_and_verify_client_certs" unused:"true"`
	ContainerProxyTrustedCACerts          []string `json:"container_proxy_trusted_ca_certs" unused:"true"`
	ContainerProxyVerifySubjectAltName    []string `json:"container_proxy_verify_subject_alt_name" unused:"true"`
	ContainerReapInterval                 Duration `json:"container_reap_interval,omitempty"`
	CreateWorkPoolSize                    int      `json:"create_work_pool_size,omitempty"`
	DeclarativeHealthcheckPath            string   `json:"declarative_healthcheck_path,omitempty"`
	DeleteWorkPoolSize                    int      `json:"delete_work_pool_size,omitempty" unused:"true"`
	DiskMB                                string   `json:"disk_mb,omitempty"`
	EnableContainerProxy                  bool     `json:"enable_container_proxy,omitempty" unused:"true"`
	EnableDeclarativeHealthcheck          bool     `json:"enable_declarative_healthcheck,omitempty"`
	EnableUnproxiedPortMappings           bool     `json:"enable_unproxied_port_mappings" unused:"true"`
	EnvoyConfigRefreshDelay               Duration `json:"envoy_config_refresh_delay" unused:"true"`
	EnvoyConfigReloadDuration             Duration `json:"envoy_config_reload_duration" unused:"true"`
	EnvoyDrainTimeout                     Duration `json:"envoy_drain_timeout,omitempty" unused:"true"`
	ExportNetworkEnvVars                  bool     `json:"export_network_env_vars,omitempty" unused:"true"`
	GardenAddr                            string   `json:"garden_addr,omitempty"`
	GardenHealthcheckCommandRetryPause    Duration `json:"garden_healthcheck_command_retry_pause,omitempty" unused:"true"`
	GardenHealthcheckEmissionInterval     Duration `json:"garden_healthcheck_emission_interval,omitempty" unused:"true"`
	GardenHealthcheckInterval             Duration `json:"garden_healthcheck_interval,omitempty"`
	GardenHealthcheckProcessArgs          []string `json:"garden_healthcheck_process_args,omitempty"`
	GardenHealthcheckProcessDir           string   `json:"garden_healthcheck_process_dir"`
	GardenHealthcheckProcessEnv           []string `json:"garden_healthcheck_process_env,omitempty"`
	GardenHealthcheckProcessPath          string   `json:"garden_healthcheck_process_path"`
	GardenHealthcheckProcessUser          string   `json:"garden_healthcheck_process_user"`
	GardenHealthcheckTimeout              Duration `json:"garden_healthcheck_timeout,omitempty"`
	GardenNetwork                         string   `json:"garden_network,omitempty"`
	GracefulShutdownInterval              Duration `json:"graceful_shutdown_interval,omitempty"`
	HealthCheckContainerOwnerName         string   `json:"healthcheck_container_owner_name,omitempty"`
	HealthCheckWorkPoolSize               int      `json:"healthcheck_work_pool_size,omitempty" unused:"true"`
	HealthyMonitoringInterval             Duration `json:"healthy_monitoring_interval,omitempty"`
	InstanceIdentityCAPath                string   `json:"instance_identity_ca_path,omitempty"`
	InstanceIdentityCredDir               string   `json:"instance_identity_cred_dir,omitempty"`
	InstanceIdentityPrivateKeyPath        string   `json:"instance_identity_private_key_path,omitempty"`
	InstanceIdentityValidityPeriod        Duration `json:"instance_identity_validity_period,omitempty"`
	MaxCacheSizeInBytes                   uint64   `json:"max_cache_size_in_bytes,omitempty"`
	MaxConcurrentDownloads                int      `json:"max_concurrent_downloads,omitempty"`
	MaxLogLinesPerSecond                  int      `json:"max_log_lines_per_second" unused:"true"`
	MemoryMB                              string   `json:"memory_mb,omitempty"`
	MetricsWorkPoolSize                   int      `json:"metrics_work_pool_size,omitempty" unused:"true"`
	PathToCACertsForDownloads             string   `json:"path_to_ca_certs_for_downloads" unused:"true"`
	PathToTLSCACert                       string   `json:"path_to_tls_ca_cert" unused:"true"`
	PathToTLSCert                         string   `json:"path_to_tls_cert" unused:"true"`
	PathToTLSKey                          string   `json:"path_to_tls_key" unused:"true"`
	PostSetupHook                         string   `json:"post_setup_hook"`
	PostSetupUser                         string   `json:"post_setup_user"`
	ProxyEnableHttp2                      bool     `json:"proxy_enable_http2" unused:"true"`
	ProxyMemoryAllocationMB               int      `json:"proxy_memory_allocation_mb,omitempty" unused:"true"`
	ReadWorkPoolSize                      int      `json:"read_work_pool_size,omitempty" unused:"true"`
	ReservedExpirationTime                Duration `json:"reserved_expiration_time,omitempty"`
	SetCPUWeight                          bool     `json:"set_cpu_weight,omitempty"`
	SkipCertVerify                        bool     `json:"skip_cert_verify,omitempty"`
	TempDir                               string   `json:"temp_dir,omitempty" unused:"true"`
	TrustedSystemCertificatesPath         string   `json:"trusted_system_certificates_path"`
	UnhealthyMonitoringInterval           Duration `json:"unhealthy_monitoring_interval,omitempty"`
	UseSchedulableDiskSize                bool     `json:"use_schedulable_disk_size,omitempty" unused:"true"`
	VolmanDriverPaths                     string   `json:"volman_driver_paths" unused:"true"`
}

// ExecutorDefaults are the release defaults of the executor block.
func ExecutorDefaults() ExecutorConfig {
	return ExecutorConfig{
		CachePath:                      "/var/vcap/data/executor_cache",
		ContainerInodeLimit:            200000,
		ContainerMaxCpuShares:          1024,
		ContainerMetricsReportInterval: Duration(15 * time.Second),
		ContainerOwnerName:             "executor",
		ContainerReapInterval:          Duration(time.Minute),
		CreateWorkPoolSize:             32,
		DiskMB:                         "auto",
		GardenAddr:                     "/var/vcap/data/garden/garden.sock",
		GardenHealthcheckInterval:      Duration(10 * time.Minute),
		GardenHealthcheckProcessArgs:   []string{"-c", "ls > /tmp/test"},
		GardenHealthcheckProcessPath:   "/bin/sh",
		GardenHealthcheckProcessUser:   "vcap",
		GardenHealthcheckTimeout:       Duration(10 * time.Minute),
		GardenNetwork:                  "unix",
		GracefulShutdownInterval:       Duration(10 * time.Second),
		HealthCheckContainerOwnerName:  "executor-health-check",
		HealthyMonitoringInterval:      Duration(30 * time.Second),
		InstanceIdentityValidityPeriod: Duration(24 * time.Hour),
		MaxCacheSizeInBytes:            10 * 1024 * 1024 * 1024,
		MaxConcurrentDownloads:         5,
		MemoryMB:                       "auto",
		ReservedExpirationTime:         Duration(time.Minute),
		UnhealthyMonitoringInterval:    Duration(500 * time.Millisecond),
	}
}

func (e *ExecutorConfig) validate(p *config.Problems) {
	if _, err := ParseCapacity("memory_mb", e.MemoryMB); err != nil {
		p.Addf("%v", err)
	}
	if _, err := ParseCapacity("disk_mb", e.DiskMB); err != nil {
		p.Addf("%v", err)
	}
	switch e.GardenNetwork {
	case "unix", "tcp":
	default:
		p.Addf("garden_network: %q is not unix or tcp", e.GardenNetwork)
	}
	p.Require("garden_addr", e.GardenAddr)
	p.Require("cache_path", e.CachePath)
	if e.EnableDeclarativeHealthcheck {
		p.Require("declarative_healthcheck_path", e.DeclarativeHealthcheckPath)
	}
	for k, v := range map[string]Duration{
		"healthy_monitoring_interval": e.HealthyMonitoringInterval, "unhealthy_monitoring_interval": e.UnhealthyMonitoringInterval,
		"reserved_expiration_time": e.ReservedExpirationTime, "container_reap_interval": e.ContainerReapInterval,
	} {
		if v <= 0 {
			p.Addf("%s: must be positive", k)
		}
	}
	// As upstream, instance identity is on when the cred dir is set; then
	// the CA and its key must be there.
	if e.InstanceIdentityEnabled() {
		p.RequireFile("instance_identity_ca_path", e.InstanceIdentityCAPath)
		p.RequireFile("instance_identity_private_key_path", e.InstanceIdentityPrivateKeyPath)
		if e.InstanceIdentityValidityPeriod <= 0 {
			p.Addf("instance_identity_validity_period: must be positive")
		}
	}
	if e.GracefulShutdownInterval < 0 {
		p.Addf("graceful_shutdown_interval: must not be negative")
	}
}

// InstanceIdentityEnabled reports whether containers get instance identity
// credentials: upstream turns them on with instance_identity_cred_dir.
func (e *ExecutorConfig) InstanceIdentityEnabled() bool {
	return e.InstanceIdentityCredDir != ""
}
