package db

import (
	"strings"
	"testing"
)

func TestRebind(t *testing.T) {
	cases := []struct{ in, pg string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT a FROM t WHERE b = ? AND c IN (?, ?)", "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"},
		{"SELECT '?' FROM t WHERE x = ?", "SELECT '?' FROM t WHERE x = $1"},
		{`SELECT "a?" FROM t WHERE x = ? AND y = 'it''s?' AND z = ?`, `SELECT "a?" FROM t WHERE x = $1 AND y = 'it''s?' AND z = $2`},
	}
	for _, c := range cases {
		if got := Postgres.Rebind(c.in); got != c.pg {
			t.Errorf("Postgres.Rebind(%q) = %q, want %q", c.in, got, c.pg)
		}
		if got := MySQL.Rebind(c.in); got != c.in {
			t.Errorf("MySQL.Rebind changed %q to %q", c.in, got)
		}
		if got := SQLite.Rebind(c.in); got != c.in {
			t.Errorf("SQLite.Rebind changed %q to %q", c.in, got)
		}
	}
}

func TestColumnType(t *testing.T) {
	cases := []struct {
		flavor Flavor
		in     string
		want   string
	}{
		{MySQL, "mediumtext", "MEDIUMTEXT"},
		{Postgres, "MEDIUMTEXT", "TEXT"},
		{SQLite, "LONGTEXT", "TEXT"},
		{Postgres, "MEDIUMBLOB", "BYTEA"},
		{SQLite, "BOOL", "INTEGER"},
		{Postgres, "BOOL", "BOOLEAN"},
		{Postgres, "VARCHAR(255)", "VARCHAR(255)"},
		{SQLite, "BIGINT", "BIGINT"},
	}
	for _, c := range cases {
		if got := c.flavor.ColumnType(c.in); got != c.want {
			t.Errorf("%s.ColumnType(%q) = %q, want %q", c.flavor, c.in, got, c.want)
		}
	}
}

func TestUpsertStatement(t *testing.T) {
	cols := []string{"k", "a", "b"}
	if got, want := MySQL.Upsert("t", []string{"k"}, cols),
		"INSERT INTO t (k, a, b) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE a = VALUES(a), b = VALUES(b)"; got != want {
		t.Errorf("mysql upsert:\n got %s\nwant %s", got, want)
	}
	if got, want := Postgres.Upsert("t", []string{"k"}, cols),
		"INSERT INTO t (k, a, b) VALUES (?, ?, ?) ON CONFLICT (k) DO UPDATE SET a = excluded.a, b = excluded.b"; got != want {
		t.Errorf("postgres upsert:\n got %s\nwant %s", got, want)
	}
	if got, want := SQLite.Upsert("t", []string{"k"}, []string{"k"}),
		"INSERT INTO t (k) VALUES (?) ON CONFLICT (k) DO NOTHING"; got != want {
		t.Errorf("sqlite key-only upsert:\n got %s\nwant %s", got, want)
	}
}

func TestParseFlavor(t *testing.T) {
	for in, want := range map[string]Flavor{"mysql": MySQL, "postgres": Postgres, "sqlite": SQLite, "SQLite3": SQLite} {
		if got, err := ParseFlavor(in); err != nil || got != want {
			t.Errorf("ParseFlavor(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseFlavor("oracle"); err == nil {
		t.Error("ParseFlavor(oracle) succeeded")
	}
}

func TestSQLiteDSN(t *testing.T) {
	got, _, err := sqliteDSN("/tmp/x.db", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"file:/tmp/x.db?", "journal_mode%28WAL%29", "busy_timeout%2810000%29", "foreign_keys%280%29", "_txlock=immediate"} {
		if !strings.Contains(got, want) {
			t.Errorf("sqliteDSN = %q, missing %q", got, want)
		}
	}
	if _, _, err := sqliteDSN("", false); err == nil {
		t.Error("empty SQLite path accepted")
	}
}

func TestBackoffBounded(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 5, InitialBackoff: 10e6, MaxBackoff: 40e6}
	for n := 1; n < 10; n++ {
		if d := p.backoff(n); d < 5e6 || d > 40e6 {
			t.Errorf("backoff(%d) = %v, outside [5ms, 40ms]", n, d)
		}
	}
}
