package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/godiego/diego/db/bbsdb"
	"github.com/godiego/diego/proto/models"
)

// seedBatch is how many rows one INSERT statement writes.
const seedBatch = 500

// seed writes nDesired desired LRPs of nInstances RUNNING instances each,
// spread round-robin over cellIDs. The first desired LRP and its first
// instance go through the store (so their blobs are encrypted with the
// benchmark key); every other row copies those rows' columns with its own
// keys, in multi-row INSERTs.
func seed(ctx context.Context, store *bbsdb.SQLDB, sqlDB *sql.DB, nDesired, nInstances int, cellIDs []string) error {
	if err := store.UpsertDomain(ctx, "bench", 0); err != nil {
		return err
	}
	if err := store.DesireLRP(ctx, benchDesired(0, nInstances)); err != nil {
		return err
	}
	key := &models.ActualLRPKey{ProcessGuid: processGUID(0), Index: 0, Domain: "bench"}
	if _, err := store.CreateUnclaimedActualLRP(ctx, key); err != nil {
		return err
	}
	ik := &models.ActualLRPInstanceKey{InstanceGuid: instanceGUID(0, 0), CellId: cellIDs[0]}
	if _, _, err := store.ClaimActualLRP(ctx, key.ProcessGuid, 0, ik); err != nil {
		return err
	}
	net := &models.ActualLRPNetInfo{Address: "10.0.0.1", InstanceAddress: "10.255.0.1", Ports: []*models.PortMapping{{ContainerPort: 8080, HostPort: 61000}}}
	if _, _, err := store.StartActualLRP(ctx, key, ik, net, []*models.ActualLRPInternalRoute{{Hostname: "app.apps.internal"}},
		map[string]string{"app": key.ProcessGuid}, true, "z1"); err != nil {
		return err
	}

	desiredCols, desiredTmpl, err := templateRow(ctx, sqlDB, "desired_lrps", "process_guid = ?", processGUID(0))
	if err != nil {
		return err
	}
	err = insertCopies(ctx, sqlDB, "desired_lrps", desiredCols, desiredTmpl, nDesired-1, func(i int, row []any) {
		set(desiredCols, row, "process_guid", processGUID(i+1))
		set(desiredCols, row, "log_guid", processGUID(i+1))
	})
	if err != nil {
		return fmt.Errorf("seeding desired LRPs: %w", err)
	}

	actualCols, actualTmpl, err := templateRow(ctx, sqlDB, "actual_lrps", "process_guid = ? AND instance_index = 0", processGUID(0))
	if err != nil {
		return err
	}
	err = insertCopies(ctx, sqlDB, "actual_lrps", actualCols, actualTmpl, nDesired*nInstances-1, func(i int, row []any) {
		n := i + 1
		d, index := n/nInstances, n%nInstances
		set(actualCols, row, "process_guid", processGUID(d))
		set(actualCols, row, "instance_index", index)
		set(actualCols, row, "instance_guid", instanceGUID(d, index))
		set(actualCols, row, "cell_id", cellIDs[n%len(cellIDs)])
		set(actualCols, row, "modification_tag_epoch", fmt.Sprintf("epoch-%d", n))
	})
	if err != nil {
		return fmt.Errorf("seeding actual LRPs: %w", err)
	}
	return nil
}

func processGUID(i int) string         { return fmt.Sprintf("pg-%06d", i) }
func instanceGUID(d, index int) string { return fmt.Sprintf("ig-%06d-%d", d, index) }

// templateRow reads one row's raw column values.
func templateRow(ctx context.Context, sqlDB *sql.DB, table, where string, args ...any) ([]string, []any, error) {
	rows, err := sqlDB.QueryContext(ctx, "SELECT * FROM "+table+" WHERE "+where, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, nil, err
	}
	if !rows.Next() {
		return nil, nil, fmt.Errorf("no template row in %s", table)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, nil, err
	}
	return cols, vals, rows.Err()
}

func set(cols []string, row []any, col string, v any) {
	for i, c := range cols {
		if c == col {
			row[i] = v
			return
		}
	}
	panic("no column " + col)
}

// insertCopies inserts n copies of tmpl, each changed by edit(i, row).
func insertCopies(ctx context.Context, sqlDB *sql.DB, table string, cols []string, tmpl []any, n int, edit func(i int, row []any)) error {
	rowMarks := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	batches := (n + seedBatch - 1) / seedBatch
	return parallel(batches, 4, func(b int) error {
		lo, hi := b*seedBatch, min((b+1)*seedBatch, n)
		marks := make([]string, 0, hi-lo)
		args := make([]any, 0, (hi-lo)*len(cols))
		for i := lo; i < hi; i++ {
			row := append([]any(nil), tmpl...)
			edit(i, row)
			marks = append(marks, rowMarks)
			args = append(args, row...)
		}
		_, err := sqlDB.ExecContext(ctx, "INSERT INTO "+table+" ("+strings.Join(cols, ", ")+") VALUES "+strings.Join(marks, ", "), args...)
		return err
	})
}

// benchDesired is a CF-app-like desired LRP.
func benchDesired(i, instances int) *models.DesiredLRP {
	guid := processGUID(i)
	return &models.DesiredLRP{
		ProcessGuid: guid, Domain: "bench", RootFs: "preloaded:cflinuxfs4", Instances: int32(instances),
		LogGuid: guid, MemoryMb: 256, DiskMb: 1024, MaxPids: 1024, Ports: []uint32{8080},
		Action: models.WrapAction(&models.RunAction{Path: "/home/vcap/app/start", Args: []string{"--port", "8080"}, User: "vcap",
			Env: []*models.EnvironmentVariable{{Name: "PORT", Value: "8080"}, {Name: "VCAP_APPLICATION", Value: strings.Repeat("x", 512)}}}),
		Routes: &models.ProtoRoutes{Routes: map[string][]byte{
			"cf-router":       []byte(fmt.Sprintf(`[{"hostnames":["%s.example.com"],"port":8080}]`, guid)),
			"internal-router": []byte(`[{"hostname":"app.apps.internal"}]`),
		}},
		MetricTags: map[string]*models.MetricTagValue{"app": {Static: guid}},
	}
}
