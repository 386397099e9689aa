// Package locketdb stores Locket's locks and presences in the `locks`
// table (upstream's schema) on any backend of package db. It owns the
// compare-and-set rules: who may take, refresh or release a row, and how
// modified_index and modified_id change.
package locketdb

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/godiego/diego/db"
	"github.com/godiego/diego/proto/locketmodels"
)

// ErrCollision: the resource is held by another owner, or (for
// FetchAndRelease) it changed since the caller last saw it.
var ErrCollision = errors.New("lock-collision")

// Lock is a stored resource with its bookkeeping.
type Lock struct {
	Resource *locketmodels.Resource
	// TTLInSeconds is how long the holder has to refresh it.
	TTLInSeconds int64
	// ModifiedIndex increases with every successful Lock.
	ModifiedIndex int64
	// ModifiedID is set when a row is created and kept across refreshes,
	// so a row deleted and re-created is told apart from a refreshed one.
	ModifiedID string
}

// Key is the resource key.
func (l *Lock) Key() string { return l.Resource.GetKey() }

// Store is the locks table on one database.
type Store struct {
	db      *db.DB
	newGUID func() string
}

// New returns a store on d. newGUID makes modified_id values; nil means
// random UUIDs.
func New(d *db.DB, newGUID func() string) *Store {
	if newGUID == nil {
		newGUID = uuid.NewString
	}
	return &Store{db: d, newGUID: newGUID}
}

// Component names locket's migrations in db.MigrationsTable.
const Component = "locket"

// Migrations create the locks table. The first is upstream's table exactly
// (IF NOT EXISTS, so a database an upstream locket used is adopted as is).
var Migrations = []db.Migration{
	{Version: 1, Name: "create locks table", Up: func(ctx context.Context, tx *db.Tx) error {
		_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS locks (
			path VARCHAR(255) PRIMARY KEY,
			owner VARCHAR(255),
			value VARCHAR(4096),
			type VARCHAR(255) DEFAULT '',
			modified_index BIGINT DEFAULT 0,
			modified_id VARCHAR(255) DEFAULT '',
			ttl BIGINT DEFAULT 0
		)`)
		return err
	}},
}

// Migrate creates or updates the schema.
func (s *Store) Migrate(ctx context.Context) error {
	_, err := s.db.Migrate(ctx, Component, Migrations)
	return err
}

const lockColumns = "path, COALESCE(owner, ''), COALESCE(value, ''), COALESCE(type, ''), COALESCE(modified_index, 0), COALESCE(modified_id, ''), COALESCE(ttl, 0)"

type scanner interface{ Scan(dest ...any) error }

func scanLock(row scanner) (*Lock, error) {
	var l Lock
	r := &locketmodels.Resource{}
	if err := row.Scan(&r.Key, &r.Owner, &r.Value, &r.Type, &l.ModifiedIndex, &l.ModifiedID, &l.TTLInSeconds); err != nil {
		return nil, err
	}
	r.TypeCode = locketmodels.TypeCodeOf(r.Type)
	l.Resource = r
	return &l, nil
}

func (s *Store) fetchForUpdate(ctx context.Context, tx *db.Tx, key string) (*Lock, error) {
	return scanLock(tx.QueryRow(ctx, "SELECT "+lockColumns+" FROM locks WHERE path = ?"+tx.Flavor().ForUpdate(), key))
}

// Lock takes resource for its owner or refreshes it: a missing row is
// created (modified_index 1, a new modified_id); a row held by the same
// owner, or by nobody, is updated (modified_index + 1, modified_id kept);
// a row held by another owner is ErrCollision. The stored lock is returned.
func (s *Store) Lock(ctx context.Context, resource *locketmodels.Resource, ttlInSeconds int64) (*Lock, error) {
	want := locketmodels.Normalized(resource)
	var out *Lock
	op := func(tx *db.Tx) error {
		current, err := s.fetchForUpdate(ctx, tx, want.Key)
		switch {
		case db.IsNotFound(err):
			out = &Lock{Resource: want, TTLInSeconds: ttlInSeconds, ModifiedIndex: 1, ModifiedID: s.newGUID()}
			_, err = tx.Exec(ctx, `INSERT INTO locks (path, owner, value, type, modified_index, modified_id, ttl)
				VALUES (?, ?, ?, ?, ?, ?, ?)`,
				want.Key, want.Owner, want.Value, want.Type, out.ModifiedIndex, out.ModifiedID, ttlInSeconds)
			return err
		case err != nil:
			return err
		case current.Resource.Owner != "" && current.Resource.Owner != want.Owner:
			return ErrCollision
		}
		id := current.ModifiedID
		if id == "" {
			id = s.newGUID()
		}
		out = &Lock{Resource: want, TTLInSeconds: ttlInSeconds, ModifiedIndex: current.ModifiedIndex + 1, ModifiedID: id}
		_, err = tx.Exec(ctx, `UPDATE locks SET owner = ?, value = ?, type = ?, modified_index = ?, modified_id = ?, ttl = ?
			WHERE path = ?`,
			want.Owner, want.Value, want.Type, out.ModifiedIndex, out.ModifiedID, ttlInSeconds, want.Key)
		return err
	}
	err := s.db.Transact(ctx, op)
	if errors.Is(err, db.ErrResourceExists) {
		// Another Lock created the row between our read and our insert;
		// now that it exists, decide again by owner.
		err = s.db.Transact(ctx, op)
	}
	if err != nil {
		return nil, fmt.Errorf("locking %q: %w", want.Key, err)
	}
	return out, nil
}

// Release deletes resource's row when resource.Owner holds it. A missing
// row is success; another owner's row is ErrCollision.
func (s *Store) Release(ctx context.Context, resource *locketmodels.Resource) error {
	err := s.db.Transact(ctx, func(tx *db.Tx) error {
		current, err := s.fetchForUpdate(ctx, tx, resource.GetKey())
		if db.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if current.Resource.Owner != resource.GetOwner() {
			return ErrCollision
		}
		_, err = tx.Exec(ctx, "DELETE FROM locks WHERE path = ?", resource.GetKey())
		return err
	})
	if err != nil {
		return fmt.Errorf("releasing %q: %w", resource.GetKey(), err)
	}
	return nil
}

// Fetch returns the lock at key, or db.ErrNotFound when there is none (or
// its owner is empty).
func (s *Store) Fetch(ctx context.Context, key string) (*Lock, error) {
	l, err := scanLock(s.db.QueryRow(ctx, "SELECT "+lockColumns+" FROM locks WHERE path = ?", key))
	if err == nil && l.Resource.Owner == "" {
		err = db.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("fetching %q: %w", key, err)
	}
	return l, nil
}

// FetchAndRelease deletes the row of an expired lock, but only when it is
// still exactly the lock the caller saw: same owner, modified_id and
// modified_index. It reports whether it deleted; a missing row is
// (false, nil) and a changed one ErrCollision.
func (s *Store) FetchAndRelease(ctx context.Context, seen *Lock) (bool, error) {
	err := s.db.Transact(ctx, func(tx *db.Tx) error {
		current, err := s.fetchForUpdate(ctx, tx, seen.Key())
		if err != nil {
			return err
		}
		if current.Resource.Owner != seen.Resource.GetOwner() ||
			current.ModifiedID != seen.ModifiedID ||
			current.ModifiedIndex != seen.ModifiedIndex {
			return ErrCollision
		}
		_, err = tx.Exec(ctx, "DELETE FROM locks WHERE path = ?", seen.Key())
		return err
	})
	if db.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("expiring %q: %w", seen.Key(), err)
	}
	return true, nil
}

// FetchAll returns every held lock of the given type name ("lock" or
// "presence"; "" for all), in key order.
func (s *Store) FetchAll(ctx context.Context, typeName string) ([]*Lock, error) {
	query := "SELECT " + lockColumns + " FROM locks WHERE owner <> ''"
	var args []any
	if typeName != "" {
		query += " AND type = ?"
		args = append(args, typeName)
	}
	rows, err := s.db.Query(ctx, query+" ORDER BY path", args...)
	if err != nil {
		return nil, fmt.Errorf("fetching all locks: %w", err)
	}
	defer rows.Close()
	var locks []*Lock
	for rows.Next() {
		l, err := scanLock(rows)
		if err != nil {
			return nil, fmt.Errorf("fetching all locks: %w", err)
		}
		locks = append(locks, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("fetching all locks: %w", err)
	}
	return locks, nil
}

// Count returns how many held locks of the given type name there are
// ("" for all types).
func (s *Store) Count(ctx context.Context, typeName string) (int, error) {
	query := "SELECT COUNT(*) FROM locks WHERE owner <> ''"
	var args []any
	if typeName != "" {
		query += " AND type = ?"
		args = append(args, typeName)
	}
	var n int
	if err := s.db.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting locks: %w", err)
	}
	return n, nil
}
