package applog

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	loggregator "code.cloudfoundry.org/go-loggregator/v9"

	"github.com/godiego/diego/internal/tlsconf"
)

// AgentServerName is the name the local loggregator agent's certificate
// is checked against, as upstream clients check it.
const AgentServerName = "metron"

// DefaultSourceType is the source_type of lines whose log config names no
// source, as upstream.
const DefaultSourceType = "LOG"

// LoggregatorConfig says how to reach the loggregator agent on this host.
type LoggregatorConfig struct {
	// Port is the agent's v2 gRPC ingress port on 127.0.0.1.
	Port                     int
	CACertPath               string
	CertPath                 string
	KeyPath                  string
	JobOrigin                string
	BatchMaxSize             uint
	BatchFlushInterval       time.Duration
	AppMetricExclusionFilter []string
}

// Loggregator ships app log lines and container metrics to the local
// loggregator agent as v2 envelopes over mutual TLS gRPC
// (loggregator.v2.Ingress), in batches (100 envelopes or 100 ms unless
// configured). It is a Sink and a container metrics emitter. An agent that
// is down costs the batches sent meanwhile (the stream is reopened for the
// next); an agent that stops reading slows senders down, as upstream's.
type Loggregator struct {
	client  *loggregator.IngressClient
	exclude map[string]bool

	// mu guards closed: the client panics on a send after CloseSend, and
	// containers may still write while the rep stops.
	mu     sync.RWMutex
	closed bool
}

// NewLoggregator sets up the client. Unlike upstream's rep, which exits
// when the agent does not answer within a second, the connection is made
// lazily: an agent that starts after the rep is fine.
func NewLoggregator(cfg LoggregatorConfig) (*Loggregator, error) {
	if cfg.Port <= 0 {
		return nil, fmt.Errorf("loggregator: loggregator_api_port must be set")
	}
	tlsCfg, err := tlsconf.Client(cfg.CertPath, cfg.KeyPath, cfg.CACertPath, false)
	if err != nil {
		return nil, fmt.Errorf("loggregator TLS: %w", err)
	}
	tlsCfg.ServerName = AgentServerName
	opts := []loggregator.IngressOption{loggregator.WithAddr("127.0.0.1:" + strconv.Itoa(cfg.Port))}
	if cfg.JobOrigin != "" {
		// The agent adds deployment, job, index and ip, but not the origin.
		opts = append(opts, loggregator.WithTag("origin", cfg.JobOrigin))
	}
	if cfg.BatchMaxSize > 0 {
		opts = append(opts, loggregator.WithBatchMaxSize(cfg.BatchMaxSize))
	}
	if cfg.BatchFlushInterval > 0 {
		opts = append(opts, loggregator.WithBatchFlushInterval(cfg.BatchFlushInterval))
	}
	c, err := loggregator.NewIngressClient(tlsCfg, opts...)
	if err != nil {
		return nil, fmt.Errorf("loggregator client: %w", err)
	}
	l := &Loggregator{client: c, exclude: map[string]bool{}}
	for _, name := range cfg.AppMetricExclusionFilter {
		l.exclude[name] = true
	}
	return l, nil
}

// Close flushes what is buffered and closes the stream; later lines and
// samples are dropped.
func (l *Loggregator) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	return l.client.CloseSend()
}

// sending runs send unless the client is closed.
func (l *Loggregator) sending(send func()) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if !l.closed {
		send()
	}
}

// Emit sends one app log line: source_id and instance_id from the tags
// (else the log guid and the index), source_type the log source, every
// tag as an envelope tag.
func (l *Loggregator) Emit(line Line) {
	sourceType := line.SourceName
	if sourceType == "" {
		sourceType = DefaultSourceType
	}
	tags := LogTags(line.Tags, line.Guid, line.Index)
	opts := []loggregator.EmitLogOption{
		loggregator.WithSourceInfo(tags["source_id"], sourceType, tags["instance_id"]),
		loggregator.WithEnvelopeTags(tags),
	}
	if !line.Stderr {
		opts = append(opts, loggregator.WithStdout())
	}
	l.sending(func() { l.client.EmitLog(line.Message, opts...) })
}

// LogTags returns a copy of tags completed as upstream completes them:
// source_id defaults to guid and instance_id to index.
func LogTags(tags map[string]string, guid string, index int) map[string]string {
	out := make(map[string]string, len(tags)+2)
	for k, v := range tags {
		out[k] = v
	}
	if _, ok := out["source_id"]; !ok {
		out["source_id"] = guid
	}
	if _, ok := out["instance_id"]; !ok {
		out["instance_id"] = strconv.Itoa(index)
	}
	return out
}

// ContainerMetrics is one sample of a container's usage, ready to send.
type ContainerMetrics struct {
	CPUPercentage            float64
	CPUEntitlementPercentage float64
	MemoryBytes              uint64
	DiskBytes                uint64
	MemoryBytesQuota         uint64
	DiskBytesQuota           uint64
	AbsoluteCPUUsage         uint64
	AbsoluteCPUEntitlement   uint64
	ContainerAge             uint64
	RxBytes                  *uint64
	TxBytes                  *uint64
	// Tags carry source_id and instance_id.
	Tags map[string]string
}

// EmitContainerMetrics sends a sample as upstream does: one gauge envelope
// with cpu, memory, disk and their quotas (which loggregator turns into a
// container metric), one with container_age, cpu_entitlement,
// absolute_usage and absolute_entitlement (less any excluded by the app
// metric exclusion filter), and rx_bytes / tx_bytes counters.
func (l *Loggregator) EmitContainerMetrics(m ContainerMetrics) {
	l.sending(func() { l.emitContainerMetrics(m) })
}

func (l *Loggregator) emitContainerMetrics(m ContainerMetrics) {
	sourceID, instanceID := m.Tags["source_id"], m.Tags["instance_id"]
	l.client.EmitGauge(
		loggregator.WithGaugeSourceInfo(sourceID, instanceID),
		loggregator.WithGaugeValue("cpu", m.CPUPercentage, "percentage"),
		loggregator.WithGaugeValue("memory", float64(m.MemoryBytes), "bytes"),
		loggregator.WithGaugeValue("disk", float64(m.DiskBytes), "bytes"),
		loggregator.WithGaugeValue("memory_quota", float64(m.MemoryBytesQuota), "bytes"),
		loggregator.WithGaugeValue("disk_quota", float64(m.DiskBytesQuota), "bytes"),
		loggregator.WithEnvelopeTags(m.Tags),
	)
	opts := []loggregator.EmitGaugeOption{
		loggregator.WithGaugeSourceInfo(sourceID, instanceID),
		loggregator.WithEnvelopeTags(m.Tags),
	}
	for _, g := range []struct {
		name, unit string
		value      float64
	}{
		{"container_age", "nanoseconds", float64(m.ContainerAge)},
		{"cpu_entitlement", "percentage", m.CPUEntitlementPercentage},
		{"absolute_usage", "nanoseconds", float64(m.AbsoluteCPUUsage)},
		{"absolute_entitlement", "nanoseconds", float64(m.AbsoluteCPUEntitlement)},
	} {
		if !l.exclude[g.name] {
			opts = append(opts, loggregator.WithGaugeValue(g.name, g.value, g.unit))
		}
	}
	l.client.EmitGauge(opts...)
	for _, c := range []struct {
		name  string
		total *uint64
	}{{"rx_bytes", m.RxBytes}, {"tx_bytes", m.TxBytes}} {
		if c.total != nil && !l.exclude[c.name] {
			l.client.EmitCounter(c.name, loggregator.WithCounterSourceInfo(sourceID, instanceID), loggregator.WithTotal(*c.total))
		}
	}
}

// Tee is a Sink sending each line to every sink in it.
type Tee []Sink

// Emit sends l to every sink.
func (t Tee) Emit(l Line) {
	for _, s := range t {
		s.Emit(l)
	}
}
