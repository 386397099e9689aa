package bbsdb

import (
	"context"
	"encoding/json"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/proto/models"
)

// gatherLRPSnapshot reads domains, desired LRPs and actual LRPs in one
// transaction with three queries. Blobs are decrypted only where a decision
// needs them: desired routes and run info of LRPs with RUNNING ordinary
// instances, and those instances' internal routes and metric tags.
func (s *SQLDB) gatherLRPSnapshot(ctx context.Context) (*lrpSnapshot, error) {
	snap := &lrpSnapshot{domains: map[string]int64{}, desired: map[string]*desiredFacts{}}
	type desiredBlobs struct{ routes, runInfo []byte }
	desiredRaw := map[string]*desiredBlobs{}
	type actualBlobs struct{ routes, tags []byte }
	var actualRaw []*actualBlobs

	err := s.db.Transact(ctx, func(tx *db.Tx) error {
		snap.domains, snap.desired, snap.actuals = map[string]int64{}, map[string]*desiredFacts{}, nil
		desiredRaw, actualRaw = map[string]*desiredBlobs{}, nil

		rows, err := tx.Query(ctx, "SELECT domain, expire_time FROM domains")
		if err != nil {
			return err
		}
		for rows.Next() {
			var d string
			var exp *int64
			if err := rows.Scan(&d, &exp); err != nil {
				rows.Close()
				return err
			}
			snap.domains[d] = deref(exp)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}

		rows, err = tx.Query(ctx, "SELECT process_guid, domain, instances, routes, run_info FROM desired_lrps")
		if err != nil {
			return err
		}
		for rows.Next() {
			var guid string
			f := &desiredFacts{}
			b := &desiredBlobs{}
			if err := rows.Scan(&guid, &f.domain, &f.instances, &b.routes, &b.runInfo); err != nil {
				rows.Close()
				return err
			}
			snap.desired[guid], desiredRaw[guid] = f, b
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}

		rows, err = tx.Query(ctx, `SELECT process_guid, instance_index, presence, domain, state, instance_guid,
	cell_id, since, crash_count, internal_routes, metric_tags FROM actual_lrps`)
		if err != nil {
			return err
		}
		for rows.Next() {
			a := &actualFacts{key: &models.ActualLRPKey{}, instanceKey: &models.ActualLRPInstanceKey{}}
			b := &actualBlobs{}
			var presence int32
			var since *int64
			if err := rows.Scan(&a.key.ProcessGuid, &a.key.Index, &presence, &a.key.Domain, &a.state,
				&a.instanceKey.InstanceGuid, &a.instanceKey.CellId, &since, &a.crashCount, &b.routes, &b.tags); err != nil {
				rows.Close()
				return err
			}
			a.presence, a.since = models.ActualLRP_Presence(presence), deref(since)
			snap.actuals = append(snap.actuals, a)
			actualRaw = append(actualRaw, b)
		}
		rows.Close()
		return rows.Err()
	})
	if err != nil {
		return nil, toModelError(err)
	}

	needed := map[string]bool{}
	for _, a := range snap.actuals {
		if a.presence == models.ActualLRP_ORDINARY && a.state == models.ActualLRPStateRunning && snap.desired[a.key.GetProcessGuid()] != nil {
			needed[a.key.GetProcessGuid()] = true
		}
	}
	guids := make([]string, 0, len(needed))
	for g := range needed {
		guids = append(guids, g)
	}
	parallelDecode(len(guids), func(i int) error {
		f, b := snap.desired[guids[i]], desiredRaw[guids[i]]
		if routes, err := s.decodeRoutes(b.routes); err == nil {
			f.internalRoutes, err = desiredInternalRoutes(routes)
			f.routesOK = err == nil
		}
		ri := &models.DesiredLRPRunInfo{}
		if err := s.decodeModel(b.runInfo, ri); err == nil {
			f.metricTags, f.tagsOK = ri.GetMetricTags(), true
		}
		return nil
	})
	parallelDecode(len(snap.actuals), func(i int) error {
		a := snap.actuals[i]
		if !needed[a.key.GetProcessGuid()] || a.presence != models.ActualLRP_ORDINARY || a.state != models.ActualLRPStateRunning {
			return nil
		}
		b := actualRaw[i]
		routes, err := s.decodeInternalRoutes(b.routes)
		if err != nil {
			return nil
		}
		a.internalRoutes = routes
		if len(b.tags) > 0 {
			plain, err := s.decrypt(b.tags)
			if err != nil {
				return nil
			}
			var tags map[string]string
			if err := json.Unmarshal(plain, &tags); err != nil {
				return nil
			}
			a.metricTags, a.metricTagsSet = tags, tags != nil
		}
		a.blobsOK = true
		return nil
	})
	return snap, nil
}
