package models

import (
	"time"

	"google.golang.org/protobuf/proto"
)

// Version is a model schema version; older API routes serve older versions.
type Version int

// Model versions. DesiredLRP and Task are at V3.
const (
	V0 Version = iota // deprecated timeouts; cached dependencies as setup downloads
	V1
	V2 // image layers as cached dependencies and downloads
	V3 // current
)

// CurrentVersion is the version of the models defined here.
const CurrentVersion = V3

// VersionDownTo converts d for a client that understands version v:
//
//	V3 -> V2  shared image layers become cached dependencies, exclusive ones
//	          become downloads run before setup; image_layers is cleared.
//	V2 -> V1  no change.
//	V1 -> V0  deprecated timeouts are filled in (see SetDeprecatedTimeoutNs),
//	          deprecated_start_timeout_s = uint32(start_timeout_ms)/1000, and
//	          cached dependencies become parallel downloads before setup.
//
// A downgrade works on a deep copy; when v >= CurrentVersion (or d is nil),
// d itself is returned.
func (d *DesiredLRP) VersionDownTo(v Version) *DesiredLRP {
	if d == nil || v >= CurrentVersion {
		return d
	}
	out := proto.Clone(d).(*DesiredLRP)
	// V3 -> V2
	layers := ImageLayers(out.ImageLayers)
	out.CachedDependencies = append(layers.ToCachedDependencies(), out.CachedDependencies...)
	out.Setup = layers.ToDownloadActions(out.LegacyDownloadUser, out.Setup)
	out.ImageLayers = nil
	if v >= V1 {
		return out
	}
	// V1 -> V0
	out.Action = out.Action.SetDeprecatedTimeoutNs()
	out.Setup = out.Setup.SetDeprecatedTimeoutNs()
	out.Monitor = out.Monitor.SetDeprecatedTimeoutNs()
	out.DeprecatedStartTimeoutS = uint32(out.StartTimeoutMs) / 1000
	if len(out.CachedDependencies) > 0 {
		downloads := make([]ActionInterface, 0, len(out.CachedDependencies))
		for _, c := range out.CachedDependencies {
			downloads = append(downloads, &DownloadAction{
				Artifact:  c.GetName(),
				From:      c.GetFrom(),
				To:        c.GetTo(),
				CacheKey:  c.GetCacheKey(),
				LogSource: c.GetLogSource(),
				User:      out.LegacyDownloadUser,
			})
		}
		if out.Setup != nil {
			out.Setup = WrapAction(Serial(Parallel(downloads...), out.Setup.Inner()))
		} else {
			out.Setup = WrapAction(Serial(Parallel(downloads...)))
		}
		out.CachedDependencies = nil
	}
	return out
}

// VersionDownTo converts t for a client that understands version v: below
// V3, image layers are folded into cached dependencies and downloads before
// the action, as for desired LRPs. V2 to V0 are identical for tasks. When v
// >= CurrentVersion, t itself is returned; otherwise a deep copy.
func (t *Task) VersionDownTo(v Version) *Task {
	if t == nil || v >= CurrentVersion {
		return t
	}
	out := proto.Clone(t).(*Task)
	if out.TaskDefinition == nil {
		out.TaskDefinition = &TaskDefinition{}
	}
	def := out.TaskDefinition
	layers := ImageLayers(def.ImageLayers)
	def.CachedDependencies = append(layers.ToCachedDependencies(), def.CachedDependencies...)
	def.Action = layers.ToDownloadActions(def.LegacyDownloadUser, def.Action)
	def.ImageLayers = nil
	return out
}

// SetDeprecatedTimeoutNs returns the action tree with every TimeoutAction's
// deprecated_timeout_ns set from timeout_ms, for V0 clients. Changed nodes
// are copies; leaves are shared.
//
// Like the original API, an EmitProgressAction or TryAction is replaced by
// its converted inner action (the wrapper is dropped), so V0 clients never
// see those two kinds.
func (a *Action) SetDeprecatedTimeoutNs() *Action {
	switch inner := a.Inner().(type) {
	case *TimeoutAction:
		c := proto.Clone(inner).(*TimeoutAction)
		c.DeprecatedTimeoutNs = c.TimeoutMs * int64(time.Millisecond)
		return WrapAction(c)
	case *EmitProgressAction:
		return inner.Action.SetDeprecatedTimeoutNs()
	case *TryAction:
		return inner.Action.SetDeprecatedTimeoutNs()
	case *ParallelAction:
		return WrapAction(&ParallelAction{Actions: deprecateAll(inner.Actions), LogSource: inner.LogSource})
	case *SerialAction:
		return WrapAction(&SerialAction{Actions: deprecateAll(inner.Actions), LogSource: inner.LogSource})
	case *CodependentAction:
		return WrapAction(&CodependentAction{Actions: deprecateAll(inner.Actions), LogSource: inner.LogSource})
	}
	return a
}

func deprecateAll(actions []*Action) []*Action {
	out := []*Action{}
	for _, a := range actions {
		out = append(out, a.SetDeprecatedTimeoutNs())
	}
	return out
}

// PopulateMetricsGuid keeps metrics_guid and metric_tags["source_id"] in
// sync: whichever is set fills the other. It changes d and returns it.
func (d *DesiredLRP) PopulateMetricsGuid() *DesiredLRP {
	src, hasSource := d.MetricTags["source_id"]
	switch {
	case hasSource && d.MetricsGuid == "":
		d.MetricsGuid = src.GetStatic()
	case !hasSource && d.MetricsGuid != "":
		if d.MetricTags == nil {
			d.MetricTags = map[string]*MetricTagValue{}
		}
		d.MetricTags["source_id"] = &MetricTagValue{Static: d.MetricsGuid}
	}
	return d
}
