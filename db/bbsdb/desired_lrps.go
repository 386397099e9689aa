package bbsdb

import (
	"context"
	"encoding/json"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/proto/models"
)

// DesiredLRPs returns the desired LRPs matching filter.
func (s *SQLDB) DesiredLRPs(ctx context.Context, filter DesiredLRPFilter) ([]*models.DesiredLRP, error) {
	where, args := desiredWhere(filter, true)
	var out []*models.DesiredLRP
	err := s.transact(ctx, func(tx *db.Tx) error {
		var err error
		out, err = s.queryDesired(ctx, tx, where, args...)
		return err
	})
	if out == nil {
		out = []*models.DesiredLRP{}
	}
	return out, err
}

// DesiredLRPByProcessGuid returns one desired LRP or ResourceNotFound.
func (s *SQLDB) DesiredLRPByProcessGuid(ctx context.Context, processGUID string) (*models.DesiredLRP, error) {
	var out *models.DesiredLRP
	err := s.transact(ctx, func(tx *db.Tx) error {
		var err error
		out, err = s.fetchDesired(ctx, tx, processGUID, false)
		return err
	})
	return out, err
}

// fetchDesired reads (and optionally locks) one desired LRP; a record that
// cannot be decrypted is reported, not deleted.
func (s *SQLDB) fetchDesired(ctx context.Context, tx *db.Tx, processGUID string, lock bool) (*models.DesiredLRP, error) {
	q := "SELECT " + schedulingInfoColumns + ", desired_lrps.run_info FROM desired_lrps WHERE process_guid = ?"
	if lock {
		q += tx.Flavor().ForUpdate()
	}
	var runInfo []byte
	r, err := scanSchedulingRow(tx.QueryRow(ctx, q, processGUID), &runInfo)
	if err != nil {
		return nil, err
	}
	r.runInfo = runInfo
	return s.decodeDesired(r)
}

// DesiredLRPSchedulingInfos returns the scheduling infos matching filter,
// without reading the (large) run infos.
func (s *SQLDB) DesiredLRPSchedulingInfos(ctx context.Context, filter DesiredLRPFilter) ([]*models.DesiredLRPSchedulingInfo, error) {
	where, args := desiredWhere(filter, true)
	out := []*models.DesiredLRPSchedulingInfo{}
	err := s.transact(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT "+schedulingInfoColumns+" FROM desired_lrps"+where, args...)
		if err != nil {
			return err
		}
		var raw []*schedulingRow
		for rows.Next() {
			r, err := scanSchedulingRow(rows)
			if err != nil {
				rows.Close()
				return err
			}
			raw = append(raw, r)
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return err
		}
		rows.Close()
		errs := parallelDecode(len(raw), func(i int) error { return s.decodeScheduling(raw[i]) })
		out = make([]*models.DesiredLRPSchedulingInfo, 0, len(raw))
		for i, r := range raw {
			if errs[i] == nil { // upstream skips unreadable rows here
				out = append(out, r.info)
			}
		}
		return nil
	})
	return out, err
}

// DesiredLRPRoutingInfos returns desired LRPs with only the routing fields
// (process_guid, domain, log_guid, instances, routes, modification_tag,
// metric_tags). Like upstream, only the process-guid filter applies.
func (s *SQLDB) DesiredLRPRoutingInfos(ctx context.Context, filter DesiredLRPFilter) ([]*models.DesiredLRP, error) {
	where, args := desiredWhere(filter, false)
	out := []*models.DesiredLRP{}
	err := s.transact(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT process_guid, domain, log_guid, instances, routes,
	modification_tag_epoch, modification_tag_index, run_info FROM desired_lrps`+where, args...)
		if err != nil {
			return err
		}
		type raw struct {
			d               *models.DesiredLRP
			routes, runInfo []byte
		}
		var rs []*raw
		for rows.Next() {
			r := &raw{d: &models.DesiredLRP{ModificationTag: &models.ModificationTag{}}}
			var idx *int64
			if err := rows.Scan(&r.d.ProcessGuid, &r.d.Domain, &r.d.LogGuid, &r.d.Instances, &r.routes,
				&r.d.ModificationTag.Epoch, &idx, &r.runInfo); err != nil {
				rows.Close()
				return err
			}
			r.d.ModificationTag.Index = uint32(deref(idx))
			rs = append(rs, r)
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return err
		}
		rows.Close()
		errs := parallelDecode(len(rs), func(i int) error {
			routes, err := s.decodeRoutes(rs[i].routes)
			if err != nil {
				return err
			}
			ri := &models.DesiredLRPRunInfo{}
			if err := s.decodeModel(rs[i].runInfo, ri); err != nil {
				return err
			}
			rs[i].d.Routes, rs[i].d.MetricTags = routes, ri.GetMetricTags()
			return nil
		})
		for i, r := range rs {
			if errs[i] == nil {
				out = append(out, r.d)
			}
		}
		return nil
	})
	return out, err
}

// DesireLRP inserts a desired LRP with a fresh modification tag (set on
// lrp); an existing process guid is ResourceExists.
func (s *SQLDB) DesireLRP(ctx context.Context, lrp *models.DesiredLRP) error {
	_, err := s.DesireLRPStored(ctx, lrp)
	return err
}

// DesireLRPStored is DesireLRP returning the record as a read would return
// it, decoded from the very column values written (no read back).
func (s *SQLDB) DesireLRPStored(ctx context.Context, lrp *models.DesiredLRP) (*models.DesiredLRP, error) {
	guid, err := s.nextGUID()
	if err != nil {
		return nil, err
	}
	routes, err := s.encodeRoutes(lrp.GetRoutes())
	if err != nil {
		return nil, err
	}
	runInfo, err := s.encodeModel(runInfoOf(lrp, s.nowNano()))
	if err != nil {
		return nil, err
	}
	vp, err := s.encodeModel(volumePlacementOf(lrp))
	if err != nil {
		return nil, err
	}
	tags, err := json.Marshal(lrp.GetPlacementTags())
	if err != nil {
		return nil, models.ErrBadRequest
	}
	// One statement: autocommit is its transaction.
	_, err = s.db.Exec(ctx, `INSERT INTO desired_lrps (process_guid, domain, log_guid, annotation, instances,
	memory_mb, disk_mb, max_pids, rootfs, volume_placement, modification_tag_epoch, modification_tag_index,
	routes, run_info, placement_tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		lrp.GetProcessGuid(), lrp.GetDomain(), lrp.GetLogGuid(), lrp.GetAnnotation(), lrp.GetInstances(),
		lrp.GetMemoryMb(), lrp.GetDiskMb(), lrp.GetMaxPids(), lrp.GetRootFs(), vp, guid, 0,
		routes, runInfo, string(tags))
	if err = toModelError(err); err != nil {
		return nil, err
	}
	lrp.ModificationTag = &models.ModificationTag{Epoch: guid}
	row := &schedulingRow{
		info: &models.DesiredLRPSchedulingInfo{
			DesiredLrpKey:      &models.DesiredLRPKey{ProcessGuid: lrp.GetProcessGuid(), Domain: lrp.GetDomain(), LogGuid: lrp.GetLogGuid()},
			Annotation:         lrp.GetAnnotation(),
			Instances:          lrp.GetInstances(),
			DesiredLrpResource: &models.DesiredLRPResource{MemoryMb: lrp.GetMemoryMb(), DiskMb: lrp.GetDiskMb(), MaxPids: lrp.GetMaxPids(), RootFs: lrp.GetRootFs()},
			ModificationTag:    &models.ModificationTag{Epoch: guid},
		},
		routes: routes, volumePlacement: vp, placementTags: tags, runInfo: runInfo,
	}
	stored, err := s.decodeDesired(row)
	if err != nil {
		return nil, nil // committed; the caller reads it back
	}
	return stored, nil
}

// UpdateDesiredLRP applies update (instances, routes, annotation, metric
// tags), bumping the modification tag index.
func (s *SQLDB) UpdateDesiredLRP(ctx context.Context, processGUID string, update *models.DesiredLRPUpdate) (before, after *models.DesiredLRP, err error) {
	err = s.transact(ctx, func(tx *db.Tx) error {
		before, after = nil, nil
		cur, err := s.fetchDesired(ctx, tx, processGUID, true)
		if err != nil {
			return err
		}
		before = protoClone(cur)
		tag := protoClone(cur.GetModificationTag())
		if tag == nil {
			tag = &models.ModificationTag{}
		}
		tag.Index++
		cur.ModificationTag = tag
		set := (&setClause{}).add("modification_tag_index", int64(tag.Index))
		if a, ok := update.GetOptionalAnnotation().(*models.DesiredLRPUpdate_Annotation); ok {
			cur.Annotation = a.Annotation
			set.add("annotation", a.Annotation)
		}
		if n, ok := update.GetOptionalInstances().(*models.DesiredLRPUpdate_Instances); ok {
			cur.Instances = n.Instances
			set.add("instances", n.Instances)
		}
		if update.GetRoutes() != nil {
			blob, err := s.encodeRoutes(update.GetRoutes())
			if err != nil {
				return err
			}
			cur.Routes = protoClone(update.GetRoutes())
			set.add("routes", blob)
		}
		if update.GetMetricTags() != nil {
			var runBlob []byte
			if err := tx.QueryRow(ctx, "SELECT run_info FROM desired_lrps WHERE process_guid = ?", processGUID).Scan(&runBlob); err != nil {
				return err
			}
			ri := &models.DesiredLRPRunInfo{}
			if err := s.decodeModel(runBlob, ri); err != nil {
				return err
			}
			ri.MetricTags = update.GetMetricTags()
			blob, err := s.encodeModel(ri)
			if err != nil {
				return err
			}
			cur.MetricTags = ri.MetricTags
			set.add("run_info", blob)
		}
		args := append(set.args, processGUID)
		if _, err := tx.Exec(ctx, "UPDATE desired_lrps SET "+joinCols(set.cols)+" WHERE process_guid = ?", args...); err != nil {
			return err
		}
		after = cur
		return nil
	})
	return before, after, err
}

// RemoveDesiredLRP deletes the record and returns what was removed.
func (s *SQLDB) RemoveDesiredLRP(ctx context.Context, processGUID string) (*models.DesiredLRP, error) {
	var removed *models.DesiredLRP
	err := s.transact(ctx, func(tx *db.Tx) error {
		removed = nil
		cur, err := s.fetchDesired(ctx, tx, processGUID, true)
		if err != nil && !isDeserialize(err) {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM desired_lrps WHERE process_guid = ?", processGUID); err != nil {
			return err
		}
		removed = cur
		return nil
	})
	return removed, err
}

func isDeserialize(err error) bool {
	return models.ErrDeserialize.Equal(err) || models.ErrFailedToOpenEnvelope.Equal(err)
}
