package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// IsRetryable reports whether err ended a transaction that can simply run
// again: a serialization failure (40001) or a deadlock (40P01) on
// PostgreSQL, a busy database on SQLite.
func IsRetryable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "40001" || pgErr.Code == "40P01"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code()&0xff == sqlite3.SQLITE_BUSY
	}
	return false
}

// IsUnavailable reports whether err means the database cannot be reached
// or cannot serve right now (connection refused or lost, the server
// shutting down or starting, too many connections, a full disk), as
// opposed to a fault in the query: the request may succeed later.
func IsUnavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		c := pgErr.Code
		return strings.HasPrefix(c, "08") || strings.HasPrefix(c, "53") || strings.HasPrefix(c, "57P") || c == "58030"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN:
			return true
		}
		return false
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	var opErr *net.OpError
	return errors.As(err, &connErr) || errors.As(err, &opErr) || errors.As(err, &netErr) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ENOSPC) || pgconn.Timeout(err)
}

// IsFull reports whether err means the database could not write because
// its disk (or its size limit) is full: SQLITE_FULL, PostgreSQL's
// disk_full (53100), or ENOSPC from the operating system. Such a write
// changed nothing and can succeed once space is freed.
func IsFull(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "53100"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code()&0xff == sqlite3.SQLITE_FULL
	}
	return errors.Is(err, syscall.ENOSPC)
}

// MaxTxAttempts is how many times InTx runs a transaction that keeps
// failing with a retryable error.
const MaxTxAttempts = 5

// InTx runs fn in a transaction, committing when it returns nil. A
// transaction that fails on a deadlock or serialization error is rolled
// back and run again, up to MaxTxAttempts times, after a short random
// pause; fn must therefore start from scratch on each call.
func (db *DB) InTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var err error
	for attempt := 1; ; attempt++ {
		err = db.inTxOnce(ctx, fn)
		if err == nil || !IsRetryable(err) || attempt == MaxTxAttempts {
			return err
		}
		pause := time.Duration(attempt*attempt) * (5*time.Millisecond + rand.N(10*time.Millisecond))
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}

func (db *DB) inTxOnce(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return &txError{op: "begin", err: err}
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return &txError{op: "commit", err: err}
	}
	return nil
}

type txError struct {
	op  string
	err error
}

func (e *txError) Error() string { return "sqldb: " + e.op + ": " + e.err.Error() }
func (e *txError) Unwrap() error { return e.err }
