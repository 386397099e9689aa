package bbsdb

import (
	"context"
	"runtime"
	"strings"
	"sync"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/proto/models"
)

// actualLRPColumns are read, in this order, by scanActualRow.
const actualLRPColumns = `process_guid, instance_index, presence, domain, state, instance_guid, cell_id,
	placement_error, since, net_info, internal_routes, metric_tags, routable, availability_zone,
	modification_tag_epoch, modification_tag_index, crash_count, crash_reason`

// actualRow is one actual_lrps row before decryption.
type actualRow struct {
	lrp            *models.ActualLRP
	netInfo        []byte
	internalRoutes []byte
	metricTags     []byte
}

type scanner interface {
	Scan(dest ...any) error
}

func scanActualRow(sc scanner) (*actualRow, error) {
	var (
		key                     models.ActualLRPKey
		ik                      models.ActualLRPInstanceKey
		presence                int32
		state, placementErr, az string
		crashReason, epoch      string
		since                   int64
		tagIndex                int64
		crashCount              int32
		routable                bool
		r                       actualRow
	)
	var tagIdx *int64
	if err := sc.Scan(&key.ProcessGuid, &key.Index, &presence, &key.Domain, &state, &ik.InstanceGuid, &ik.CellId,
		&placementErr, &since, &r.netInfo, &r.internalRoutes, &r.metricTags, &routable, &az,
		&epoch, &tagIdx, &crashCount, &crashReason); err != nil {
		return nil, err
	}
	if tagIdx != nil {
		tagIndex = *tagIdx
	}
	r.lrp = &models.ActualLRP{
		ActualLrpKey:         &key,
		ActualLrpInstanceKey: &ik,
		State:                state,
		PlacementError:       placementErr,
		Since:                since,
		Presence:             models.ActualLRP_Presence(presence),
		AvailabilityZone:     az,
		ModificationTag:      &models.ModificationTag{Epoch: epoch, Index: uint32(tagIndex)},
		CrashCount:           crashCount,
		CrashReason:          crashReason,
		OptionalRoutable:     &models.ActualLRP_Routable{Routable: routable},
	}
	return &r, nil
}

// decode decrypts the row's blobs into its ActualLRP.
func (s *SQLDB) decodeActualRow(r *actualRow) error {
	net := &models.ActualLRPNetInfo{}
	if len(r.netInfo) > 0 {
		if err := s.decodeModel(r.netInfo, net); err != nil {
			return err
		}
	}
	r.lrp.ActualLrpNetInfo = net
	routes, err := s.decodeInternalRoutes(r.internalRoutes)
	if err != nil {
		return err
	}
	r.lrp.ActualLrpInternalRoutes = routes
	tags, err := s.decodeMetricTags(r.metricTags)
	if err != nil {
		return err
	}
	r.lrp.MetricTags = tags
	return nil
}

// queryActualLRPs reads the rows matching where (may be empty) inside tx,
// decrypting them in parallel. Rows that cannot be decrypted are deleted,
// as upstream does, and left out.
func (s *SQLDB) queryActualLRPs(ctx context.Context, tx *db.Tx, where string, args ...any) ([]*models.ActualLRP, error) {
	return s.queryActualLRPsLocking(ctx, tx, false, where, args...)
}

func (s *SQLDB) queryActualLRPsLocking(ctx context.Context, tx *db.Tx, lock bool, where string, args ...any) ([]*models.ActualLRP, error) {
	q := "SELECT " + actualLRPColumns + " FROM actual_lrps"
	if where != "" {
		q += " WHERE " + where
	}
	if lock {
		q += tx.Flavor().ForUpdate()
	}
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	var raw []*actualRow
	for rows.Next() {
		r, err := scanActualRow(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		raw = append(raw, r)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, err
	}
	rows.Close()

	bad := parallelDecode(len(raw), func(i int) error { return s.decodeActualRow(raw[i]) })
	out := make([]*models.ActualLRP, 0, len(raw))
	for i, r := range raw {
		if bad[i] != nil {
			k := r.lrp.GetActualLrpKey()
			if _, err := tx.Exec(ctx, "DELETE FROM actual_lrps WHERE process_guid = ? AND instance_index = ? AND presence = ?",
				k.GetProcessGuid(), k.GetIndex(), int32(r.lrp.GetPresence())); err != nil {
				return nil, err
			}
			continue
		}
		out = append(out, r.lrp)
	}
	return out, nil
}

// parallelDecode runs decode for 0..n-1 over the available CPUs and
// returns each index's error.
func parallelDecode(n int, decode func(i int) error) []error {
	errs := make([]error, n)
	workers := runtime.GOMAXPROCS(0)
	if n < 256 || workers < 2 {
		for i := 0; i < n; i++ {
			errs[i] = decode(i)
		}
		return errs
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, n)
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				errs[i] = decode(i)
			}
		}()
	}
	wg.Wait()
	return errs
}

// fetchActualLRPForUpdate locks and returns one row, or ResourceNotFound.
func (s *SQLDB) fetchActualLRPForUpdate(ctx context.Context, tx *db.Tx, processGUID string, index int32, presence models.ActualLRP_Presence) (*models.ActualLRP, error) {
	lrps, err := s.queryActualLRPsLocking(ctx, tx, true,
		"process_guid = ? AND instance_index = ? AND presence = ?", processGUID, index, int32(presence))
	if err != nil {
		return nil, err
	}
	switch len(lrps) {
	case 0:
		return nil, models.ErrResourceNotFound
	case 1:
		return lrps[0], nil
	}
	return nil, models.ErrResourceConflict
}

// setClause builds "a = ?, b = ?" and its arguments from ordered pairs.
type setClause struct {
	cols []string
	args []any
}

func (c *setClause) add(col string, v any) *setClause {
	c.cols = append(c.cols, col+" = ?")
	c.args = append(c.args, v)
	return c
}

// updateActualLRP writes the set columns of one row.
func updateActualLRP(ctx context.Context, tx *db.Tx, key *models.ActualLRPKey, presence models.ActualLRP_Presence, set *setClause) error {
	args := append(set.args, key.GetProcessGuid(), key.GetIndex(), int32(presence))
	_, err := tx.Exec(ctx, "UPDATE actual_lrps SET "+strings.Join(set.cols, ", ")+
		" WHERE process_guid = ? AND instance_index = ? AND presence = ?", args...)
	return err
}

// cloneActual deep-copies an actual LRP so before and after never share.
func cloneActual(a *models.ActualLRP) *models.ActualLRP {
	if a == nil {
		return nil
	}
	return protoClone(a)
}

func joinCols(cols []string) string { return strings.Join(cols, ", ") }

// parallel runs fn(0..n-1) on up to workers goroutines and returns the
// first error (the other calls still run).
func parallel(n, workers int, fn func(i int) error) error {
	if n == 0 {
		return nil
	}
	workers = max(1, min(workers, n))
	var (
		mu       sync.Mutex
		next     int
		firstErr error
		wg       sync.WaitGroup
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}
