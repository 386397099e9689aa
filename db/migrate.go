package db

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"sort"
	"time"
)

// MigrationsTable records which migrations have run, per component.
const MigrationsTable = "schema_migrations"

// Migration is one versioned schema change. Up runs inside a transaction
// together with the insert recording it, so on Postgres and SQLite a
// migration either fully lands or not at all. MySQL commits DDL implicitly:
// write MySQL steps so that re-running them is harmless (CREATE TABLE IF NOT
// EXISTS, checking information_schema before ALTER).
type Migration struct {
	// Version orders migrations; by convention a Unix timestamp of when
	// the migration was written, as upstream names its migration files.
	Version int64
	// Name says what the migration does, for logs and the record.
	Name string
	// Up applies the change.
	Up func(ctx context.Context, tx *Tx) error
}

// Migrate brings component's schema up to date: it applies, in version
// order and each in its own transaction, every migration not yet recorded
// in MigrationsTable, and returns the versions it applied. It refuses to
// run (ErrSchemaTooNew) when the database records a version newer than the
// newest one given, since this code would not understand that schema.
// Concurrent Migrate calls from several processes are serialised by an
// advisory lock on MySQL and Postgres and by the write lock on SQLite.
func (d *DB) Migrate(ctx context.Context, component string, migrations []Migration) ([]int64, error) {
	sorted, err := checkMigrations(component, migrations)
	if err != nil {
		return nil, err
	}
	conn, err := d.sql.Conn(ctx)
	if err != nil {
		return nil, Translate(err)
	}
	defer conn.Close()

	unlock, err := d.advisoryLock(ctx, conn, "diego-migrate-"+component)
	if err != nil {
		return nil, err
	}
	defer unlock()

	create := fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
		component VARCHAR(64) NOT NULL,
		version BIGINT NOT NULL,
		name VARCHAR(255) NOT NULL DEFAULT '',
		applied_at BIGINT NOT NULL DEFAULT 0,
		PRIMARY KEY (component, version))`, MigrationsTable)
	if _, err := conn.ExecContext(ctx, create); err != nil {
		return nil, fmt.Errorf("creating %s: %w", MigrationsTable, Translate(err))
	}

	done, err := d.appliedVersions(ctx, conn, component)
	if err != nil {
		return nil, err
	}
	newest := int64(0)
	if len(sorted) > 0 {
		newest = sorted[len(sorted)-1].Version
	}
	for v := range done {
		if v > newest {
			return nil, fmt.Errorf("%w: %s schema is at version %d, this release knows up to %d",
				ErrSchemaTooNew, component, v, newest)
		}
	}

	var applied []int64
	for _, m := range sorted {
		if done[m.Version] {
			continue
		}
		if err := d.applyMigration(ctx, conn, component, m); err != nil {
			return applied, fmt.Errorf("migration %s %d (%s): %w", component, m.Version, m.Name, err)
		}
		applied = append(applied, m.Version)
	}
	return applied, nil
}

// SchemaVersion returns the newest migration version recorded for
// component, or 0 when none is.
func (d *DB) SchemaVersion(ctx context.Context, component string) (int64, error) {
	var v sql.NullInt64
	err := d.QueryRow(ctx, fmt.Sprintf("SELECT MAX(version) FROM %s WHERE component = ?", MigrationsTable), component).Scan(&v)
	if err != nil {
		return 0, err
	}
	return v.Int64, nil
}

func checkMigrations(component string, migrations []Migration) ([]Migration, error) {
	if component == "" || len(component) > 64 {
		return nil, fmt.Errorf("migrate: component name must be 1 to 64 characters")
	}
	sorted := append([]Migration(nil), migrations...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Version < sorted[j].Version })
	for i, m := range sorted {
		switch {
		case m.Version <= 0:
			return nil, fmt.Errorf("migrate: %s migration %q has non-positive version %d", component, m.Name, m.Version)
		case m.Up == nil:
			return nil, fmt.Errorf("migrate: %s migration %d has no Up", component, m.Version)
		case i > 0 && sorted[i-1].Version == m.Version:
			return nil, fmt.Errorf("migrate: %s has two migrations with version %d", component, m.Version)
		}
	}
	return sorted, nil
}

func (d *DB) appliedVersions(ctx context.Context, conn *sql.Conn, component string) (map[int64]bool, error) {
	rows, err := conn.QueryContext(ctx, d.flavor.Rebind(fmt.Sprintf("SELECT version FROM %s WHERE component = ?", MigrationsTable)), component)
	if err != nil {
		return nil, Translate(err)
	}
	defer rows.Close()
	done := map[int64]bool{}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, Translate(err)
		}
		done[v] = true
	}
	return done, Translate(rows.Err())
}

func (d *DB) applyMigration(ctx context.Context, conn *sql.Conn, component string, m Migration) error {
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return Translate(err)
	}
	tx := &Tx{tx: sqlTx, flavor: d.flavor}
	if err := m.Up(ctx, tx); err != nil {
		_ = sqlTx.Rollback()
		return Translate(err)
	}
	record := fmt.Sprintf("INSERT INTO %s (component, version, name, applied_at) VALUES (?, ?, ?, ?)", MigrationsTable)
	if _, err := tx.Exec(ctx, record, component, m.Version, m.Name, time.Now().Unix()); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	return Translate(sqlTx.Commit())
}

// advisoryLock takes a named, session-level lock on conn so that only one
// process migrates a component at a time. SQLite needs none: its write
// transactions are already exclusive.
func (d *DB) advisoryLock(ctx context.Context, conn *sql.Conn, name string) (func(), error) {
	switch d.flavor {
	case MySQL:
		var got sql.NullInt64
		if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 300)", name).Scan(&got); err != nil {
			return nil, fmt.Errorf("taking migration lock: %w", Translate(err))
		}
		if got.Int64 != 1 {
			return nil, fmt.Errorf("taking migration lock %s: timed out", name)
		}
		return func() { _, _ = conn.ExecContext(context.Background(), "SELECT RELEASE_LOCK(?)", name) }, nil
	case Postgres:
		h := fnv.New64a()
		_, _ = h.Write([]byte(name))
		key := int64(h.Sum64())
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
			return nil, fmt.Errorf("taking migration lock: %w", Translate(err))
		}
		return func() { _, _ = conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", key) }, nil
	}
	return func() {}, nil
}
