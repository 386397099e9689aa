package handlers

import (
	"strings"

	"github.com/godiego/diego/proto/models"
)

// Model downgrades for the deprecated r2 and r0 routes and streams
// (upstream's VersionDownTo). They mutate their argument: pass a clone.
// V3→V2 turns image layers into cached dependencies (shared layers) and
// download actions (exclusive layers); V1→V0 fills the deprecated timeout
// fields and turns cached dependencies into setup download actions.

func downgradeDesiredLRP(d *models.DesiredLRP, to int) *models.DesiredLRP {
	// V3 -> V2
	d.CachedDependencies = append(layersToCachedDependencies(d.ImageLayers), d.CachedDependencies...)
	d.Setup = layersToDownloads(d.ImageLayers, d.LegacyDownloadUser, d.Setup)
	d.ImageLayers = nil
	if to >= 1 {
		return d
	}
	// V1 -> V0 (V2 -> V1 changes nothing)
	d.Action = withDeprecatedTimeouts(d.Action)
	d.Setup = withDeprecatedTimeouts(d.Setup)
	d.Monitor = withDeprecatedTimeouts(d.Monitor)
	d.DeprecatedStartTimeoutS = uint32(d.StartTimeoutMs) / 1000
	if len(d.CachedDependencies) > 0 {
		var downloads []models.ActionInterface
		for _, c := range d.CachedDependencies {
			downloads = append(downloads, &models.DownloadAction{
				Artifact: c.Name, From: c.From, To: c.To, CacheKey: c.CacheKey, LogSource: c.LogSource, User: d.LegacyDownloadUser,
			})
		}
		steps := []models.ActionInterface{models.Parallel(downloads...)}
		if d.Setup != nil {
			steps = append(steps, models.UnwrapAction(d.Setup))
		}
		d.Setup = models.WrapAction(models.Serial(steps...))
		d.CachedDependencies = nil
	}
	return d
}

func downgradeTask(t *models.Task) *models.Task {
	def := t.TaskDefinition
	if def == nil {
		return t
	}
	def.CachedDependencies = append(layersToCachedDependencies(def.ImageLayers), def.CachedDependencies...)
	def.Action = layersToDownloads(def.ImageLayers, def.LegacyDownloadUser, def.Action)
	def.ImageLayers = nil
	return t
}

func digestName(a models.ImageLayer_DigestAlgorithm) string {
	if a == models.ImageLayer_DigestAlgorithmInvalid {
		return ""
	}
	return strings.ToLower(a.String())
}

func layersToCachedDependencies(layers []*models.ImageLayer) []*models.CachedDependency {
	deps := []*models.CachedDependency{}
	for _, l := range layers {
		if l.LayerType != models.ImageLayer_SHARED {
			continue
		}
		c := &models.CachedDependency{Name: l.Name, From: l.Url, To: l.DestinationPath,
			ChecksumAlgorithm: digestName(l.DigestAlgorithm), ChecksumValue: l.DigestValue}
		if l.DigestValue == "" {
			c.CacheKey = l.Url
		} else {
			c.CacheKey = c.ChecksumAlgorithm + ":" + l.DigestValue
		}
		deps = append(deps, c)
	}
	return deps
}

func layersToDownloads(layers []*models.ImageLayer, user string, existing *models.Action) *models.Action {
	var downloads []models.ActionInterface
	for _, l := range layers {
		if l.LayerType != models.ImageLayer_EXCLUSIVE {
			continue
		}
		algo := digestName(l.DigestAlgorithm)
		downloads = append(downloads, &models.DownloadAction{
			Artifact: l.Name, From: l.Url, To: l.DestinationPath, CacheKey: algo + ":" + l.DigestValue,
			User: user, ChecksumAlgorithm: algo, ChecksumValue: l.DigestValue,
		})
	}
	if len(downloads) == 0 {
		return existing
	}
	parallel := models.Parallel(downloads...)
	if existing == nil {
		return models.WrapAction(parallel)
	}
	return models.WrapAction(models.Serial(parallel, models.UnwrapAction(existing)))
}

// withDeprecatedTimeouts fills deprecated_timeout_ns of every timeout
// action. Like upstream it drops emit-progress and try wrappers on the way.
func withDeprecatedTimeouts(a *models.Action) *models.Action {
	if a == nil {
		return nil
	}
	switch inner := a.Inner().(type) {
	case *models.TimeoutAction:
		inner.DeprecatedTimeoutNs = inner.TimeoutMs * 1_000_000
		return a
	case *models.EmitProgressAction:
		return withDeprecatedTimeouts(inner.Action)
	case *models.TryAction:
		return withDeprecatedTimeouts(inner.Action)
	case *models.ParallelAction:
		for i, s := range inner.Actions {
			inner.Actions[i] = withDeprecatedTimeouts(s)
		}
	case *models.SerialAction:
		for i, s := range inner.Actions {
			inner.Actions[i] = withDeprecatedTimeouts(s)
		}
	case *models.CodependentAction:
		for i, s := range inner.Actions {
			inner.Actions[i] = withDeprecatedTimeouts(s)
		}
	}
	return a
}
