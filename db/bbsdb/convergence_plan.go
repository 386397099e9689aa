package bbsdb

import (
	"sort"
	"time"

	"github.com/godiego/diego/proto/models"
)

// lrpSnapshot is everything one LRP convergence pass decides from, read in
// one transaction by gatherLRPSnapshot.
type lrpSnapshot struct {
	// domains maps each domain row to its expire_time (unix ns).
	domains map[string]int64
	// desired maps process guid to what convergence needs of the desired LRP.
	desired map[string]*desiredFacts
	// actuals lists every actual LRP row.
	actuals []*actualFacts
}

// desiredFacts is the part of a desired LRP convergence looks at.
type desiredFacts struct {
	domain    string
	instances int32
	// internalRoutes are the desired "internal-router" routes; routesOK is
	// false when they could not be read (no drift is reported then).
	internalRoutes []*models.ActualLRPInternalRoute
	routesOK       bool
	// metricTags are the desired metric tags; tagsOK as routesOK.
	metricTags map[string]*models.MetricTagValue
	tagsOK     bool
}

// actualFacts is the part of an actual LRP row convergence looks at.
type actualFacts struct {
	key         *models.ActualLRPKey
	instanceKey *models.ActualLRPInstanceKey
	presence    models.ActualLRP_Presence
	state       string
	since       int64
	crashCount  int32
	// internalRoutes and metricTags are decoded only for RUNNING ordinary
	// rows; blobsOK says they were. metricTagsSet is false when the row
	// holds no metric tags at all (upstream then reports no drift).
	internalRoutes []*models.ActualLRPInternalRoute
	metricTags     map[string]string
	metricTagsSet  bool
	blobsOK        bool
}

// lrpPlan is what a pass will do; see applyLRPPlan.
type lrpPlan struct {
	pruneDomains       []string
	pruneEvacuating    []*actualFacts
	staleUnclaimed     []*models.ActualLRPKey
	missingCellSuspect []*models.ActualLRPKey // make SUSPECT, create a replacement, auction
	missingCellUnclaim []*models.ActualLRPKey // a SUSPECT exists already: unclaim, auction
	missingCellIDs     []string
	missingIndices     []*models.ActualLRPKey
	retire             []*models.ActualLRPKey
	suspectRemove      []*models.ActualLRPKey
	suspectPromote     []*models.ActualLRPKey
	suspectRunning     []*models.ActualLRPKey
	suspectClaimed     []*models.ActualLRPKey
	crashedRestart     []*models.ActualLRPKey
	routeChanges       []*LRPKeyWithDesiredUpdate
	tagChanges         []*LRPKeyWithDesiredUpdate
}

type lrpIndex struct {
	guid  string
	index int32
}

// planLRPConvergence decides one LRP convergence pass. It is pure: the
// same snapshot, cells and time always give the same plan, with every list
// sorted by process guid and index.
func planLRPConvergence(snap *lrpSnapshot, cells CellSet, now time.Time) *lrpPlan {
	p := &lrpPlan{}
	nowNano := now.UnixNano()
	freshAfter := now.Round(time.Second).UnixNano()

	// 1. Expired domains are pruned; what remains (not rounded) counts for
	// orphans, what is fresh (rounded) allows retiring extra instances.
	remaining := map[string]bool{}
	fresh := map[string]bool{}
	for d, exp := range snap.domains {
		if exp <= nowNano {
			p.pruneDomains = append(p.pruneDomains, d)
			continue
		}
		remaining[d] = true
		if exp > freshAfter {
			fresh[d] = true
		}
	}
	sort.Strings(p.pruneDomains)

	inCells := func(id string) bool { _, ok := cells[id]; return ok }
	// byKey holds each instance's rows by presence (ORDINARY, EVACUATING, SUSPECT).
	byKey := make(map[lrpIndex]*[3]*actualFacts, len(snap.actuals))
	ordinaryIndices := make(map[string][]int32, len(snap.desired))
	missingCells := map[string]bool{}

	for _, a := range snap.actuals {
		k := lrpIndex{a.key.GetProcessGuid(), a.key.GetIndex()}
		if a.presence < 0 || int(a.presence) >= 3 {
			continue
		}
		rows := byKey[k]
		if rows == nil {
			rows = &[3]*actualFacts{}
			byKey[k] = rows
		}
		rows[a.presence] = a
		if a.presence == models.ActualLRP_ORDINARY {
			ordinaryIndices[k.guid] = append(ordinaryIndices[k.guid], k.index)
		}
	}

	// 2. Evacuating rows on cells that are gone.
	for _, a := range snap.actuals {
		if a.presence == models.ActualLRP_EVACUATING && (len(cells) == 0 || !inCells(a.instanceKey.GetCellId())) {
			p.pruneEvacuating = append(p.pruneEvacuating, a)
		}
	}

	for _, a := range snap.actuals {
		if a.presence == models.ActualLRP_EVACUATING {
			continue
		}
		d := snap.desired[a.key.GetProcessGuid()]
		key := a.key
		switch a.presence {
		case models.ActualLRP_ORDINARY:
			if d == nil {
				// 6. Orphaned ordinary instances in a remaining domain.
				if remaining[key.GetDomain()] {
					p.retire = append(p.retire, key)
				}
				continue
			}
			switch a.state {
			case models.ActualLRPStateUnclaimed:
				// 3. Stale UNCLAIMED.
				if a.since < nowNano-int64(models.StaleUnclaimedActualLRPDuration) {
					p.staleUnclaimed = append(p.staleUnclaimed, key)
				}
			case models.ActualLRPStateClaimed, models.ActualLRPStateRunning:
				// 4. Missing cells.
				cell := a.instanceKey.GetCellId()
				if len(cells) == 0 || (cell != "" && !inCells(cell)) {
					missingCells[cell] = true
					if rows := byKey[lrpIndex{key.GetProcessGuid(), key.GetIndex()}]; rows != nil && rows[models.ActualLRP_SUSPECT] != nil {
						p.missingCellUnclaim = append(p.missingCellUnclaim, key)
					} else {
						p.missingCellSuspect = append(p.missingCellSuspect, key)
					}
				}
			case models.ActualLRPStateCrashed:
				// 11. Restartable CRASHED.
				crashed := &models.ActualLRP{State: a.state, Since: a.since, CrashCount: a.crashCount}
				if crashed.ShouldRestartCrash(now, models.NewDefaultRestartCalculator()) {
					p.crashedRestart = append(p.crashedRestart, key)
				}
			}
			if a.state == models.ActualLRPStateRunning && a.blobsOK {
				// 12 and 13. Drift of internal routes and metric tags.
				if d.routesOK && !sameInternalRoutes(a.internalRoutes, d.internalRoutes) {
					p.routeChanges = append(p.routeChanges, &LRPKeyWithDesiredUpdate{
						Key: key, InstanceKey: a.instanceKey, DesiredInternalRoutes: d.internalRoutes,
					})
				}
				if d.tagsOK && a.metricTagsSet &&
					!sameStringMaps(resolveMetricTags(d.metricTags, key.GetIndex(), a.instanceKey.GetInstanceGuid()), a.metricTags) {
					p.tagChanges = append(p.tagChanges, &LRPKeyWithDesiredUpdate{
						Key: key, InstanceKey: a.instanceKey, DesiredMetricTags: d.metricTags,
					})
				}
			}
		case models.ActualLRP_SUSPECT:
			if d != nil && (a.state == models.ActualLRPStateClaimed || a.state == models.ActualLRPStateRunning) {
				cell := a.instanceKey.GetCellId()
				if len(cells) == 0 || (cell != "" && !inCells(cell)) {
					missingCells[cell] = true
				}
			}
			switch a.state {
			case models.ActualLRPStateRunning:
				p.suspectRunning = append(p.suspectRunning, key)
			case models.ActualLRPStateClaimed:
				p.suspectClaimed = append(p.suspectClaimed, key)
			}
			var ord *actualFacts
			if rows := byKey[lrpIndex{key.GetProcessGuid(), key.GetIndex()}]; rows != nil {
				ord = rows[models.ActualLRP_ORDINARY]
			}
			switch {
			case d == nil && remaining[key.GetDomain()]:
				// 7. Orphaned suspect.
				p.suspectRemove = append(p.suspectRemove, key)
			case a.state == models.ActualLRPStateRunning && ord != nil && ord.state == models.ActualLRPStateRunning:
				// 8. The replacement runs: the suspect is extra.
				p.suspectRemove = append(p.suspectRemove, key)
			case len(cells) > 0 && inCells(a.instanceKey.GetCellId()):
				// 9. The suspect's cell is back.
				p.suspectPromote = append(p.suspectPromote, key)
			}
		}
	}

	// 5. Instance counts.
	for guid, d := range snap.desired {
		indices := ordinaryIndices[guid]
		if len(indices) == int(d.instances) {
			continue
		}
		have := make(map[int32]bool, len(indices))
		for _, i := range indices {
			have[i] = true
		}
		for i := int32(0); i < d.instances; i++ {
			if !have[i] {
				p.missingIndices = append(p.missingIndices, &models.ActualLRPKey{ProcessGuid: guid, Index: i, Domain: d.domain})
			}
		}
		if fresh[d.domain] {
			for _, i := range indices {
				if i >= d.instances {
					p.retire = append(p.retire, &models.ActualLRPKey{ProcessGuid: guid, Index: i, Domain: d.domain})
				}
			}
		}
	}

	for cell := range missingCells {
		p.missingCellIDs = append(p.missingCellIDs, cell)
	}
	sort.Strings(p.missingCellIDs)
	for _, l := range [][]*models.ActualLRPKey{p.staleUnclaimed, p.missingCellSuspect, p.missingCellUnclaim, p.missingIndices,
		p.retire, p.suspectRemove, p.suspectPromote, p.suspectRunning, p.suspectClaimed, p.crashedRestart} {
		sortKeys(l)
	}
	sort.Slice(p.pruneEvacuating, func(i, j int) bool { return keyLess(p.pruneEvacuating[i].key, p.pruneEvacuating[j].key) })
	sort.Slice(p.routeChanges, func(i, j int) bool { return keyLess(p.routeChanges[i].Key, p.routeChanges[j].Key) })
	sort.Slice(p.tagChanges, func(i, j int) bool { return keyLess(p.tagChanges[i].Key, p.tagChanges[j].Key) })
	return p
}

func keyLess(a, b *models.ActualLRPKey) bool {
	if a.GetProcessGuid() != b.GetProcessGuid() {
		return a.GetProcessGuid() < b.GetProcessGuid()
	}
	return a.GetIndex() < b.GetIndex()
}

func sortKeys(keys []*models.ActualLRPKey) {
	sort.Slice(keys, func(i, j int) bool { return keyLess(keys[i], keys[j]) })
}
