// Package dbtest gives tests real databases: a fresh, uniquely named
// database on the local MySQL and PostgreSQL servers and a temporary SQLite
// file, each dropped when the test ends. Contract tests of any store built
// on package db run on all three with ForEachBackend.
//
// When MySQL or PostgreSQL cannot be reached the test says so loudly and
// skips that backend, unless DIEGO_TEST_REQUIRE_SQL=1, in which case it
// fails.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/godiego/diego/db"
)

// EnvRequireSQL, set to 1, turns an unreachable MySQL or PostgreSQL from a
// skip into a failure (for CI, where both must be present).
const EnvRequireSQL = "DIEGO_TEST_REQUIRE_SQL"

// Server addresses and credentials of the test databases.
const (
	MySQLAddr    = "127.0.0.1:3306"
	MySQLUser    = "root"
	PostgresAddr = "127.0.0.1:5432"
	PostgresUser = "postgres"
)

// Backends lists the flavors ForEachBackend runs, in order.
var Backends = []db.Flavor{db.SQLite, db.MySQL, db.Postgres}

// ForEachBackend runs fn as a subtest per backend, each with a fresh,
// empty database.
func ForEachBackend(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, flavor := range Backends {
		t.Run(string(flavor), func(t *testing.T) {
			fn(t, Open(t, flavor))
		})
	}
}

// Open returns a fresh database of the given flavor, closed and dropped at
// cleanup; it skips or fails the test (see package comment) when the
// server is unreachable.
func Open(t *testing.T, flavor db.Flavor) *db.DB {
	t.Helper()
	cfg := Config(t, flavor)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := db.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("opening test %s database: %v", flavor, err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// Config creates a fresh database of the given flavor and returns the
// db.Config naming it, without opening it: for tests that hand the
// database to a server they start themselves. The database is dropped at
// cleanup, after everything the test registered later has been cleaned up.
func Config(t *testing.T, flavor db.Flavor) db.Config {
	t.Helper()
	switch flavor {
	case db.SQLite:
		return db.Config{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "diego.db")}
	case db.MySQL:
		requireReachable(t, flavor, MySQLAddr)
		name := uniqueName()
		admin := openAdmin(t, db.Config{Driver: "mysql", DSN: MySQLUser + "@tcp(" + MySQLAddr + ")/"})
		createDatabase(t, admin, "CREATE DATABASE "+name, "DROP DATABASE IF EXISTS "+name)
		return db.Config{Driver: "mysql", DSN: MySQLUser + "@tcp(" + MySQLAddr + ")/" + name, MaxOpenConns: 20}
	case db.Postgres:
		requireReachable(t, flavor, PostgresAddr)
		name := uniqueName()
		admin := openAdmin(t, db.Config{Driver: "postgres", DSN: PostgresDSN("postgres")})
		createDatabase(t, admin, "CREATE DATABASE "+name, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		return db.Config{Driver: "postgres", DSN: PostgresDSN(name), MaxOpenConns: 20}
	}
	t.Fatalf("dbtest: unknown flavor %q", flavor)
	return db.Config{}
}

// PostgresDSN is the connection string of database name on the test server.
func PostgresDSN(name string) string {
	return fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable", PostgresUser, PostgresAddr, name)
}

func openAdmin(t *testing.T, cfg db.Config) *db.DB {
	t.Helper()
	cfg.MaxOpenConns = 1
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := db.Open(ctx, cfg)
	if err != nil {
		unreachable(t, db.Flavor(cfg.Driver), err)
	}
	return admin
}

func createDatabase(t *testing.T, admin *db.DB, create, drop string) {
	t.Helper()
	if _, err := admin.Exec(context.Background(), create); err != nil {
		admin.Close()
		t.Fatalf("dbtest: %s: %v", create, err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.Exec(ctx, drop); err != nil {
			t.Logf("dbtest: %s: %v", drop, err)
		}
	})
}

func uniqueName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "diego_test_" + hex.EncodeToString(b)
}

var (
	probeMu sync.Mutex
	probed  = map[string]error{}
)

// requireReachable dials addr once per process and remembers the answer.
func requireReachable(t *testing.T, flavor db.Flavor, addr string) {
	t.Helper()
	probeMu.Lock()
	err, seen := probed[addr]
	if !seen {
		var conn net.Conn
		conn, err = net.DialTimeout("tcp", addr, 2*time.Second)
		if err == nil {
			conn.Close()
		}
		probed[addr] = err
	}
	probeMu.Unlock()
	if err != nil {
		unreachable(t, flavor, err)
	}
}

func unreachable(t *testing.T, flavor db.Flavor, err error) {
	t.Helper()
	msg := fmt.Sprintf("!!! %s IS UNREACHABLE: %v — this backend is NOT TESTED (set %s=1 to make this a failure)",
		flavor, err, EnvRequireSQL)
	if os.Getenv(EnvRequireSQL) == "1" {
		t.Fatal(msg)
	}
	t.Log(msg)
	fmt.Fprintln(os.Stderr, msg)
	t.Skip(msg)
}
