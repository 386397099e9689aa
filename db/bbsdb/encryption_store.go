package bbsdb

import (
	"context"
	"fmt"
	"strings"

	"github.com/godiego/diego/db"
)

// EncryptionKeyLabel returns the label recorded in configurations, or
// ResourceNotFound on a database that never recorded one.
func (s *SQLDB) EncryptionKeyLabel(ctx context.Context) (string, error) {
	var label string
	err := s.transact(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT value FROM configurations WHERE id = ?", encryptionKeyID).Scan(&label)
	})
	return label, err
}

// SetEncryptionKeyLabel records label in configurations.
func (s *SQLDB) SetEncryptionKeyLabel(ctx context.Context, label string) error {
	return s.transact(ctx, func(tx *db.Tx) error { return setConfiguration(ctx, tx, encryptionKeyID, label) })
}

// encryptedTable names a table's key and encrypted columns.
type encryptedTable struct {
	table   string
	key     []string
	columns []string
	// ifEmpty re-encrypts empty values too (they then fail to decode and
	// the row is left alone, as upstream).
	ifEmpty bool
}

var encryptedTables = []encryptedTable{
	{"tasks", []string{"guid"}, []string{"task_definition"}, true},
	{"desired_lrps", []string{"process_guid"}, []string{"run_info", "volume_placement", "routes"}, true},
	{"actual_lrps", []string{"process_guid", "instance_index", "presence"}, []string{"net_info", "internal_routes", "metric_tags"}, false},
}

// reencryptBatch is how many rows one re-encryption transaction rewrites.
const reencryptBatch = 200

// PerformEncryption re-encrypts every encrypted column of every row with
// the active key. A value that cannot be decrypted is left as it is.
func (s *SQLDB) PerformEncryption(ctx context.Context) error {
	for _, t := range encryptedTables {
		if err := s.reencryptTable(ctx, t); err != nil {
			return fmt.Errorf("re-encrypting %s: %w", t.table, err)
		}
	}
	return nil
}

func (s *SQLDB) reencryptTable(ctx context.Context, t encryptedTable) error {
	keyCols := strings.Join(t.key, ", ")
	var keys [][]any
	err := s.transact(ctx, func(tx *db.Tx) error {
		keys = nil
		rows, err := tx.Query(ctx, "SELECT "+keyCols+" FROM "+t.table)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			k := make([]any, len(t.key))
			ptrs := make([]any, len(t.key))
			for i := range k {
				ptrs[i] = &k[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			for i, v := range k {
				if b, ok := v.([]byte); ok {
					k[i] = string(b)
				}
			}
			keys = append(keys, k)
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	where := strings.Join(t.key, " = ? AND ") + " = ?"
	for lo := 0; lo < len(keys); lo += reencryptBatch {
		batch := keys[lo:min(lo+reencryptBatch, len(keys))]
		err := s.transact(ctx, func(tx *db.Tx) error {
			for _, k := range batch {
				if err := s.reencryptRow(ctx, tx, t, where, k); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *SQLDB) reencryptRow(ctx context.Context, tx *db.Tx, t encryptedTable, where string, key []any) error {
	blobs := make([][]byte, len(t.columns))
	ptrs := make([]any, len(t.columns))
	for i := range blobs {
		ptrs[i] = &blobs[i]
	}
	err := tx.QueryRow(ctx, "SELECT "+strings.Join(t.columns, ", ")+" FROM "+t.table+" WHERE "+where+tx.Flavor().ForUpdate(), key...).Scan(ptrs...)
	if db.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	set := &setClause{}
	for i, blob := range blobs {
		if len(blob) == 0 && !t.ifEmpty {
			continue
		}
		plain, err := s.enc.Decode(blob)
		if err != nil {
			continue
		}
		fresh, err := s.enc.Encode(plain)
		if err != nil {
			return err
		}
		set.add(t.columns[i], fresh)
	}
	if len(set.cols) == 0 {
		return nil
	}
	_, err = tx.Exec(ctx, "UPDATE "+t.table+" SET "+joinCols(set.cols)+" WHERE "+where, append(set.args, key...)...)
	return err
}
