// Package db is the SQL layer every Diego store in this tree is built on:
// one API over MySQL, PostgreSQL and embedded SQLite. It owns opening and
// pooling connections (with upstream's TLS options), the Flavor differences
// between dialects, transactions with retry on deadlocks and lost
// connections, translation of driver errors into sentinels, and versioned
// schema migrations. It knows nothing about the tables built on it (see
// db/locketdb and db/bbsdb).
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Config says which database to open and how to pool connections. Its
// fields mirror upstream's daemon config keys, noted beside each.
type Config struct {
	// Driver is `database_driver`: "mysql", "postgres" or "sqlite".
	Driver string
	// DSN is `database_connection_string`. For SQLite it is a file path,
	// or ":memory:" for a private in-memory database.
	DSN string
	// CACertFile is `sql_ca_cert_file`. When set, MySQL and Postgres
	// connections use TLS and the server certificate must chain to it.
	CACertFile string
	// VerifyIdentity is `sql_enable_identity_verification`: also check the
	// server's host name. Without it only the chain is verified.
	VerifyIdentity bool
	// MaxOpenConns is `max_open_database_connections` (0: unlimited).
	MaxOpenConns int
	// MaxIdleConns is `max_idle_database_connections` (0: MaxOpenConns, as
	// upstream's locket and bbs set it).
	MaxIdleConns int
	// ConnMaxLifetime is `max_database_connection_lifetime` (0: forever).
	ConnMaxLifetime time.Duration
	// Retry bounds how Transact retries; the zero value means DefaultRetry.
	Retry RetryPolicy
	// OnRetry, when set, is told about every attempt Transact retries, so
	// the caller can log or count it.
	OnRetry func(attempt int, err error)
}

// DB is an open connection pool of one Flavor.
type DB struct {
	sql     *sql.DB
	read    *sql.DB // reads outside transactions; == sql except on file-backed SQLite
	flavor  Flavor
	retry   RetryPolicy
	onRetry func(int, error)
}

// Open opens and pings the database named by cfg. For SQLite it enables
// WAL, a busy timeout and foreign keys off, and keeps a single writing
// connection so that writers queue in the pool instead of failing with
// SQLITE_BUSY; Query and QueryRow outside transactions use a separate pool
// of read-only connections, which WAL lets run beside the writer.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	flavor, err := ParseFlavor(cfg.Driver)
	if err != nil {
		return nil, err
	}
	var pool, readPool *sql.DB
	switch flavor {
	case MySQL:
		pool, err = openMySQL(cfg)
	case Postgres:
		pool, err = openPostgres(cfg)
	case SQLite:
		pool, readPool, err = openSQLite(cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("opening %s database: %w", flavor, err)
	}
	if flavor != SQLite {
		pool.SetMaxOpenConns(cfg.MaxOpenConns)
		idle := cfg.MaxIdleConns
		if idle == 0 {
			idle = cfg.MaxOpenConns
		}
		if idle == 0 {
			idle = 2
		}
		pool.SetMaxIdleConns(idle)
		pool.SetConnMaxLifetime(cfg.ConnMaxLifetime)
	}
	if readPool == nil {
		readPool = pool
	}
	d := &DB{sql: pool, read: readPool, flavor: flavor, retry: cfg.Retry.orDefault(), onRetry: cfg.OnRetry}
	if err := d.Ping(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("connecting to %s database: %w", flavor, err)
	}
	return d, nil
}

// Flavor returns the dialect of this database.
func (d *DB) Flavor() Flavor { return d.flavor }

// SQL returns the underlying pool, for stats and the rare statement that
// needs it directly. On SQLite the pool has one connection: do not hold one
// from it while inside Transact.
func (d *DB) SQL() *sql.DB { return d.sql }

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.sql.PingContext(ctx); err != nil {
		return Translate(err)
	}
	return Translate(d.read.PingContext(ctx))
}

// Close closes the pools.
func (d *DB) Close() error {
	err := d.sql.Close()
	if d.read != d.sql {
		err = errors.Join(err, d.read.Close())
	}
	return err
}

// Exec runs one statement outside a transaction (Rebind applied, errors
// translated).
func (d *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := d.sql.ExecContext(ctx, d.flavor.Rebind(query), args...)
	return res, Translate(err)
}

// Query runs a read-only query outside a transaction.
func (d *DB) Query(ctx context.Context, query string, args ...any) (*Rows, error) {
	rows, err := d.read.QueryContext(ctx, d.flavor.Rebind(query), args...)
	if err != nil {
		return nil, Translate(err)
	}
	return &Rows{Rows: rows}, nil
}

// QueryRow runs a read-only query expected to return at most one row,
// outside a transaction.
func (d *DB) QueryRow(ctx context.Context, query string, args ...any) *Row {
	return &Row{row: d.read.QueryRowContext(ctx, d.flavor.Rebind(query), args...)}
}

// Row is one result row; Scan reports ErrNotFound when there was none.
type Row struct {
	row *sql.Row
}

// Scan copies the row's columns into dest.
func (r *Row) Scan(dest ...any) error { return Translate(r.row.Scan(dest...)) }

// Err reports an error from running the query, without scanning.
func (r *Row) Err() error { return Translate(r.row.Err()) }

// Rows is a result set whose errors are translated.
type Rows struct {
	*sql.Rows
}

// Err reports the error, if any, that ended iteration.
func (r *Rows) Err() error { return Translate(r.Rows.Err()) }

// Scan copies the current row's columns into dest.
func (r *Rows) Scan(dest ...any) error { return Translate(r.Rows.Scan(dest...)) }

// IsNotFound is errors.Is(err, ErrNotFound), for brevity at call sites.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
