package bbsdb

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/proto/models"
)

// schedulingInfoColumns are read, in this order, by scanSchedulingRow.
const schedulingInfoColumns = `desired_lrps.process_guid, desired_lrps.domain, desired_lrps.log_guid,
	desired_lrps.annotation, desired_lrps.instances, desired_lrps.memory_mb, desired_lrps.disk_mb,
	desired_lrps.max_pids, desired_lrps.rootfs, desired_lrps.routes, desired_lrps.volume_placement,
	desired_lrps.modification_tag_epoch, desired_lrps.modification_tag_index, desired_lrps.placement_tags`

// schedulingRow is a desired_lrps row before decryption.
type schedulingRow struct {
	info            *models.DesiredLRPSchedulingInfo
	routes          []byte
	volumePlacement []byte
	placementTags   []byte
	runInfo         []byte
}

// scanSchedulingRow scans the scheduling columns, then extra destinations.
func scanSchedulingRow(sc scanner, extra ...any) (*schedulingRow, error) {
	var (
		key                   models.DesiredLRPKey
		res                   models.DesiredLRPResource
		annotation            *string
		instances             int32
		memory, disk, maxPids *int64
		rootfs                *string
		epoch                 string
		tagIndex              *int64
		r                     schedulingRow
	)
	dest := []any{&key.ProcessGuid, &key.Domain, &key.LogGuid, &annotation, &instances, &memory, &disk, &maxPids,
		&rootfs, &r.routes, &r.volumePlacement, &epoch, &tagIndex, &r.placementTags}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	res.MemoryMb, res.DiskMb, res.MaxPids = int32(deref(memory)), int32(deref(disk)), int32(deref(maxPids))
	if rootfs != nil {
		res.RootFs = *rootfs
	}
	r.info = &models.DesiredLRPSchedulingInfo{
		DesiredLrpKey:      &key,
		Instances:          instances,
		DesiredLrpResource: &res,
		ModificationTag:    &models.ModificationTag{Epoch: epoch, Index: uint32(deref(tagIndex))},
	}
	if annotation != nil {
		r.info.Annotation = *annotation
	}
	return &r, nil
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// decodeScheduling decrypts routes and volume placement and parses tags.
func (s *SQLDB) decodeScheduling(r *schedulingRow) error {
	routes, err := s.decodeRoutes(r.routes)
	if err != nil {
		return err
	}
	r.info.Routes = routes
	vp := &models.VolumePlacement{}
	if err := s.decodeModel(r.volumePlacement, vp); err != nil {
		return err
	}
	r.info.VolumePlacement = vp
	if len(r.placementTags) > 0 {
		var tags []string
		if err := json.Unmarshal(r.placementTags, &tags); err != nil {
			return models.NewError(models.Error_Deserialize, "could not deserialize placement tags: "+err.Error())
		}
		r.info.PlacementTags = tags
	}
	return nil
}

// decodeDesired decrypts everything and joins the desired LRP.
func (s *SQLDB) decodeDesired(r *schedulingRow) (*models.DesiredLRP, error) {
	if err := s.decodeScheduling(r); err != nil {
		return nil, err
	}
	ri := &models.DesiredLRPRunInfo{}
	if err := s.decodeModel(r.runInfo, ri); err != nil {
		return nil, err
	}
	return joinDesired(r.info, ri), nil
}

// desiredWhere builds the WHERE clause of a desired LRP filter.
func desiredWhere(filter DesiredLRPFilter, withDomain bool) (string, []any) {
	var wheres []string
	var args []any
	if withDomain && filter.Domain != "" {
		wheres, args = append(wheres, "desired_lrps.domain = ?"), append(args, filter.Domain)
	}
	if len(filter.ProcessGUIDs) > 0 {
		wheres = append(wheres, "desired_lrps.process_guid IN ("+db.Placeholders(len(filter.ProcessGUIDs))+")")
		for _, g := range filter.ProcessGUIDs {
			args = append(args, g)
		}
	}
	if len(wheres) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(wheres, " AND "), args
}

// queryDesired reads full desired LRPs inside tx; undecodable rows are
// deleted, as upstream does.
func (s *SQLDB) queryDesired(ctx context.Context, tx *db.Tx, suffix string, args ...any) ([]*models.DesiredLRP, error) {
	rows, err := tx.Query(ctx, "SELECT "+schedulingInfoColumns+", desired_lrps.run_info FROM desired_lrps"+suffix, args...)
	if err != nil {
		return nil, err
	}
	var raw []*schedulingRow
	for rows.Next() {
		var runInfo []byte
		r, err := scanSchedulingRow(rows, &runInfo)
		if err != nil {
			rows.Close()
			return nil, err
		}
		r.runInfo = runInfo
		raw = append(raw, r)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, err
	}
	rows.Close()
	out := make([]*models.DesiredLRP, len(raw))
	errs := parallelDecode(len(raw), func(i int) error {
		var err error
		out[i], err = s.decodeDesired(raw[i])
		return err
	})
	kept := out[:0]
	for i, d := range out {
		if errs[i] != nil {
			if _, err := tx.Exec(ctx, "DELETE FROM desired_lrps WHERE process_guid = ?", raw[i].info.GetDesiredLrpKey().GetProcessGuid()); err != nil {
				return nil, err
			}
			continue
		}
		kept = append(kept, d)
	}
	return kept, nil
}
