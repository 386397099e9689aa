package db_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/db/dbtest"
)

func createThings(t *testing.T, d *db.DB) {
	t.Helper()
	ddl := fmt.Sprintf(`CREATE TABLE things (
		name VARCHAR(16) PRIMARY KEY,
		n BIGINT NOT NULL DEFAULT 0,
		body %s)`, d.Flavor().ColumnType("MEDIUMTEXT"))
	if _, err := d.Exec(context.Background(), ddl); err != nil {
		t.Fatalf("creating table: %v", err)
	}
}

func insertThing(ctx context.Context, tx *db.Tx, name string, n int) error {
	_, err := tx.Exec(ctx, "INSERT INTO things (name, n, body) VALUES (?, ?, ?)", name, n, "")
	return err
}

func countThings(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), "SELECT COUNT(*) FROM things").Scan(&n); err != nil {
		t.Fatalf("counting: %v", err)
	}
	return n
}

func TestErrorTranslation(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		createThings(t, d)

		err := d.Transact(ctx, func(tx *db.Tx) error {
			var n int
			return tx.QueryRow(ctx, "SELECT n FROM things WHERE name = ?", "nope").Scan(&n)
		})
		if !errors.Is(err, db.ErrNotFound) {
			t.Errorf("missing row: got %v, want ErrNotFound", err)
		}

		if err := d.Transact(ctx, func(tx *db.Tx) error { return insertThing(ctx, tx, "a", 1) }); err != nil {
			t.Fatal(err)
		}
		err = d.Transact(ctx, func(tx *db.Tx) error { return insertThing(ctx, tx, "a", 2) })
		if !errors.Is(err, db.ErrResourceExists) {
			t.Errorf("duplicate key: got %v, want ErrResourceExists", err)
		}

		_, err = d.Exec(ctx, "SELECT * FROM no_such_table")
		if !errors.Is(err, db.ErrUnrecoverable) {
			t.Errorf("missing table: got %v, want ErrUnrecoverable", err)
		}

		if d.Flavor() != db.SQLite { // SQLite does not enforce VARCHAR lengths
			_, err = d.Exec(ctx, "INSERT INTO things (name, n, body) VALUES (?, ?, ?)", strings.Repeat("x", 40), 1, "")
			if !errors.Is(err, db.ErrBadRequest) {
				t.Errorf("value too long: got %v, want ErrBadRequest", err)
			}
		}
	})
}

func TestTransactRollsBackOnError(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		createThings(t, d)
		boom := errors.New("boom")
		err := d.Transact(ctx, func(tx *db.Tx) error {
			if err := insertThing(ctx, tx, "a", 1); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("got %v, want boom", err)
		}
		if n := countThings(t, d); n != 0 {
			t.Fatalf("rolled-back insert left %d rows", n)
		}
	})
}

func TestTransactRetriesDeadlocksBounded(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		createThings(t, d)

		attempts := 0
		err := d.Transact(ctx, func(tx *db.Tx) error {
			attempts++
			if err := insertThing(ctx, tx, "a", attempts); err != nil {
				return err
			}
			if attempts < 3 {
				return fmt.Errorf("pretend: %w", db.ErrDeadlock)
			}
			return nil
		})
		if err != nil || attempts != 3 {
			t.Fatalf("got err %v after %d attempts, want success on the 3rd", err, attempts)
		}
		var n int
		if err := d.QueryRow(ctx, "SELECT n FROM things WHERE name = ?", "a").Scan(&n); err != nil || n != 3 {
			t.Fatalf("row n = %d (%v), want 3: failed attempts must roll back", n, err)
		}

		attempts = 0
		err = d.Transact(ctx, func(tx *db.Tx) error {
			attempts++
			return db.ErrDeadlock
		})
		if !errors.Is(err, db.ErrDeadlock) || attempts != db.DefaultRetry.MaxAttempts {
			t.Fatalf("persistent deadlock: got %v after %d attempts, want ErrDeadlock after %d", err, attempts, db.DefaultRetry.MaxAttempts)
		}

		attempts = 0
		_ = d.Transact(ctx, func(tx *db.Tx) error {
			attempts++
			return db.ErrResourceExists
		})
		if attempts != 1 {
			t.Fatalf("non-retryable error was attempted %d times", attempts)
		}
	})
}

// TestTransactSurvivesRealDeadlock makes two transactions lock two rows in
// opposite orders; the server picks a victim and Transact retries it.
func TestTransactSurvivesRealDeadlock(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		if d.Flavor() == db.SQLite {
			t.Skip("SQLite has a single writer: transactions cannot deadlock")
		}
		ctx := context.Background()
		createThings(t, d)
		if err := d.Transact(ctx, func(tx *db.Tx) error {
			if err := insertThing(ctx, tx, "a", 0); err != nil {
				return err
			}
			return insertThing(ctx, tx, "b", 0)
		}); err != nil {
			t.Fatal(err)
		}

		var bothLocked sync.WaitGroup
		bothLocked.Add(2)
		bump := func(first, second string) error {
			attempt := 0
			return d.Transact(ctx, func(tx *db.Tx) error {
				attempt++
				if _, err := tx.Exec(ctx, "UPDATE things SET n = n + 1 WHERE name = ?", first); err != nil {
					return err
				}
				if attempt == 1 {
					bothLocked.Done()
					bothLocked.Wait()
				}
				_, err := tx.Exec(ctx, "UPDATE things SET n = n + 1 WHERE name = ?", second)
				return err
			})
		}
		errs := make(chan error, 2)
		go func() { errs <- bump("a", "b") }()
		go func() { errs <- bump("b", "a") }()
		for i := 0; i < 2; i++ {
			if err := <-errs; err != nil {
				t.Fatalf("transaction failed despite retry: %v", err)
			}
		}
		var a, b int
		_ = d.QueryRow(ctx, "SELECT n FROM things WHERE name = 'a'").Scan(&a)
		_ = d.QueryRow(ctx, "SELECT n FROM things WHERE name = 'b'").Scan(&b)
		if a != 2 || b != 2 {
			t.Fatalf("a=%d b=%d, want 2 and 2", a, b)
		}
	})
}

// TestTransactRetriesLostConnection kills the transaction's own server
// session on the first attempt; the retry runs on a fresh connection.
func TestTransactRetriesLostConnection(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		kill := map[db.Flavor]string{
			db.MySQL:    "KILL CONNECTION_ID()",
			db.Postgres: "SELECT pg_terminate_backend(pg_backend_pid())",
		}[d.Flavor()]
		if kill == "" {
			t.Skip("an embedded SQLite database has no connection to lose")
		}
		ctx := context.Background()
		createThings(t, d)
		attempts := 0
		err := d.Transact(ctx, func(tx *db.Tx) error {
			attempts++
			if err := insertThing(ctx, tx, "a", attempts); err != nil {
				return err
			}
			if attempts == 1 {
				_, err := tx.Exec(ctx, kill)
				if err == nil {
					err = errors.New("killing the session did not fail the statement")
				}
				if !errors.Is(err, db.ErrConnection) {
					t.Errorf("killed session: got %v, want ErrConnection", err)
				}
				return err
			}
			return nil
		})
		if err != nil || attempts != 2 {
			t.Fatalf("got %v after %d attempts, want success on the 2nd", err, attempts)
		}
		if n := countThings(t, d); n != 1 {
			t.Fatalf("%d rows, want 1", n)
		}
	})
}

func TestConcurrentWriters(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		createThings(t, d)
		if err := d.Transact(ctx, func(tx *db.Tx) error { return insertThing(ctx, tx, "counter", 0) }); err != nil {
			t.Fatal(err)
		}
		const writers, each = 8, 15
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					errs <- d.Transact(ctx, func(tx *db.Tx) error {
						var n int
						if err := tx.QueryRow(ctx, "SELECT n FROM things WHERE name = ?"+tx.Flavor().ForUpdate(), "counter").Scan(&n); err != nil {
							return err
						}
						_, err := tx.Exec(ctx, "UPDATE things SET n = ? WHERE name = ?", n+1, "counter")
						return err
					})
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("concurrent writer: %v", err)
			}
		}
		var n int
		_ = d.QueryRow(ctx, "SELECT n FROM things WHERE name = 'counter'").Scan(&n)
		if n != writers*each {
			t.Fatalf("counter = %d, want %d", n, writers*each)
		}
	})
}

func TestUpsertAndInsertID(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		createThings(t, d)
		upsert := d.Flavor().Upsert("things", []string{"name"}, []string{"name", "n", "body"})
		for _, n := range []int{1, 2} {
			if _, err := d.Exec(ctx, upsert, "k", n, "v"); err != nil {
				t.Fatalf("upsert: %v", err)
			}
		}
		var n int
		if err := d.QueryRow(ctx, "SELECT n FROM things WHERE name = ?", "k").Scan(&n); err != nil || n != 2 {
			t.Fatalf("after upserts n = %d (%v), want 2", n, err)
		}

		ddl := "CREATE TABLE seq (id " + d.Flavor().AutoIncrementPrimaryKey() + ", label VARCHAR(10))"
		if _, err := d.Exec(ctx, ddl); err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for i := 0; i < 2; i++ {
			err := d.Transact(ctx, func(tx *db.Tx) error {
				id, err := tx.InsertID(ctx, "id", "INSERT INTO seq (label) VALUES (?)", "x")
				ids = append(ids, id)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if ids[0] <= 0 || ids[1] <= ids[0] {
			t.Fatalf("InsertID returned %v, want increasing positive ids", ids)
		}
	})
}

func TestGroupConcat(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		createThings(t, d)
		for i, name := range []string{"a", "b", "c"} {
			if _, err := d.Exec(ctx, "INSERT INTO things (name, n, body) VALUES (?, ?, ?)", name, i, "g"); err != nil {
				t.Fatal(err)
			}
		}
		var joined string
		var running int
		q := "SELECT " + d.Flavor().GroupConcat("n") + ", COUNT(CASE WHEN n > ? THEN 1 END) FROM things GROUP BY body"
		if err := d.QueryRow(ctx, q, 0).Scan(&joined, &running); err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(joined, ",")
		sort.Strings(parts)
		if strings.Join(parts, ",") != "0,1,2" || running != 2 {
			t.Fatalf("got %q and %d, want 0,1,2 in some order and 2", joined, running)
		}
	})
}
