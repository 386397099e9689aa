// Package loggregator holds upstream's `loggregator` config block, which
// every Diego daemon accepts. Daemons here log through lager and do not ship
// to a loggregator agent yet, so the block is accepted and reported as
// unused at start.
package loggregator

import "github.com/godiego/diego/internal/config"

// Config is upstream's loggregator block (diego-logging-client's keys).
type Config struct {
	UseV2API                 bool            `json:"loggregator_use_v2_api"`
	APIPort                  int             `json:"loggregator_api_port"`
	CACertPath               string          `json:"loggregator_ca_path"`
	CertPath                 string          `json:"loggregator_cert_path"`
	KeyPath                  string          `json:"loggregator_key_path"`
	JobDeployment            string          `json:"loggregator_job_deployment"`
	JobName                  string          `json:"loggregator_job_name"`
	JobIndex                 string          `json:"loggregator_job_index"`
	JobIP                    string          `json:"loggregator_job_ip"`
	JobOrigin                string          `json:"loggregator_job_origin"`
	SourceID                 string          `json:"loggregator_source_id"`
	InstanceID               string          `json:"loggregator_instance_id"`
	BatchMaxSize             uint            `json:"loggregator_batch_max_size"`
	BatchFlushInterval       config.Duration `json:"loggregator_batch_flush_interval"`
	AppMetricExclusionFilter []string        `json:"loggregator_app_metric_exclusion_filter"`
}
