package db_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/godiego/diego/db"
)

// A store built on package db: migrations for its schema, writes in
// Transact (retried on deadlocks), and sentinel errors.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "db-example")
	defer os.RemoveAll(dir)

	d, err := db.Open(ctx, db.Config{Driver: "sqlite", DSN: filepath.Join(dir, "example.db")})
	if err != nil {
		panic(err)
	}
	defer d.Close()

	migrations := []db.Migration{{Version: 1, Name: "create domains", Up: func(ctx context.Context, tx *db.Tx) error {
		_, err := tx.Exec(ctx, "CREATE TABLE IF NOT EXISTS domains (domain VARCHAR(255) PRIMARY KEY, expire_time BIGINT DEFAULT 0, data "+
			tx.Flavor().ColumnType("MEDIUMTEXT")+")")
		return err
	}}}
	if _, err := d.Migrate(ctx, "example", migrations); err != nil {
		panic(err)
	}

	upsert := d.Flavor().Upsert("domains", []string{"domain"}, []string{"domain", "expire_time"})
	err = d.Transact(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, upsert, "cf-apps", 100)
		return err
	})
	fmt.Println("upsert:", err)

	err = d.Transact(ctx, func(tx *db.Tx) error {
		var expires int64
		return tx.QueryRow(ctx, "SELECT expire_time FROM domains WHERE domain = ?"+tx.Flavor().ForUpdate(), "nope").Scan(&expires)
	})
	fmt.Println("missing row is ErrNotFound:", errors.Is(err, db.ErrNotFound))

	_, err = d.Exec(ctx, "INSERT INTO domains (domain) VALUES (?)", "cf-apps")
	fmt.Println("duplicate is ErrResourceExists:", errors.Is(err, db.ErrResourceExists))
	// Output:
	// upsert: <nil>
	// missing row is ErrNotFound: true
	// duplicate is ErrResourceExists: true
}
