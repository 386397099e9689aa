package client

import "strings"

// Problems is a set of resource shortages found when matching a container against a cell.
type Problems uint8

// The shortages a cell can have. Their names sort as containers < disk < memory.
const (
	ProblemContainers Problems = 1 << iota
	ProblemDisk
	ProblemMemory

	// AllProblems is every shortage; the auction starts from it and intersects.
	AllProblems = ProblemContainers | ProblemDisk | ProblemMemory
)

// InsufficientResourcesError says a container does not fit. Its text is upstream's
// placement error: "insufficient resources: disk, memory" (names sorted), or
// "insufficient resources" when no single shortage is to blame.
type InsufficientResourcesError struct {
	Problems Problems
}

// Error renders the upstream text.
func (e InsufficientResourcesError) Error() string {
	if e.Problems == 0 {
		return "insufficient resources"
	}
	names := make([]string, 0, 3)
	if e.Problems&ProblemContainers != 0 {
		names = append(names, "containers")
	}
	if e.Problems&ProblemDisk != 0 {
		names = append(names, "disk")
	}
	if e.Problems&ProblemMemory != 0 {
		names = append(names, "memory")
	}
	return "insufficient resources: " + strings.Join(names, ", ")
}

// Shortages returns what the cell lacks to take one container of res: not enough disk, not
// enough memory, no free container slot. Zero means it fits.
func (c *CellState) Shortages(res Resource) Problems {
	return c.AvailableResources.Shortages(res)
}

// Shortages is CellState.Shortages on bare available resources.
func (r Resources) Shortages(res Resource) Problems {
	var p Problems
	if r.DiskMB < res.DiskMB {
		p |= ProblemDisk
	}
	if r.MemoryMB < res.MemoryMB {
		p |= ProblemMemory
	}
	if r.Containers < 1 {
		p |= ProblemContainers
	}
	return p
}

// ResourceMatch returns nil when res fits on the cell, else an InsufficientResourcesError.
func (c *CellState) ResourceMatch(res Resource) error {
	if p := c.Shortages(res); p != 0 {
		return InsufficientResourcesError{Problems: p}
	}
	return nil
}

// ComputeScore is the resource part of a placement score (lower is better): the mean used
// fraction of memory, disk and containers after placing res, plus
// StartingContainerCount × startingContainerWeight.
func (c *CellState) ComputeScore(res Resource, startingContainerWeight float64) float64 {
	remaining := c.AvailableResources
	remaining.Subtract(res)
	// The conversion keeps the product rounded on its own (no fused multiply-add), so every
	// implementation of this score gets the same bits.
	return remaining.UsedFraction(c.TotalResources) + float64(float64(c.StartingContainerCount)*startingContainerWeight)
}

// MatchRootFS reports whether one of the cell's providers serves rootfs.
func (c *CellState) MatchRootFS(rootfs string) bool { return c.RootFSProviders.Match(rootfs) }

// MatchVolumeDrivers reports whether the cell has every requested volume driver.
func (c *CellState) MatchVolumeDrivers(requested []string) bool {
	return containsAll(c.VolumeDrivers, requested)
}

// MatchPlacementTags reports whether a container asking for desired tags may run on the cell:
// every tag the cell requires is desired, and every desired tag is required or optional on
// the cell.
func (c *CellState) MatchPlacementTags(desired []string) bool {
	return MatchPlacementTags(c.PlacementTags, c.OptionalPlacementTags, desired)
}

// MatchPlacementTags is the placement-tag rule on bare tag lists:
// required ⊆ desired ⊆ required ∪ optional (as sets; duplicates do not matter).
func MatchPlacementTags(required, optional, desired []string) bool {
	if !containsAll(desired, required) {
		return false
	}
	for _, d := range desired {
		if !contains(required, d) && !contains(optional, d) {
			return false
		}
	}
	return true
}

// containsAll reports whether every element of want is in have.
func containsAll(have, want []string) bool {
	for _, w := range want {
		if !contains(have, w) {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
