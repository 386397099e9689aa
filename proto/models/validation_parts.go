package models

import (
	"errors"
	"net"
	"strings"
)

// Security group protocols.
const (
	TCPProtocol  = "tcp"
	UDPProtocol  = "udp"
	ICMPProtocol = "icmp"
	AllProtocol  = "all"
)

var errInvalidIP = errors.New("Invalid IP")

// Validate requires a name.
func (e *EnvironmentVariable) Validate() error {
	if e.GetName() == "" {
		return errors.New("invalid field: name cannot be blank")
	}
	return nil
}

// Validate requires from and to, and a consistent checksum.
func (c *CachedDependency) Validate() error {
	var v ValidationError
	if c.GetFrom() == "" {
		v = v.field("from")
	}
	if c.GetTo() == "" {
		v = v.field("to")
	}
	v = validateChecksum(v, c.GetChecksumAlgorithm(), c.GetChecksumValue())
	return v.orNil()
}

// validateCachedDependencies labels each failing dependency "cached_dependency".
func validateCachedDependencies(v ValidationError, deps []*CachedDependency) ValidationError {
	for _, d := range deps {
		v = v.labelled("cached_dependency", d.Validate())
	}
	return v
}

// Valid reports whether d names a supported digest algorithm.
func (d ImageLayer_DigestAlgorithm) Valid() bool {
	return d == ImageLayer_SHA256 || d == ImageLayer_SHA512
}

// Valid reports whether m names a supported archive format.
func (m ImageLayer_MediaType) Valid() bool {
	return m == ImageLayer_TGZ || m == ImageLayer_TAR || m == ImageLayer_ZIP
}

// Valid reports whether t names a layer type.
func (t ImageLayer_Type) Valid() bool {
	return t == ImageLayer_SHARED || t == ImageLayer_EXCLUSIVE
}

// Validate requires url, destination and known enums; a digest is required
// for exclusive layers and must come with its algorithm.
func (l *ImageLayer) Validate() error {
	var v ValidationError
	if l.GetUrl() == "" {
		v = v.field("url")
	}
	if l.GetDestinationPath() == "" {
		v = v.field("destination_path")
	}
	if !l.GetLayerType().Valid() {
		v = v.field("layer_type")
	}
	if !l.GetMediaType().Valid() {
		v = v.field("media_type")
	}
	exclusive := l.GetLayerType() == ImageLayer_EXCLUSIVE
	algo, value := l.GetDigestAlgorithm(), l.GetDigestValue()
	if (value != "" || exclusive) && algo == ImageLayer_DigestAlgorithmInvalid {
		v = v.field("digest_algorithm")
	}
	if (algo != ImageLayer_DigestAlgorithmInvalid || exclusive) && value == "" {
		v = v.field("digest_value")
	}
	if value != "" && !algo.Valid() {
		v = v.field("digest_algorithm")
	}
	return v.orNil()
}

// validateImageLayers labels failing layers "image_layer"; exclusive layers
// need a legacy download user.
func validateImageLayers(v ValidationError, layers []*ImageLayer, legacyDownloadUser string) ValidationError {
	needsUser := false
	for _, l := range layers {
		v = v.labelled("image_layer", l.Validate())
		if l.GetLayerType() == ImageLayer_EXCLUSIVE {
			needsUser = true
		}
	}
	if needsUser && legacyDownloadUser == "" {
		v = v.field("legacy_download_user")
	}
	return v
}

// Valid reports whether d names a per-instance value.
func (d MetricTagValue_DynamicValue) Valid() bool {
	return d == MetricTagValue_INDEX || d == MetricTagValue_INSTANCE_GUID
}

// Validate requires exactly one of static and dynamic.
func (m *MetricTagValue) Validate() error {
	hasStatic, hasDynamic := m.GetStatic() != "", m.GetDynamic().Valid()
	if hasStatic == hasDynamic {
		return ValidationError{InvalidFieldError{"static"}, InvalidFieldError{"dynamic"}}
	}
	return nil
}

// validateMetricTags checks each value and, when metricsGUID is set, that
// source_id carries it.
func validateMetricTags(tags map[string]*MetricTagValue, metricsGUID string) ValidationError {
	var v ValidationError
	for _, t := range tags {
		v = v.add(t.Validate())
	}
	if len(tags) > 0 && metricsGUID != "" {
		if src, ok := tags["source_id"]; !ok || src.GetStatic() != metricsGUID {
			v = v.field("source_id should match metrics_guid")
		}
	}
	return v
}

// Validate requires a valid action and non-negative resources.
func (s *Sidecar) Validate() error {
	var v ValidationError
	if s.GetAction() == nil {
		v = v.add(ErrInvalidActionType)
	} else {
		v = v.labelled("action", s.GetAction().Validate())
	}
	if s.GetMemoryMb() < 0 {
		v = v.field("memory_mb")
	}
	if s.GetDiskMb() < 0 {
		v = v.field("disk_mb")
	}
	return v.orNil()
}

// Validate requires a driver, mode "r" or "rw", and a volume id for shared devices.
func (m *VolumeMount) Validate() error {
	var v ValidationError
	if m.GetDriver() == "" {
		v = v.add(errors.New("invalid volume_mount driver"))
	}
	if mode := m.GetMode(); mode != "r" && mode != "rw" {
		v = v.add(errors.New("invalid volume_mount mode"))
	}
	if m.GetShared() != nil && m.GetShared().GetVolumeId() == "" {
		v = v.add(errors.New("invalid volume_mount volume id"))
	}
	return v.orNil()
}

// Validate has nothing to check.
func (*VolumePlacement) Validate() error { return nil }

// Validate has nothing to check.
func (*CertificateProperties) Validate() error { return nil }

// Validate checks every liveness and readiness check.
func (c *CheckDefinition) Validate() error {
	var v ValidationError
	for _, check := range c.GetChecks() {
		v = v.add(check.Validate())
	}
	for _, check := range c.GetReadinessChecks() {
		v = v.add(check.Validate())
	}
	return v.orNil()
}

// Validate requires exactly one check kind with a port in 1..65535. A check
// with neither kind set is reported as a bad port, as the original API does.
func (c *Check) Validate() error {
	if c.GetTcpCheck() != nil && c.GetHttpCheck() != nil {
		return ValidationError{InvalidFieldError{"check"}}
	}
	port := c.GetTcpCheck().GetPort()
	if c.GetHttpCheck() != nil {
		port = c.GetHttpCheck().GetPort()
	}
	if port == 0 || port > 65535 {
		return ValidationError{InvalidFieldError{"port"}}
	}
	return nil
}

// Validate checks protocol-specific fields and the destinations.
func (r *SecurityGroupRule) Validate() error {
	var v ValidationError
	switch r.GetProtocol() {
	case TCPProtocol, UDPProtocol:
		v = r.validatePorts()
		if r.GetIcmpInfo() != nil {
			v = v.field("icmp_info")
		}
	case ICMPProtocol:
		if r.GetPortRange() != nil {
			v = v.field("port_range")
		}
		if r.GetPorts() != nil {
			v = v.field("ports")
		}
		if r.GetIcmpInfo() == nil {
			v = v.field("icmp_info")
		}
	case AllProtocol:
		if r.GetPortRange() != nil {
			v = v.field("port_range")
		}
		if r.GetPorts() != nil {
			v = v.field("ports")
		}
		if r.GetIcmpInfo() != nil {
			v = v.field("icmp_info")
		}
	default:
		v = v.field("protocol")
	}
	if err := r.validateDestinations(); err != nil {
		v = v.field("destinations [ " + err.Error() + " ]")
	}
	return v.orNil()
}

// validatePorts requires exactly one of ports and port_range, all >= 1.
func (r *SecurityGroupRule) validatePorts() ValidationError {
	pr, ports := r.GetPortRange(), r.GetPorts()
	switch {
	case pr == nil && ports == nil:
		return ValidationError{errors.New("Missing required field: ports or port_range")}
	case pr != nil && ports != nil:
		return ValidationError{errors.New("Invalid: ports and port_range provided")}
	}
	var v ValidationError
	if pr != nil {
		if pr.GetStart() < 1 {
			v = v.field("port_range")
		}
		if pr.GetEnd() < 1 {
			v = v.field("port_range")
		}
		if pr.GetStart() > pr.GetEnd() {
			v = v.field("port_range")
		}
	}
	if ports != nil {
		if len(ports) == 0 {
			v = v.field("ports")
		}
		for _, p := range ports {
			if p < 1 {
				v = v.field("ports")
			}
		}
	}
	return v
}

// validateDestinations accepts IPs, CIDRs and "low-high" IP ranges.
func (r *SecurityGroupRule) validateDestinations() error {
	if len(r.GetDestinations()) == 0 {
		return errors.New("Must have at least 1 destination")
	}
	var v ValidationError
	for _, d := range r.GetDestinations() {
		n := strings.IndexAny(d, "-/")
		switch {
		case n == -1:
			if net.ParseIP(d) == nil {
				v = v.add(errInvalidIP)
			}
		case d[n] == '/':
			if _, _, err := net.ParseCIDR(d); err != nil {
				v = v.add(err)
			}
		default:
			v = validateIPRange(v, d[:n], d[n+1:])
		}
	}
	return v.orNil()
}

// validateIPRange checks a "low-high" range. Like the original API it walks
// the 16-byte forms and reports one "Invalid IP" for every byte where low
// exceeds high before the first byte where low is smaller.
func validateIPRange(v ValidationError, low, high string) ValidationError {
	first, second := net.ParseIP(low), net.ParseIP(high)
	if first == nil || second == nil {
		return v.add(errInvalidIP)
	}
	for i := range first {
		if first[i] < second[i] {
			break
		}
		if first[i] > second[i] {
			v = v.add(errInvalidIP)
		}
	}
	return v
}
