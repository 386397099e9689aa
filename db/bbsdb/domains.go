package bbsdb

import (
	"context"
	"math"
	"time"

	"github.com/godiego/diego/db"
)

// FreshDomains lists the domains that have not expired (compared with now
// rounded to the second, as upstream does).
func (s *SQLDB) FreshDomains(ctx context.Context) ([]string, error) {
	now := s.clock.Now().Round(time.Second).UnixNano()
	var names []string
	err := s.transact(ctx, func(tx *db.Tx) error {
		names = names[:0]
		rows, err := tx.Query(ctx, "SELECT domain FROM domains WHERE expire_time > ?", now)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return err
			}
			names = append(names, n)
		}
		return rows.Err()
	})
	return names, err
}

// UpsertDomain sets the domain to expire ttl seconds from now; 0 never expires.
func (s *SQLDB) UpsertDomain(ctx context.Context, domain string, ttl uint32) error {
	expire := int64(math.MaxInt64)
	if ttl != 0 {
		expire = s.clock.Now().Add(time.Duration(ttl) * time.Second).UnixNano()
	}
	return s.transact(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, tx.Flavor().Upsert("domains", []string{"domain"}, []string{"domain", "expire_time"}), domain, expire)
		return err
	})
}

// freshDomainSet is FreshDomains as a set, read inside tx.
func freshDomainSet(ctx context.Context, tx *db.Tx, now time.Time) (map[string]bool, error) {
	rows, err := tx.Query(ctx, "SELECT domain FROM domains WHERE expire_time > ?", now.Round(time.Second).UnixNano())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	set := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		set[n] = true
	}
	return set, rows.Err()
}
