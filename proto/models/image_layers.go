package models

import "strings"

// ImageLayers adds down-conversion helpers to a list of layers.
type ImageLayers []*ImageLayer

// FilterByType keeps the layers of one type.
func (ls ImageLayers) FilterByType(t ImageLayer_Type) ImageLayers {
	var out ImageLayers
	for _, l := range ls {
		if l.GetLayerType() == t {
			out = append(out, l)
		}
	}
	return out
}

// digestName is the lower-case algorithm name used in cache keys and checksums.
func digestName(a ImageLayer_DigestAlgorithm) string {
	return strings.ToLower(a.String())
}

// ToCachedDependencies turns the shared layers into cached dependencies,
// keyed by digest when there is one and by URL otherwise.
func (ls ImageLayers) ToCachedDependencies() []*CachedDependency {
	deps := []*CachedDependency{}
	for _, l := range ls.FilterByType(ImageLayer_SHARED) {
		d := &CachedDependency{
			Name:          l.GetName(),
			From:          l.GetUrl(),
			To:            l.GetDestinationPath(),
			ChecksumValue: l.GetDigestValue(),
		}
		if l.GetDigestAlgorithm() != ImageLayer_DigestAlgorithmInvalid {
			d.ChecksumAlgorithm = digestName(l.GetDigestAlgorithm())
		}
		if l.GetDigestValue() == "" {
			d.CacheKey = l.GetUrl()
		} else {
			d.CacheKey = d.ChecksumAlgorithm + ":" + l.GetDigestValue()
		}
		deps = append(deps, d)
	}
	return deps
}

// ToDownloadActions turns the exclusive layers into parallel downloads run
// before existing (if any). Without exclusive layers existing is returned.
func (ls ImageLayers) ToDownloadActions(user string, existing *Action) *Action {
	var downloads []ActionInterface
	for _, l := range ls.FilterByType(ImageLayer_EXCLUSIVE) {
		algo := digestName(l.GetDigestAlgorithm())
		downloads = append(downloads, &DownloadAction{
			Artifact:          l.GetName(),
			From:              l.GetUrl(),
			To:                l.GetDestinationPath(),
			CacheKey:          algo + ":" + l.GetDigestValue(),
			User:              user,
			ChecksumAlgorithm: algo,
			ChecksumValue:     l.GetDigestValue(),
		})
	}
	if len(downloads) == 0 {
		return existing
	}
	if existing == nil {
		return WrapAction(Parallel(downloads...))
	}
	return WrapAction(Serial(Parallel(downloads...), existing.Inner()))
}
