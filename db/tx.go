package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// RetryPolicy bounds how Transact re-runs a transaction that failed with
// ErrDeadlock or ErrConnection.
type RetryPolicy struct {
	// MaxAttempts counts the first attempt too (upstream uses 3).
	MaxAttempts int
	// InitialBackoff is the wait before the second attempt; it doubles
	// each time, with jitter, up to MaxBackoff.
	InitialBackoff time.Duration
	MaxBackoff     time.Duration
}

// DefaultRetry is used when Config.Retry is zero.
var DefaultRetry = RetryPolicy{MaxAttempts: 3, InitialBackoff: 50 * time.Millisecond, MaxBackoff: time.Second}

func (p RetryPolicy) orDefault() RetryPolicy {
	if p.MaxAttempts <= 0 {
		return DefaultRetry
	}
	if p.MaxBackoff < p.InitialBackoff {
		p.MaxBackoff = p.InitialBackoff
	}
	return p
}

// backoff is the wait after failed attempt n (1-based): exponential with
// up to 50% jitter so that two losers of the same deadlock do not collide
// again in lockstep.
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.InitialBackoff
	for i := 1; i < n && d < p.MaxBackoff; i++ {
		d *= 2
	}
	if d > p.MaxBackoff {
		d = p.MaxBackoff
	}
	if d <= 0 {
		return 0
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// Tx is a transaction. Its methods rebind placeholders for the flavor and
// translate errors.
type Tx struct {
	tx     *sql.Tx
	flavor Flavor
}

// Flavor returns the dialect of the transaction's database.
func (t *Tx) Flavor() Flavor { return t.flavor }

// Exec runs one statement.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := t.tx.ExecContext(ctx, t.flavor.Rebind(query), args...)
	return res, Translate(err)
}

// Query runs a query returning rows. Close them before the next statement.
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*Rows, error) {
	rows, err := t.tx.QueryContext(ctx, t.flavor.Rebind(query), args...)
	if err != nil {
		return nil, Translate(err)
	}
	return &Rows{Rows: rows}, nil
}

// QueryRow runs a query expected to return at most one row.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *Row {
	return &Row{row: t.tx.QueryRowContext(ctx, t.flavor.Rebind(query), args...)}
}

// RowsAffected runs a statement and returns how many rows it changed.
func (t *Tx) RowsAffected(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := t.Exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return n, Translate(err)
}

// InsertID runs an INSERT into a table whose primary key column idColumn
// is auto-incremented, and returns the new key: RETURNING on Postgres and
// SQLite, LastInsertId on MySQL.
func (t *Tx) InsertID(ctx context.Context, idColumn, insert string, args ...any) (int64, error) {
	if t.flavor == MySQL {
		res, err := t.Exec(ctx, insert, args...)
		if err != nil {
			return 0, err
		}
		id, err := res.LastInsertId()
		return id, Translate(err)
	}
	var id int64
	err := t.QueryRow(ctx, insert+" RETURNING "+idColumn, args...).Scan(&id)
	return id, err
}

// Transact runs fn inside a transaction and commits when fn returns nil. When
// fn or the commit fails with ErrDeadlock, or fn hits ErrConnection, the
// transaction is rolled back and fn runs again, up to the retry policy's
// attempts; fn must therefore have no effects outside the transaction. A
// connection lost during COMMIT is not retried, since the commit may have
// landed. Errors are returned translated (see Translate).
func (d *DB) Transact(ctx context.Context, fn func(tx *Tx) error) error {
	var err error
	for attempt := 1; ; attempt++ {
		var committing bool
		committing, err = d.attempt(ctx, fn)
		if err == nil || !retryable(err) || attempt >= d.retry.MaxAttempts {
			break
		}
		if committing && errors.Is(err, ErrConnection) {
			break
		}
		if d.onRetry != nil {
			d.onRetry(attempt, err)
		}
		wait := time.NewTimer(d.retry.backoff(attempt))
		select {
		case <-ctx.Done():
			wait.Stop()
			return fmt.Errorf("%w (after %v)", ctx.Err(), err)
		case <-wait.C:
		}
	}
	return err
}

// txOptions gives every backend the same isolation: READ COMMITTED on
// Postgres (its default) and MySQL (set per session when connecting; it
// stops SELECT ... FOR UPDATE of a missing row from taking gap locks, which
// made concurrent inserts of distinct keys deadlock), and SQLite's
// serializable single writer.
func (d *DB) txOptions() *sql.TxOptions {
	if d.flavor == Postgres {
		return &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	return nil
}

// attempt runs fn once; committing reports that fn succeeded and the error,
// if any, came from COMMIT.
func (d *DB) attempt(ctx context.Context, fn func(tx *Tx) error) (committing bool, err error) {
	sqlTx, err := d.sql.BeginTx(ctx, d.txOptions())
	if err != nil {
		return false, Translate(err)
	}
	tx := &Tx{tx: sqlTx, flavor: d.flavor}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return false, Translate(err)
	}
	return true, Translate(sqlTx.Commit())
}
