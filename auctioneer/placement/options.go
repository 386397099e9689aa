package placement

// Options are the auctioneer's tuning knobs (release job properties of the same names).
type Options struct {
	// StartingContainerWeight penalises cells per container already starting
	// (starting_container_weight, release default 0.25).
	StartingContainerWeight float64
	// BinPackFirstFitWeight favours low cell indices within a zone when > 0
	// (bin_pack_first_fit_weight, default 0: off).
	BinPackFirstFitWeight float64
	// StartingContainerCountMaximum caps containers starting at once across all cells
	// (starting_container_count_maximum, default 0: unlimited).
	StartingContainerCountMaximum int
}

// DefaultOptions are the release defaults.
func DefaultOptions() Options {
	return Options{StartingContainerWeight: 0.25}
}

// LocalityOffset is added to a cell's score per instance of the same process (for LRPs) or
// per task (for tasks) it already holds, spreading work across cells.
const LocalityOffset = 1000
