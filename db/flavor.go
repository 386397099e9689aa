package db

import (
	"fmt"
	"strconv"
	"strings"
)

// Flavor names a SQL dialect and knows how statements differ between them.
// Statements in this tree are written once, MySQL-style with `?`
// placeholders; the Flavor rewrites what must differ.
type Flavor string

// The supported flavors. MySQL and Postgres are upstream's driver names
// (the `database_driver` config key); SQLite is our embedded addition.
const (
	MySQL    Flavor = "mysql"
	Postgres Flavor = "postgres"
	SQLite   Flavor = "sqlite"
)

// ParseFlavor maps a `database_driver` value to a Flavor.
func ParseFlavor(driver string) (Flavor, error) {
	switch Flavor(strings.ToLower(strings.TrimSpace(driver))) {
	case MySQL:
		return MySQL, nil
	case Postgres, "postgresql", "pgx":
		return Postgres, nil
	case SQLite, "sqlite3":
		return SQLite, nil
	}
	return "", fmt.Errorf("unknown database driver %q (want mysql, postgres or sqlite)", driver)
}

// String returns the flavor name.
func (f Flavor) String() string { return string(f) }

// Rebind rewrites `?` placeholders into the flavor's form: `$1, $2, ...` on
// Postgres, unchanged elsewhere. Question marks inside quoted strings or
// identifiers are left alone.
func (f Flavor) Rebind(query string) string {
	if f != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"' || c == '`':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Placeholders returns "?, ?, ..." with n marks (empty for n <= 0), for
// building IN lists and VALUES tuples before Rebind.
func Placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// ColumnType maps a MySQL column type name, as upstream's schemas spell
// them, to this flavor's equivalent: MEDIUMTEXT and LONGTEXT become TEXT on
// Postgres and SQLite, blobs become BYTEA on Postgres, BOOL becomes
// INTEGER on SQLite. VARCHAR(n), INT, BIGINT and unknown names pass through.
func (f Flavor) ColumnType(mysqlType string) string {
	t := strings.ToUpper(strings.TrimSpace(mysqlType))
	if f == MySQL {
		return t
	}
	switch t {
	case "TEXT", "MEDIUMTEXT", "LONGTEXT", "TINYTEXT":
		return "TEXT"
	case "BLOB", "MEDIUMBLOB", "LONGBLOB", "TINYBLOB", "VARBINARY":
		if f == Postgres {
			return "BYTEA"
		}
		return "BLOB"
	case "BOOL", "BOOLEAN", "TINYINT(1)":
		if f == SQLite {
			return "INTEGER"
		}
		return "BOOLEAN"
	case "TINYINT", "SMALLINT":
		return "SMALLINT"
	case "DATETIME", "TIMESTAMP":
		if f == Postgres {
			return "TIMESTAMP"
		}
		return "DATETIME"
	}
	return t
}

// AutoIncrementPrimaryKey is the column definition (after the column name)
// of a 64-bit auto-incrementing primary key.
func (f Flavor) AutoIncrementPrimaryKey() string {
	switch f {
	case Postgres:
		return "BIGSERIAL PRIMARY KEY"
	case SQLite:
		return "INTEGER PRIMARY KEY AUTOINCREMENT"
	}
	return "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY"
}

// ForUpdate is the row-locking suffix for a SELECT inside a transaction:
// " FOR UPDATE" on MySQL and Postgres; empty on SQLite, whose write
// transactions already hold the database lock.
func (f Flavor) ForUpdate() string {
	if f == SQLite {
		return ""
	}
	return " FOR UPDATE"
}

// Upsert returns an INSERT statement (with `?` placeholders, columns in the
// given order) that updates the non-key columns when a row with the same
// key columns exists. key lists the primary or unique key columns, which
// must also appear in columns.
func (f Flavor) Upsert(table string, key, columns []string) string {
	isKey := map[string]bool{}
	for _, k := range key {
		isKey[k] = true
	}
	var sets []string
	for _, c := range columns {
		if isKey[c] {
			continue
		}
		if f == MySQL {
			sets = append(sets, fmt.Sprintf("%s = VALUES(%s)", c, c))
		} else {
			sets = append(sets, fmt.Sprintf("%s = excluded.%s", c, c))
		}
	}
	stmt := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)",
		table, strings.Join(columns, ", "), Placeholders(len(columns)))
	switch {
	case f == MySQL && len(sets) == 0:
		// Re-assigning a key column to itself is MySQL's "do nothing".
		return stmt + fmt.Sprintf(" ON DUPLICATE KEY UPDATE %s = %s", key[0], key[0])
	case f == MySQL:
		return stmt + " ON DUPLICATE KEY UPDATE " + strings.Join(sets, ", ")
	case len(sets) == 0:
		return stmt + fmt.Sprintf(" ON CONFLICT (%s) DO NOTHING", strings.Join(key, ", "))
	}
	return stmt + fmt.Sprintf(" ON CONFLICT (%s) DO UPDATE SET %s", strings.Join(key, ", "), strings.Join(sets, ", "))
}

// GroupConcat aggregates expr into one comma-separated string per group:
// GROUP_CONCAT on MySQL (the session's group_concat_max_len is raised at
// connect, as upstream does) and SQLite, STRING_AGG on Postgres. For
// conditional counts no flavor is needed: COUNT(CASE WHEN ... THEN 1 END)
// works everywhere.
func (f Flavor) GroupConcat(expr string) string {
	if f == Postgres {
		return fmt.Sprintf("STRING_AGG(CAST(%s AS TEXT), ',')", expr)
	}
	return fmt.Sprintf("GROUP_CONCAT(%s)", expr)
}
