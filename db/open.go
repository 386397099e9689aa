package db

import (
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// mysqlGroupConcatMaxLen is upstream's group_concat_max_len session value,
// large enough for the instance-index lists the BBS concatenates.
const mysqlGroupConcatMaxLen = 78888889

// sqliteBusyTimeout is how long an SQLite connection waits for another
// process's lock before failing with SQLITE_BUSY.
const sqliteBusyTimeout = 10 * time.Second

func openMySQL(cfg Config) (*sql.DB, error) {
	mc, err := mysql.ParseDSN(cfg.DSN)
	if err != nil {
		return nil, fmt.Errorf("invalid database_connection_string: %w", err)
	}
	tlsCfg, err := sqlTLSConfig(cfg.CACertFile, cfg.VerifyIdentity, mc.Addr)
	if err != nil {
		return nil, err
	}
	if tlsCfg != nil {
		mc.TLS = tlsCfg
	}
	if mc.Timeout == 0 {
		mc.Timeout = 10 * time.Minute
	}
	if mc.ReadTimeout == 0 {
		mc.ReadTimeout = 10 * time.Minute
	}
	if mc.WriteTimeout == 0 {
		mc.WriteTimeout = 10 * time.Minute
	}
	// Interpolating arguments client-side saves the prepare and close round
	// trips of every statement (the driver refuses for charsets where that
	// is unsafe).
	mc.InterpolateParams = true
	if mc.Params == nil {
		mc.Params = map[string]string{}
	}
	if _, ok := mc.Params["group_concat_max_len"]; !ok {
		mc.Params["group_concat_max_len"] = strconv.Itoa(mysqlGroupConcatMaxLen)
	}
	// Every session reads committed data, so transactions need no
	// per-transaction SET (see DB.txOptions).
	name, err := mysqlIsolationVariable(mc)
	if err != nil {
		return nil, err
	}
	mc.Params[name] = "'READ-COMMITTED'"
	connector, err := mysql.NewConnector(mc)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(connector), nil
}

// mysqlIsolationVariable asks the server which name its isolation variable
// has: transaction_isolation (MySQL 5.7.20+, MariaDB 11.1+) or tx_isolation.
func mysqlIsolationVariable(mc *mysql.Config) (string, error) {
	connector, err := mysql.NewConnector(mc)
	if err != nil {
		return "", err
	}
	probe := sql.OpenDB(connector)
	defer probe.Close()
	var level string
	err = probe.QueryRow("SELECT @@transaction_isolation").Scan(&level)
	var myErr *mysql.MySQLError
	switch {
	case err == nil:
		return "transaction_isolation", nil
	case errors.As(err, &myErr) && myErr.Number == 1193: // unknown system variable
		return "tx_isolation", nil
	}
	return "", Translate(err)
}

func openPostgres(cfg Config) (*sql.DB, error) {
	pc, err := pgx.ParseConfig(cfg.DSN)
	if err != nil {
		return nil, fmt.Errorf("invalid database_connection_string: %w", err)
	}
	tlsCfg, err := sqlTLSConfig(cfg.CACertFile, cfg.VerifyIdentity, pc.Host)
	if err != nil {
		return nil, err
	}
	if tlsCfg != nil {
		pc.TLSConfig = tlsCfg
		pc.Fallbacks = nil
	}
	return stdlib.OpenDB(*pc), nil
}

// sqliteReaders is the size of SQLite's read-only pool.
const sqliteReaders = 4

func openSQLite(cfg Config) (writer, reader *sql.DB, err error) {
	dsn, memory, err := sqliteDSN(cfg.DSN, false)
	if err != nil {
		return nil, nil, err
	}
	writer, err = sql.Open("sqlite", dsn)
	if err != nil {
		return nil, nil, err
	}
	// One writing connection: writers queue in database/sql instead of
	// racing for SQLite's file lock, and ":memory:" stays one database. It
	// is never recycled, or an in-memory database would vanish.
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	if memory {
		return writer, nil, nil
	}
	readDSN, _, _ := sqliteDSN(cfg.DSN, true)
	reader, err = sql.Open("sqlite", readDSN)
	if err != nil {
		writer.Close()
		return nil, nil, err
	}
	reader.SetMaxOpenConns(sqliteReaders)
	reader.SetMaxIdleConns(sqliteReaders)
	return writer, reader, nil
}

// sqliteDSN turns a path (or ":memory:") into a modernc DSN carrying the
// pragmas every connection needs, and reports whether it is in memory.
// readOnly connections refuse writes.
func sqliteDSN(raw string, readOnly bool) (dsn string, memory bool, err error) {
	if strings.TrimSpace(raw) == "" {
		return "", false, fmt.Errorf("invalid database_connection_string: an SQLite file path is required")
	}
	path, query, _ := strings.Cut(raw, "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", false, fmt.Errorf("invalid database_connection_string: %w", err)
	}
	memory = path == ":memory:" || strings.Contains(query, "mode=memory")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", sqliteBusyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(0)")
	if !memory {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
	}
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	if !strings.HasPrefix(path, "file:") {
		path = "file:" + path
	}
	return path + "?" + q.Encode(), memory, nil
}

// sqlTLSConfig builds the client TLS config upstream's daemons use for SQL:
// none without a CA file; with one, the server certificate must chain to
// it, and its host name is checked only when verifyIdentity is set.
func sqlTLSConfig(caFile string, verifyIdentity bool, addr string) (*tls.Config, error) {
	if caFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("sql_ca_cert_file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("sql_ca_cert_file %s holds no PEM certificate", caFile)
	}
	host := addr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	if verifyIdentity {
		return &tls.Config{RootCAs: pool, ServerName: host, MinVersion: tls.VersionTLS12}, nil
	}
	return &tls.Config{
		RootCAs:            pool,
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, // the chain is checked below; the host name deliberately is not
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			return verifyChainOnly(raw, pool)
		},
	}, nil
}

func verifyChainOnly(raw [][]byte, roots *x509.CertPool) error {
	if len(raw) == 0 {
		return fmt.Errorf("sql server presented no certificate")
	}
	certs := make([]*x509.Certificate, len(raw))
	for i, der := range raw {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return fmt.Errorf("parsing sql server certificate: %w", err)
		}
		certs[i] = c
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
	return err
}
