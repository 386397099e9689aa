package placement

import (
	"errors"
	"strings"
)

// Placement errors, with upstream's texts; they end up as placement_error on the LRP or
// task in the BBS.
var (
	ErrRootFSMismatch       = errors.New("found no compatible cell for required rootfs")
	ErrVolumeDriverMismatch = errors.New("found no compatible cell with required volume drivers")
	ErrCellCommunication    = errors.New("unable to communicate to compatible cells")
	ErrInflightLimit        = errors.New("waiting to start instance: reached in-flight start limit")
)

// PlacementTagMismatchError says no cell accepts the auction's placement tags.
type PlacementTagMismatchError struct {
	Tags []string
}

// Error renders `found no compatible cell with placement tag "a"`, `… with placement tags
// "a", "b" and "c"` or `… with no placement tags`.
func (e PlacementTagMismatchError) Error() string {
	switch len(e.Tags) {
	case 0:
		return "found no compatible cell with no placement tags"
	case 1:
		return `found no compatible cell with placement tag "` + e.Tags[0] + `"`
	}
	last := len(e.Tags) - 1
	quoted := make([]string, last)
	for i, t := range e.Tags[:last] {
		quoted[i] = `"` + t + `"`
	}
	return "found no compatible cell with placement tags " + strings.Join(quoted, ", ") + ` and "` + e.Tags[last] + `"`
}

// filterStage is how far the best cell of a zone got through the filters.
type filterStage uint8

const (
	stageRootFS filterStage = iota // no cell serves the rootfs
	stageVolume                    // rootfs ok, volume drivers missing
	stageTags                      // drivers ok, placement tags refused
	stageOK                        // at least one cell passes
)

// mergeZoneError folds one zone's failure into the running error the way upstream does:
// a volume-driver error is only replaced by a placement-tag error, any other error is
// replaced by whatever comes next.
func mergeZoneError(cur, next filterStage, have bool) filterStage {
	if !have || cur != stageVolume || next == stageTags {
		return next
	}
	return cur
}

func stageError(s filterStage, tags []string) error {
	switch s {
	case stageVolume:
		return ErrVolumeDriverMismatch
	case stageTags:
		return PlacementTagMismatchError{Tags: tags}
	}
	return ErrRootFSMismatch
}
