package models

import "strings"

// Rootfs URL schemes a cell may advertise.
const (
	PreloadedRootFSScheme    = "preloaded"
	PreloadedOCIRootFSScheme = "preloaded+layer"
)

// PreloadedRootFS returns the rootfs URL of a preloaded stack, e.g. "preloaded:cflinuxfs4".
func PreloadedRootFS(stack string) string {
	return PreloadedRootFSScheme + ":" + stack
}

// CellSet indexes cell presences by cell id.
type CellSet map[string]*CellPresence

// NewCellSetFromList indexes cells by id.
func NewCellSetFromList(cells []*CellPresence) CellSet {
	set := make(CellSet, len(cells))
	for _, c := range cells {
		set.Add(c)
	}
	return set
}

// Add indexes one cell.
func (s CellSet) Add(c *CellPresence) {
	s[c.GetCellId()] = c
}

// HasCellID reports whether the cell is present.
func (s CellSet) HasCellID(id string) bool {
	_, ok := s[id]
	return ok
}

// CellIDs lists the ids in the set, in no particular order.
func (s CellSet) CellIDs() []string {
	ids := make([]string, 0, len(s))
	for id := range s {
		ids = append(ids, id)
	}
	return ids
}

// NewCellPresence builds the presence a cell registers. Preloaded stacks are
// advertised under both the "preloaded" and "preloaded+layer" schemes,
// followed by every other provider with no properties.
func NewCellPresence(cellID, repAddress, repURL, zone string, capacity *CellCapacity,
	rootFSProviders, preloadedRootFSes, placementTags, optionalPlacementTags []string) *CellPresence {
	providers := []*Provider{
		{Name: PreloadedRootFSScheme, Properties: preloadedRootFSes},
		{Name: PreloadedOCIRootFSScheme, Properties: preloadedRootFSes},
	}
	for _, p := range rootFSProviders {
		providers = append(providers, &Provider{Name: p, Properties: []string{}})
	}
	return &CellPresence{
		CellId:                cellID,
		RepAddress:            repAddress,
		RepUrl:                repURL,
		Zone:                  zone,
		Capacity:              capacity,
		RootfsProviders:       providers,
		PlacementTags:         placementTags,
		OptionalPlacementTags: optionalPlacementTags,
	}
}

// Validate requires positive memory and containers and non-negative disk. A
// nil capacity is treated as all zeroes.
func (c *CellCapacity) Validate() error {
	var v ValidationError
	if c.GetMemoryMb() <= 0 {
		v = v.field("memory_mb")
	}
	if c.GetDiskMb() < 0 {
		v = v.field("disk_mb")
	}
	if c.GetContainers() <= 0 {
		v = v.field("containers")
	}
	return v.orNil()
}

// Validate requires cell_id, rep_address, an http(s) rep_url if any, and a
// valid capacity.
func (c *CellPresence) Validate() error {
	var v ValidationError
	if c.GetCellId() == "" {
		v = v.field("cell_id")
	}
	if c.GetRepAddress() == "" {
		v = v.field("rep_address")
	}
	if u := c.GetRepUrl(); u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		v = v.field("rep_url")
	}
	v = v.add(c.GetCapacity().Validate())
	return v.orNil()
}
