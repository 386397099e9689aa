package bbsdb

import (
	"context"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/proto/models"
)

// CountActualLRPsByState counts ordinary actual LRPs per state, and the
// desired LRPs with at least one CRASHED instance.
func (s *SQLDB) CountActualLRPsByState(ctx context.Context) (claimed, unclaimed, running, crashed, crashingDesired int, err error) {
	const q = `SELECT
	COALESCE(SUM(CASE WHEN state = ? THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN state = ? THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN state = ? THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN state = ? THEN 1 ELSE 0 END), 0),
	COUNT(DISTINCT CASE WHEN state = ? THEN process_guid END)
FROM actual_lrps WHERE presence = ?`
	err = s.transact(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, q,
			models.ActualLRPStateClaimed, models.ActualLRPStateUnclaimed, models.ActualLRPStateRunning,
			models.ActualLRPStateCrashed, models.ActualLRPStateCrashed, int32(models.ActualLRP_ORDINARY),
		).Scan(&claimed, &unclaimed, &running, &crashed, &crashingDesired)
	})
	return
}

// CountDesiredInstances sums the instances of every desired LRP.
func (s *SQLDB) CountDesiredInstances(ctx context.Context) (int, error) {
	var n int64
	err := s.transact(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT COALESCE(SUM(instances), 0) FROM desired_lrps").Scan(&n)
	})
	return int(n), err
}
