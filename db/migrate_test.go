package db_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/db/dbtest"
)

func exec(stmt string) func(context.Context, *db.Tx) error {
	return func(ctx context.Context, tx *db.Tx) error {
		_, err := tx.Exec(ctx, stmt)
		return err
	}
}

var testMigrations = []db.Migration{
	{Version: 20, Name: "add column", Up: exec("ALTER TABLE widgets ADD COLUMN colour VARCHAR(20) DEFAULT ''")},
	{Version: 10, Name: "create widgets", Up: exec("CREATE TABLE IF NOT EXISTS widgets (id VARCHAR(20) PRIMARY KEY)")},
}

func TestMigrateAppliesInOrderOnce(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		applied, err := d.Migrate(ctx, "test", testMigrations)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 2 || applied[0] != 10 || applied[1] != 20 {
			t.Fatalf("applied %v, want [10 20]", applied)
		}
		if _, err := d.Exec(ctx, "INSERT INTO widgets (id, colour) VALUES (?, ?)", "w", "red"); err != nil {
			t.Fatalf("migrated schema unusable: %v", err)
		}
		applied, err = d.Migrate(ctx, "test", testMigrations)
		if err != nil || len(applied) != 0 {
			t.Fatalf("second run applied %v (%v), want nothing", applied, err)
		}
		if v, err := d.SchemaVersion(ctx, "test"); err != nil || v != 20 {
			t.Fatalf("SchemaVersion = %d (%v), want 20", v, err)
		}
		if v, err := d.SchemaVersion(ctx, "other"); err != nil || v != 0 {
			t.Fatalf("SchemaVersion(other) = %d (%v), want 0", v, err)
		}
	})
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.Migrate(ctx, "test", testMigrations); err != nil {
			t.Fatal(err)
		}
		_, err := d.Migrate(ctx, "test", testMigrations[1:]) // an older release knows only version 10
		if !errors.Is(err, db.ErrSchemaTooNew) {
			t.Fatalf("got %v, want ErrSchemaTooNew", err)
		}
	})
}

func TestMigrateFailureIsNotRecorded(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.Migrate(ctx, "test", testMigrations); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		failing := append(testMigrations, db.Migration{Version: 30, Name: "half done", Up: func(ctx context.Context, tx *db.Tx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO widgets (id) VALUES ('half')"); err != nil {
				return err
			}
			return boom
		}})
		if _, err := d.Migrate(ctx, "test", failing); !errors.Is(err, boom) {
			t.Fatalf("got %v, want boom", err)
		}
		var n int
		_ = d.QueryRow(ctx, "SELECT COUNT(*) FROM widgets").Scan(&n)
		if v, _ := d.SchemaVersion(ctx, "test"); v != 20 || n != 0 {
			t.Fatalf("after a failed migration: version %d, %d rows; want 20 and 0", v, n)
		}
	})
}

func TestMigrateConcurrently(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for i := 0; i < 3; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				applied, err := d.Migrate(ctx, "test", testMigrations)
				if err != nil {
					t.Errorf("concurrent migrate: %v", err)
				}
				mu.Lock()
				total += len(applied)
				mu.Unlock()
			}()
		}
		wg.Wait()
		if total != 2 {
			t.Fatalf("migrations applied %d times in total, want 2", total)
		}
	})
}

func TestMigrateRejectsBadSets(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	bad := [][]db.Migration{
		{{Version: 0, Name: "zero", Up: exec("SELECT 1")}},
		{{Version: 1, Name: "nil up"}},
		{{Version: 1, Name: "a", Up: exec("SELECT 1")}, {Version: 1, Name: "b", Up: exec("SELECT 1")}},
	}
	for _, set := range bad {
		if _, err := d.Migrate(context.Background(), "test", set); err == nil {
			t.Errorf("Migrate accepted %+v", set)
		}
	}
}
