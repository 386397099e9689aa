package bbsdb

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/proto/models"
)

// convergenceCache keeps the decrypted blobs convergence compares (desired
// internal routes and metric tags; instances' internal routes and metric
// tags) from one pass to the next, keyed by modification tag: every change
// to those columns bumps the row's tag, so an unchanged tag means unchanged
// content and a steady-state pass reads no blobs at all.
type convergenceCache struct {
	mu      sync.Mutex
	desired map[desiredTag]*desiredFacts
	actual  map[tagKey]*actualBlobFacts
}

// tagKey is a row's modification tag.
type tagKey struct {
	epoch string
	index int64
}

// desiredTag is a desired LRP at one modification tag.
type desiredTag struct {
	guid string
	tag  tagKey
}

// actualBlobFacts is the decrypted content of an instance's blobs.
type actualBlobFacts struct {
	internalRoutes []*models.ActualLRPInternalRoute
	metricTags     map[string]string
	metricTagsSet  bool
}

// snapshotRow remembers which cached facts an actual row needs.
type snapshotRow struct {
	facts *actualFacts
	tag   tagKey
}

// gatherLRPSnapshot reads domains, desired LRPs and actual LRPs without
// their blobs in one transaction (three queries), then fetches, in
// batches, the blobs of RUNNING ordinary instances and their desired LRPs
// that the cache does not hold yet.
func (s *SQLDB) gatherLRPSnapshot(ctx context.Context) (*lrpSnapshot, error) {
	snap := &lrpSnapshot{}
	desiredTags := map[string]tagKey{}
	var rows []snapshotRow
	err := s.db.Transact(ctx, func(tx *db.Tx) error {
		snap.domains, snap.desired, snap.actuals, rows = map[string]int64{}, map[string]*desiredFacts{}, nil, nil
		desiredTags = map[string]tagKey{}
		if err := queryDomainExpiries(ctx, tx, snap.domains); err != nil {
			return err
		}
		if err := queryEach(ctx, tx, "SELECT process_guid, domain, instances, modification_tag_epoch, modification_tag_index FROM desired_lrps", func(sc scanner) error {
			var guid string
			var tag tagKey
			var idx *int64
			f := &desiredFacts{}
			if err := sc.Scan(&guid, &f.domain, &f.instances, &tag.epoch, &idx); err != nil {
				return err
			}
			tag.index = deref(idx)
			snap.desired[guid], desiredTags[guid] = f, tag
			return nil
		}); err != nil {
			return err
		}
		return queryEach(ctx, tx, `SELECT process_guid, instance_index, presence, domain, state, instance_guid, cell_id,
	since, crash_count, modification_tag_epoch, modification_tag_index FROM actual_lrps`, func(sc scanner) error {
			a := &actualFacts{key: &models.ActualLRPKey{}, instanceKey: &models.ActualLRPInstanceKey{}}
			var presence int32
			var since, idx *int64
			var tag tagKey
			if err := sc.Scan(&a.key.ProcessGuid, &a.key.Index, &presence, &a.key.Domain, &a.state,
				&a.instanceKey.InstanceGuid, &a.instanceKey.CellId, &since, &a.crashCount, &tag.epoch, &idx); err != nil {
				return err
			}
			a.presence, a.since, tag.index = models.ActualLRP_Presence(presence), deref(since), deref(idx)
			snap.actuals = append(snap.actuals, a)
			rows = append(rows, snapshotRow{a, tag})
			return nil
		})
	})
	if err != nil {
		return nil, toModelError(err)
	}
	if err := s.fillBlobFacts(ctx, snap, desiredTags, rows); err != nil {
		return nil, err
	}
	return snap, nil
}

// fillBlobFacts sets the routes and metric tags the planner compares, from
// the cache or from the database, and leaves the cache holding exactly
// what this snapshot used.
func (s *SQLDB) fillBlobFacts(ctx context.Context, snap *lrpSnapshot, desiredTags map[string]tagKey, rows []snapshotRow) error {
	c := s.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	nextDesired := make(map[desiredTag]*desiredFacts, len(c.desired))
	nextActual := make(map[tagKey]*actualBlobFacts, len(c.actual))

	needed := make(map[string]bool, len(snap.desired))
	missingActualSet := map[string]bool{}
	var missingActual []string
	for _, r := range rows {
		a := r.facts
		if a.presence != models.ActualLRP_ORDINARY || a.state != models.ActualLRPStateRunning || snap.desired[a.key.GetProcessGuid()] == nil {
			continue
		}
		needed[a.key.GetProcessGuid()] = true
		if c.actual[r.tag] == nil && !missingActualSet[a.key.GetProcessGuid()] {
			missingActualSet[a.key.GetProcessGuid()] = true
			missingActual = append(missingActual, a.key.GetProcessGuid())
		}
	}
	var missingDesired []string
	for guid := range needed {
		dt := desiredTag{guid, desiredTags[guid]}
		if cached := c.desired[dt]; cached != nil {
			nextDesired[dt] = cached
		} else {
			missingDesired = append(missingDesired, guid)
		}
	}

	if err := s.fetchDesiredBlobs(ctx, missingDesired, nextDesired); err != nil {
		return err
	}
	if err := s.fetchActualBlobs(ctx, missingActual, nextActual); err != nil {
		return err
	}

	for guid := range needed {
		f, ok := nextDesired[desiredTag{guid, desiredTags[guid]}]
		if !ok {
			continue // changed or vanished between the queries: next pass
		}
		d := snap.desired[guid]
		d.internalRoutes, d.routesOK, d.metricTags, d.tagsOK = f.internalRoutes, f.routesOK, f.metricTags, f.tagsOK
	}
	for _, r := range rows {
		a := r.facts
		if !needed[a.key.GetProcessGuid()] || a.presence != models.ActualLRP_ORDINARY || a.state != models.ActualLRPStateRunning {
			continue
		}
		b := nextActual[r.tag]
		if b == nil {
			b = c.actual[r.tag]
		}
		if b == nil {
			continue // unreadable, or changed meanwhile: blobsOK stays false
		}
		nextActual[r.tag] = b
		a.internalRoutes, a.metricTags, a.metricTagsSet, a.blobsOK = b.internalRoutes, b.metricTags, b.metricTagsSet, true
	}
	c.desired, c.actual = nextDesired, nextActual
	return nil
}

// fetchDesiredBlobs reads and decodes the routes and run info of guids.
func (s *SQLDB) fetchDesiredBlobs(ctx context.Context, guids []string, into map[desiredTag]*desiredFacts) error {
	type raw struct {
		dt              desiredTag
		routes, runInfo []byte
	}
	for lo := 0; lo < len(guids); lo += schedulingInfoBatch {
		batch := guids[lo:min(lo+schedulingInfoBatch, len(guids))]
		var rs []*raw
		err := s.transact(ctx, func(tx *db.Tx) error {
			rs = nil
			return queryEach(ctx, tx, `SELECT process_guid, modification_tag_epoch, modification_tag_index, routes, run_info
	FROM desired_lrps WHERE process_guid IN (`+db.Placeholders(len(batch))+")", func(sc scanner) error {
				r := &raw{}
				var idx *int64
				if err := sc.Scan(&r.dt.guid, &r.dt.tag.epoch, &idx, &r.routes, &r.runInfo); err != nil {
					return err
				}
				r.dt.tag.index = deref(idx)
				rs = append(rs, r)
				return nil
			}, anySlice(batch)...)
		})
		if err != nil {
			return err
		}
		facts := make([]*desiredFacts, len(rs))
		parallelDecode(len(rs), func(i int) error {
			f := &desiredFacts{}
			if routes, err := s.decodeRoutes(rs[i].routes); err == nil {
				f.internalRoutes, err = desiredInternalRoutes(routes)
				f.routesOK = err == nil
			}
			ri := &models.DesiredLRPRunInfo{}
			if err := s.decodeModel(rs[i].runInfo, ri); err == nil {
				f.metricTags, f.tagsOK = ri.GetMetricTags(), true
			}
			facts[i] = f
			return nil
		})
		for i, r := range rs {
			into[r.dt] = facts[i]
		}
	}
	return nil
}

// fetchActualBlobs reads and decodes the internal routes and metric tags of
// the RUNNING ordinary instances of guids.
func (s *SQLDB) fetchActualBlobs(ctx context.Context, guids []string, into map[tagKey]*actualBlobFacts) error {
	type raw struct {
		tag          tagKey
		routes, tags []byte
	}
	for lo := 0; lo < len(guids); lo += schedulingInfoBatch {
		batch := guids[lo:min(lo+schedulingInfoBatch, len(guids))]
		var rs []*raw
		args := append([]any{int32(models.ActualLRP_ORDINARY), models.ActualLRPStateRunning}, anySlice(batch)...)
		err := s.transact(ctx, func(tx *db.Tx) error {
			rs = nil
			return queryEach(ctx, tx, `SELECT modification_tag_epoch, modification_tag_index, internal_routes, metric_tags
	FROM actual_lrps WHERE presence = ? AND state = ? AND process_guid IN (`+db.Placeholders(len(batch))+")", func(sc scanner) error {
				r := &raw{}
				var idx *int64
				if err := sc.Scan(&r.tag.epoch, &idx, &r.routes, &r.tags); err != nil {
					return err
				}
				r.tag.index = deref(idx)
				rs = append(rs, r)
				return nil
			}, args...)
		})
		if err != nil {
			return err
		}
		facts := make([]*actualBlobFacts, len(rs))
		parallelDecode(len(rs), func(i int) error {
			routes, err := s.decodeInternalRoutes(rs[i].routes)
			if err != nil {
				return nil
			}
			b := &actualBlobFacts{internalRoutes: routes}
			if len(rs[i].tags) > 0 {
				plain, err := s.decrypt(rs[i].tags)
				if err != nil {
					return nil
				}
				if err := json.Unmarshal(plain, &b.metricTags); err != nil {
					return nil
				}
				b.metricTagsSet = b.metricTags != nil
			}
			facts[i] = b
			return nil
		})
		for i, r := range rs {
			if facts[i] != nil {
				into[r.tag] = facts[i]
			}
		}
	}
	return nil
}

// queryEach runs q and calls row for every result row.
func queryEach(ctx context.Context, tx *db.Tx, q string, row func(scanner) error, args ...any) error {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// queryDomainExpiries reads every domain row's expire_time into into.
func queryDomainExpiries(ctx context.Context, tx *db.Tx, into map[string]int64) error {
	return queryEach(ctx, tx, "SELECT domain, expire_time FROM domains", func(sc scanner) error {
		var d string
		var exp *int64
		if err := sc.Scan(&d, &exp); err != nil {
			return err
		}
		into[d] = deref(exp)
		return nil
	})
}

// convergeLRPsWithRows is ConvergeLRPs with the desired and actual row
// facts supplied by the caller (the read index) instead of read from the
// database; domains and blobs (through the cache) still come from it.
// rows' facts are filled in and must not be shared.
func (s *SQLDB) convergeLRPsWithRows(ctx context.Context, cells CellSet, desired map[string]*desiredFacts,
	desiredTags map[string]tagKey, rows []snapshotRow) (LRPConvergenceResult, error) {
	now := s.clock.Now()
	snap := &lrpSnapshot{domains: map[string]int64{}, desired: desired, actuals: make([]*actualFacts, len(rows))}
	if err := s.transact(ctx, func(tx *db.Tx) error { return queryDomainExpiries(ctx, tx, snap.domains) }); err != nil {
		return LRPConvergenceResult{}, err
	}
	for i, r := range rows {
		snap.actuals[i] = r.facts
	}
	if err := s.fillBlobFacts(ctx, snap, desiredTags, rows); err != nil {
		return LRPConvergenceResult{}, err
	}
	return s.applyLRPPlan(ctx, planLRPConvergence(snap, cells, now), cells)
}

// primeConvergenceCache fills the blob cache from records already decoded
// (the read index's load), so the first convergence pass after a start
// need not fetch and decrypt every blob again. Instances whose metric tags
// are empty are left out: the decoded record cannot tell an empty object
// from a NULL or `null` column, which convergence treats differently.
func (s *SQLDB) primeConvergenceCache(desired []*models.DesiredLRP, actual []*models.ActualLRP) {
	c := s.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.desired == nil {
		c.desired = make(map[desiredTag]*desiredFacts, len(desired))
	}
	if c.actual == nil {
		c.actual = make(map[tagKey]*actualBlobFacts, len(actual))
	}
	for _, d := range desired {
		f := &desiredFacts{metricTags: d.GetMetricTags(), tagsOK: true}
		if routes, err := desiredInternalRoutes(d.GetRoutes()); err == nil {
			f.internalRoutes, f.routesOK = routes, true
		}
		tag := tagKey{epoch: d.GetModificationTag().GetEpoch(), index: int64(d.GetModificationTag().GetIndex())}
		c.desired[desiredTag{guid: d.GetProcessGuid(), tag: tag}] = f
	}
	for _, a := range actual {
		if a.GetPresence() != models.ActualLRP_ORDINARY || a.GetState() != models.ActualLRPStateRunning || len(a.GetMetricTags()) == 0 {
			continue
		}
		routes := a.GetActualLrpInternalRoutes()
		if routes == nil {
			routes = []*models.ActualLRPInternalRoute{}
		}
		tag := tagKey{epoch: a.GetModificationTag().GetEpoch(), index: int64(a.GetModificationTag().GetIndex())}
		c.actual[tag] = &actualBlobFacts{internalRoutes: routes, metricTags: a.GetMetricTags(), metricTagsSet: true}
	}
}
