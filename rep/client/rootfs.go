package client

import (
	"encoding/json"
	"net/url"
	"sort"
)

// RootFSProviderType says how a rootfs provider decides what it can serve.
type RootFSProviderType string

// The provider types a rep announces.
const (
	// RootFSProviderArbitrary serves any rootfs URL of its scheme (e.g. docker).
	RootFSProviderArbitrary RootFSProviderType = "arbitrary"
	// RootFSProviderFixedSet serves only the named stacks (e.g. preloaded:cflinuxfs4).
	RootFSProviderFixedSet RootFSProviderType = "fixed_set"
)

// RootFSProvider is one entry of a cell's RootFSProviders. Set is used only by fixed_set
// providers. A provider of an unknown type matches nothing.
type RootFSProvider struct {
	Type RootFSProviderType
	Set  map[string]struct{}
}

// ArbitraryProvider returns a provider that accepts every rootfs of its scheme.
func ArbitraryProvider() RootFSProvider { return RootFSProvider{Type: RootFSProviderArbitrary} }

// FixedSetProvider returns a provider that accepts exactly the given stack names.
func FixedSetProvider(stacks ...string) RootFSProvider {
	set := make(map[string]struct{}, len(stacks))
	for _, s := range stacks {
		set[s] = struct{}{}
	}
	return RootFSProvider{Type: RootFSProviderFixedSet, Set: set}
}

// Match reports whether the provider can serve rootfs (already parsed).
func (p RootFSProvider) Match(rootfs *url.URL) bool {
	switch p.Type {
	case RootFSProviderArbitrary:
		return true
	case RootFSProviderFixedSet:
		_, ok := p.Set[rootfs.Opaque]
		return ok
	}
	return false
}

// MarshalJSON writes {"type":"arbitrary"} or {"set":{"stack":{}},"type":"fixed_set"}; the
// key order is upstream's, which marshals a map.
func (p RootFSProvider) MarshalJSON() ([]byte, error) {
	if p.Type != RootFSProviderFixedSet {
		return json.Marshal(struct {
			Type RootFSProviderType `json:"type"`
		}{p.Type})
	}
	return json.Marshal(struct {
		Set  map[string]struct{} `json:"set"`
		Type RootFSProviderType  `json:"type"`
	}{p.Set, p.Type})
}

// UnmarshalJSON reads either provider form.
func (p *RootFSProvider) UnmarshalJSON(data []byte) error {
	var raw struct {
		Type RootFSProviderType  `json:"type"`
		Set  map[string]struct{} `json:"set"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*p = RootFSProvider{Type: raw.Type}
	if raw.Type == RootFSProviderFixedSet {
		p.Set = raw.Set
	}
	return nil
}

// RootFSProviders maps a rootfs URL scheme (preloaded, preloaded+layer, docker) to its provider.
type RootFSProviders map[string]RootFSProvider

// Match reports whether some provider serves rootfs, a URL such as "preloaded:cflinuxfs4" or
// "docker:///busybox". An unparsable URL matches nothing.
func (ps RootFSProviders) Match(rootfs string) bool {
	u, err := url.Parse(rootfs)
	if err != nil {
		return false
	}
	return ps.MatchURL(u)
}

// MatchURL is Match for an already parsed URL.
func (ps RootFSProviders) MatchURL(u *url.URL) bool {
	p, ok := ps[u.Scheme]
	return ok && p.Match(u)
}

// Stacks lists the stack names of the fixed_set provider for scheme, sorted.
func (ps RootFSProviders) Stacks(scheme string) []string {
	p := ps[scheme]
	names := make([]string, 0, len(p.Set))
	for s := range p.Set {
		names = append(names, s)
	}
	sort.Strings(names)
	return names
}
