package harness

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql" // "mysql" driver, to create databases
	_ "github.com/jackc/pgx/stdlib"    // "pgx" driver, to create databases
)

// EnvRequireSQL, set to 1, makes an unreachable MySQL or PostgreSQL a
// failure instead of a loud skip.
const EnvRequireSQL = "DIEGO_TEST_REQUIRE_SQL"

// Database is a fresh database for a daemon's database_driver and
// database_connection_string keys.
type Database struct {
	Driver           string
	ConnectionString string
}

// Backends are the database drivers suites run against.
var Backends = []string{"sqlite", "mysql", "postgres"}

// NewDatabase creates a fresh, uniquely named database for driver
// ("sqlite": a file in a temporary directory; "mysql": root@127.0.0.1:3306;
// "postgres": postgres@127.0.0.1:5432) and drops it at cleanup. Register
// it before starting the process that uses it, so that the process is
// stopped first.
func NewDatabase(t testing.TB, driver string) Database {
	t.Helper()
	name := "conformance_" + randomHex(6)
	switch driver {
	case "sqlite":
		return Database{Driver: "sqlite", ConnectionString: filepath.Join(t.TempDir(), "diego.db")}
	case "mysql":
		admin := openAdmin(t, "mysql", "mysql", "127.0.0.1:3306", "root@tcp(127.0.0.1:3306)/")
		create(t, admin, "CREATE DATABASE "+name, "DROP DATABASE IF EXISTS "+name)
		return Database{Driver: "mysql", ConnectionString: "root@tcp(127.0.0.1:3306)/" + name}
	case "postgres":
		admin := openAdmin(t, "postgres", "pgx", "127.0.0.1:5432", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
		create(t, admin, "CREATE DATABASE "+name, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		return Database{Driver: "postgres", ConnectionString: "postgres://postgres@127.0.0.1:5432/" + name + "?sslmode=disable"}
	}
	t.Fatalf("unknown database driver %q", driver)
	return Database{}
}

func openAdmin(t testing.TB, label, driver, addr, dsn string) *sql.DB {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err == nil {
		conn.Close()
		var admin *sql.DB
		if admin, err = sql.Open(driver, dsn); err == nil {
			if err = admin.Ping(); err == nil {
				return admin
			}
			admin.Close()
		}
	}
	msg := fmt.Sprintf("!!! %s AT %s IS UNREACHABLE: %v — this backend is NOT TESTED (set %s=1 to make this a failure)",
		label, addr, err, EnvRequireSQL)
	if os.Getenv(EnvRequireSQL) == "1" {
		t.Fatal(msg)
	}
	fmt.Fprintln(os.Stderr, msg)
	t.Skip(msg)
	return nil
}

func create(t testing.TB, admin *sql.DB, createStmt, dropStmt string) {
	t.Helper()
	if _, err := admin.Exec(createStmt); err != nil {
		admin.Close()
		t.Fatalf("%s: %v", createStmt, err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec(dropStmt); err != nil {
			t.Logf("%s: %v", dropStmt, err)
		}
	})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
