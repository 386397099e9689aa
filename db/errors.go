package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Sentinel errors. Every error leaving this package that comes from a
// driver has been through Translate, so callers test with errors.Is; the
// driver's own error stays in the chain (and in the message) for logging.
var (
	// ErrNotFound: a query for one row found none.
	ErrNotFound = errors.New("sql-resource-not-found")
	// ErrResourceExists: a unique or primary key was violated.
	ErrResourceExists = errors.New("sql-resource-exists")
	// ErrDeadlock: the transaction lost a deadlock, a lock wait timed out,
	// or a serializable transaction could not be ordered. Retrying the
	// whole transaction is safe; Transact does so.
	ErrDeadlock = errors.New("sql-deadlock")
	// ErrConnection: the connection to the server failed or was killed.
	ErrConnection = errors.New("sql-connection-lost")
	// ErrBadRequest: a value did not fit its column.
	ErrBadRequest = errors.New("sql-bad-request")
	// ErrUnrecoverable: the schema is not what the code expects (a missing
	// table, say). Upstream daemons exit when they see it.
	ErrUnrecoverable = errors.New("sql-unrecoverable")
	// ErrSchemaTooNew: the database was migrated by a newer release than
	// this one; Migrate refuses to run against it.
	ErrSchemaTooNew = errors.New("sql-schema-newer-than-code")
)

var sentinels = []error{ErrNotFound, ErrResourceExists, ErrDeadlock, ErrConnection, ErrBadRequest, ErrUnrecoverable, ErrSchemaTooNew}

// Translate maps a driver error to one of the sentinels, keeping the
// original in the chain. nil, context errors, errors already translated and
// errors it does not recognise are returned unchanged. It is the only place
// in the tree that looks at driver error codes.
func Translate(err error) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return err
		}
	}
	if kind := classify(err); kind != nil {
		return fmt.Errorf("%w: %w", kind, err)
	}
	return err
}

func classify(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	var myErr *mysql.MySQLError
	if errors.As(err, &myErr) {
		return classifyMySQL(myErr.Number)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return classifyPostgres(pgErr.Code)
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		return classifySQLite(liteErr.Code(), liteErr.Error())
	}
	if isConnectionFailure(err) {
		return ErrConnection
	}
	return nil
}

func classifyMySQL(number uint16) error {
	switch number {
	case 1062, 1586: // duplicate entry, duplicate entry for key
		return ErrResourceExists
	case 1213, 1205, 1020: // deadlock, lock wait timeout, record changed (MariaDB snapshot isolation)
		return ErrDeadlock
	case 1406: // data too long
		return ErrBadRequest
	case 1146: // table doesn't exist
		return ErrUnrecoverable
	case 1927, 1317, 1053, 2006, 2013: // connection killed, interrupted, shutdown, gone away, lost
		return ErrConnection
	}
	return nil
}

func classifyPostgres(code string) error {
	switch {
	case code == "23505":
		return ErrResourceExists
	case code == "40P01" || code == "40001" || code == "55P03": // deadlock, serialization, lock not available
		return ErrDeadlock
	case code == "22001":
		return ErrBadRequest
	case code == "42P01":
		return ErrUnrecoverable
	case strings.HasPrefix(code, "08"), code == "57P01", code == "57P02", code == "57P03":
		return ErrConnection
	}
	return nil
}

func classifySQLite(code int, msg string) error {
	switch {
	case code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, code == sqlite3.SQLITE_CONSTRAINT_UNIQUE:
		return ErrResourceExists
	case code&0xff == sqlite3.SQLITE_BUSY, code&0xff == sqlite3.SQLITE_LOCKED:
		return ErrDeadlock
	case code&0xff == sqlite3.SQLITE_TOOBIG:
		return ErrBadRequest
	case strings.Contains(msg, "no such table"):
		return ErrUnrecoverable
	}
	return nil
}

func isConnectionFailure(err error) bool {
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed) || errors.Is(err, sql.ErrConnDone) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var connectErr *pgconn.ConnectError
	return errors.As(err, &connectErr) || pgconn.SafeToRetry(err)
}

// retryable reports whether a failed transaction attempt may be run again.
func retryable(err error) bool {
	return errors.Is(err, ErrDeadlock) || errors.Is(err, ErrConnection)
}
