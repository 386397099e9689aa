package bbsdb

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/godiego/diego/db"
)

// SchemaVersion is the newest upstream BBS migration whose schema this
// store creates and reads (1698182853_add_availability_zone_to_actual_lrps).
const SchemaVersion int64 = 1698182853

// OldestUpgradableVersion is the oldest upstream schema Migrate can bring
// forward (1529530809_add_presence_to_actual_lrp, from 2018).
const OldestUpgradableVersion int64 = 1529530809

// versionID and encryptionKeyID are the configurations rows upstream uses.
const (
	versionID       = "version"
	encryptionKeyID = "encryption_key_label"
)

// schemaVersion is the JSON upstream stores under configurations.version.
type schemaVersion struct {
	CurrentVersion int64
}

// tableDDL returns the final upstream CREATE TABLE statements for f.
func tableDDL(f db.Flavor) []string {
	t := f.ColumnType
	return []string{
		`CREATE TABLE domains(
	domain VARCHAR(255) PRIMARY KEY,
	expire_time BIGINT DEFAULT 0
)`,
		fmt.Sprintf(`CREATE TABLE desired_lrps(
	process_guid VARCHAR(255) PRIMARY KEY,
	domain VARCHAR(255) NOT NULL,
	log_guid VARCHAR(255) NOT NULL,
	annotation %[1]s,
	instances INT NOT NULL,
	memory_mb INT NOT NULL,
	disk_mb INT NOT NULL,
	rootfs VARCHAR(1024) NOT NULL DEFAULT '',
	routes %[1]s NOT NULL,
	volume_placement %[1]s NOT NULL,
	modification_tag_epoch VARCHAR(255) NOT NULL,
	modification_tag_index INT,
	run_info %[1]s NOT NULL,
	placement_tags TEXT,
	max_pids INTEGER DEFAULT 0
)`, t("LONGTEXT")),
		fmt.Sprintf(`CREATE TABLE actual_lrps(
	process_guid VARCHAR(255),
	instance_index INT,
	evacuating %[2]s DEFAULT false,
	domain VARCHAR(255) NOT NULL,
	state VARCHAR(255) NOT NULL,
	instance_guid VARCHAR(255) NOT NULL DEFAULT '',
	cell_id VARCHAR(255) NOT NULL DEFAULT '',
	placement_error VARCHAR(1024) NOT NULL DEFAULT '',
	since BIGINT DEFAULT 0,
	net_info %[1]s NOT NULL,
	modification_tag_epoch VARCHAR(255) NOT NULL,
	modification_tag_index INT,
	crash_count INT NOT NULL DEFAULT 0,
	crash_reason VARCHAR(1024) NOT NULL DEFAULT '',
	expire_time BIGINT DEFAULT 0,
	presence INT NOT NULL DEFAULT 0,
	internal_routes %[3]s,
	metric_tags %[3]s,
	routable %[2]s DEFAULT false,
	availability_zone VARCHAR(255) NOT NULL DEFAULT '',
	PRIMARY KEY(process_guid, instance_index, presence)
)`, t("LONGTEXT"), t("BOOL"), t("MEDIUMTEXT")),
		fmt.Sprintf(`CREATE TABLE tasks(
	guid VARCHAR(255) PRIMARY KEY,
	domain VARCHAR(255) NOT NULL,
	updated_at BIGINT DEFAULT 0,
	created_at BIGINT DEFAULT 0,
	first_completed_at BIGINT DEFAULT 0,
	state INT,
	cell_id VARCHAR(255) NOT NULL DEFAULT '',
	result %[1]s,
	failed %[2]s DEFAULT false,
	failure_reason VARCHAR(1024) NOT NULL DEFAULT '',
	task_definition %[1]s NOT NULL,
	rejection_count INTEGER NOT NULL DEFAULT 0,
	rejection_reason VARCHAR(1024) NOT NULL DEFAULT ''
)`, t("LONGTEXT"), t("BOOL")),
		`CREATE INDEX domains_expire_time_idx ON domains (expire_time)`,
		`CREATE INDEX desired_lrps_domain_idx ON desired_lrps (domain)`,
		`CREATE INDEX actual_lrps_domain_idx ON actual_lrps (domain)`,
		`CREATE INDEX actual_lrps_cell_id_idx ON actual_lrps (cell_id)`,
		`CREATE INDEX actual_lrps_since_idx ON actual_lrps (since)`,
		`CREATE INDEX actual_lrps_state_idx ON actual_lrps (state)`,
		`CREATE INDEX actual_lrps_expire_time_idx ON actual_lrps (expire_time)`,
		`CREATE INDEX tasks_domain_idx ON tasks (domain)`,
		`CREATE INDEX tasks_state_idx ON tasks (state)`,
		`CREATE INDEX tasks_cell_id_idx ON tasks (cell_id)`,
		`CREATE INDEX tasks_updated_at_idx ON tasks (updated_at)`,
		`CREATE INDEX tasks_created_at_idx ON tasks (created_at)`,
		`CREATE INDEX tasks_first_completed_at_idx ON tasks (first_completed_at)`,
	}
}

// upgradeStep is one upstream migration after OldestUpgradableVersion.
type upgradeStep struct {
	version int64
	ddl     func(f db.Flavor) []string
}

// upgradeSteps replays upstream's later migrations on an older schema.
var upgradeSteps = []upgradeStep{
	{1643660541, func(f db.Flavor) []string {
		return []string{"ALTER TABLE actual_lrps ADD COLUMN internal_routes " + f.ColumnType("MEDIUMTEXT")}
	}},
	{1674146125, func(f db.Flavor) []string {
		if f != db.MySQL {
			return nil
		}
		return []string{
			"ALTER TABLE desired_lrps MODIFY annotation LONGTEXT, MODIFY routes LONGTEXT NOT NULL, MODIFY volume_placement LONGTEXT NOT NULL, MODIFY run_info LONGTEXT NOT NULL",
			"ALTER TABLE actual_lrps MODIFY net_info LONGTEXT NOT NULL",
		}
	}},
	{1676360874, func(f db.Flavor) []string {
		return []string{"ALTER TABLE actual_lrps ADD COLUMN metric_tags " + f.ColumnType("MEDIUMTEXT")}
	}},
	{1686692176, func(f db.Flavor) []string {
		return []string{
			"ALTER TABLE actual_lrps ADD COLUMN routable " + f.ColumnType("BOOL") + " DEFAULT false",
			"UPDATE actual_lrps SET routable = true WHERE state = 'RUNNING'",
		}
	}},
	{1698182853, func(f db.Flavor) []string {
		return []string{"ALTER TABLE actual_lrps ADD COLUMN availability_zone VARCHAR(255) NOT NULL DEFAULT ''"}
	}},
}

// Migrate brings the database to SchemaVersion. A database without a
// version row gets the final schema (any BBS tables left over are dropped,
// as upstream's first migration does); an upstream database at or after
// OldestUpgradableVersion is upgraded step by step; a database newer than
// SchemaVersion is refused with db.ErrSchemaTooNew.
func (s *SQLDB) Migrate(ctx context.Context) error {
	f := s.db.Flavor()
	if _, err := s.db.Exec(ctx, `CREATE TABLE IF NOT EXISTS configurations(
	id VARCHAR(255) PRIMARY KEY,
	value VARCHAR(255)
)`); err != nil {
		return toModelError(fmt.Errorf("creating configurations table: %w", err))
	}
	current, err := s.schemaVersion(ctx)
	if err != nil {
		return toModelError(err)
	}
	switch {
	case current > SchemaVersion:
		return fmt.Errorf("%w: database is at version %d, newest known is %d", db.ErrSchemaTooNew, current, SchemaVersion)
	case current == SchemaVersion:
		return nil
	case current == 0:
		return toModelError(s.createSchema(ctx, f))
	case current < OldestUpgradableVersion:
		return fmt.Errorf("bbs database schema version %d is too old to upgrade (oldest supported: %d); upgrade through an upstream BBS release first", current, OldestUpgradableVersion)
	}
	for _, step := range upgradeSteps {
		if step.version <= current {
			continue
		}
		err := s.db.Transact(ctx, func(tx *db.Tx) error {
			for _, stmt := range step.ddl(f) {
				if _, err := tx.Exec(ctx, stmt); err != nil {
					return fmt.Errorf("migration %d: %w", step.version, err)
				}
			}
			return setSchemaVersion(ctx, tx, step.version)
		})
		if err != nil {
			return toModelError(err)
		}
	}
	return nil
}

func (s *SQLDB) createSchema(ctx context.Context, f db.Flavor) error {
	return s.db.Transact(ctx, func(tx *db.Tx) error {
		for _, table := range []string{"domains", "desired_lrps", "actual_lrps", "tasks"} {
			if _, err := tx.Exec(ctx, "DROP TABLE IF EXISTS "+table); err != nil {
				return err
			}
		}
		for _, stmt := range tableDDL(f) {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("creating schema: %w: %s", err, strings.SplitN(stmt, "\n", 2)[0])
			}
		}
		return setSchemaVersion(ctx, tx, SchemaVersion)
	})
}

// schemaVersion reads configurations.version; 0 when absent.
func (s *SQLDB) schemaVersion(ctx context.Context) (int64, error) {
	var raw string
	err := s.db.QueryRow(ctx, "SELECT value FROM configurations WHERE id = ?", versionID).Scan(&raw)
	if db.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var v schemaVersion
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return 0, fmt.Errorf("configurations.version %q: %w", raw, err)
	}
	return v.CurrentVersion, nil
}

func setSchemaVersion(ctx context.Context, tx *db.Tx, v int64) error {
	raw, _ := json.Marshal(schemaVersion{CurrentVersion: v})
	return setConfiguration(ctx, tx, versionID, string(raw))
}

func setConfiguration(ctx context.Context, tx *db.Tx, id, value string) error {
	_, err := tx.Exec(ctx, tx.Flavor().Upsert("configurations", []string{"id"}, []string{"id", "value"}), id, value)
	return err
}
