// Package sqldb opens Tally's SQL database, SQLite or PostgreSQL, keeps the
// differences between the two dialects in one place, and migrates the schema
// (Tally's own embedded migrations through goose, then River's).
package sqldb

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names a SQL dialect.
type Dialect string

// The dialects Tally speaks.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

//go:embed migrations
var migrations embed.FS

// DB is an open database with its dialect.
type DB struct {
	*sql.DB
	Dialect Dialect
	URL     string // the URL it was opened with

	// Read is SQLite's read-only pool (see Reader); nil on PostgreSQL.
	Read *sql.DB

	// Listener is a small pgx pool River uses for LISTEN on PostgreSQL, so
	// jobs are picked up at once instead of at the next poll. Nil on SQLite.
	Listener *pgxpool.Pool

	// Statements, when set, counts the queries built through Rebind: every
	// store query is, so a test can count what one page costs.
	Statements *atomic.Int64
}

// DefaultURL returns the URL of the embedded SQLite database in dataDir.
func DefaultURL(dataDir string) string {
	abs, err := filepath.Abs(filepath.Join(dataDir, "tally.db"))
	if err != nil {
		abs = filepath.Join(dataDir, "tally.db")
	}
	return "sqlite://" + abs
}

// Open opens the database at rawURL: sqlite:///path/file.db (or
// sqlite://relative/file.db) or postgres://... It checks that the database
// answers before returning.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	switch {
	case strings.HasPrefix(rawURL, "sqlite:"):
		return openSQLite(ctx, rawURL)
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return openPostgres(ctx, rawURL)
	}
	return nil, fmt.Errorf("sqldb: database URL %q: want sqlite:///path/file.db or a postgres:// URL", redact(rawURL))
}

// writeBusyTimeout is how long a write waits for SQLite's write lock
// before it fails with SQLITE_BUSY (answered as 503).
const writeBusyTimeout = 30 * time.Second

func openSQLite(ctx context.Context, rawURL string) (*DB, error) {
	path := strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite:"), "//")
	if path == "" {
		return nil, fmt.Errorf("sqldb: database URL %q names no file", rawURL)
	}
	if path == ":memory:" || strings.HasPrefix(path, "file::memory:") {
		return nil, fmt.Errorf("sqldb: database URL %q: an in-memory database cannot be shared by Tally's connections; name a file", rawURL)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("sqldb: create database directory: %w", err)
	}
	// WAL lets readers run beside the writer; busy_timeout makes a second
	// writer wait instead of failing at once; immediate transactions take
	// the write lock up front, so a read-then-write transaction can never be
	// refused half-way. A writer waits up to writeBusyTimeout: a sync's
	// chunk of thousands of rows can hold the lock for seconds on a slow
	// disk, and a sign-in queued behind it should wait, not answer 503.
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", writeBusyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// 4 MiB of page cache per write connection. SQLite's pages cost about
	// twice their size in this process's memory, so 64 MiB made a
	// 100,000-row import peak at 202 MiB; 4 MiB imports it in the same CPU
	// time as 8 MiB, 8 MiB less of the process (docs/benchmarks.md,
	// "Streaming import" and "Import against the loaders into Tally's own
	// table").
	q.Add("_pragma", "cache_size(-4096)")
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqldb: open %s: %w", path, err)
	}
	// SQLite has one writer at a time: writers queue on busy_timeout, each
	// holding a connection of this pool while it waits.
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqldb: open %s: %w", path, err)
	}
	// The database holds everyone's data: owner-only, whatever the files
	// were before (the WAL and shared-memory files exist once WAL is on).
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(f, 0o600); err != nil && !os.IsNotExist(err) {
			db.Close()
			return nil, fmt.Errorf("sqldb: restrict %s: %w", f, err)
		}
	}
	// Reads get a pool of their own, so a page never waits for a connection
	// behind writers that wait for the write lock. WAL lets them read the
	// last committed state meanwhile.
	rq := url.Values{}
	rq.Add("_pragma", "busy_timeout(5000)")
	rq.Add("_pragma", "query_only(1)")
	rq.Set("_time_format", "sqlite")
	read, err := sql.Open("sqlite", "file:"+path+"?"+rq.Encode())
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqldb: open %s: %w", path, err)
	}
	read.SetMaxOpenConns(4)
	read.SetMaxIdleConns(4)
	if err := read.PingContext(ctx); err != nil {
		read.Close()
		db.Close()
		return nil, fmt.Errorf("sqldb: open %s: %w", path, err)
	}
	return &DB{DB: db, Read: read, Dialect: SQLite, URL: rawURL}, nil
}

func openPostgres(ctx context.Context, rawURL string) (*DB, error) {
	db, err := sql.Open("pgx", rawURL)
	if err != nil {
		return nil, fmt.Errorf("sqldb: open %s: %w", redact(rawURL), err)
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqldb: connect to %s: %w", redact(rawURL), err)
	}
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqldb: parse %s: %w", redact(rawURL), err)
	}
	cfg.MinConns = 0
	cfg.MaxConns = 2
	listener, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqldb: listener pool: %w", err)
	}
	return &DB{DB: db, Dialect: Postgres, URL: rawURL, Listener: listener}, nil
}

// Close closes the database and the listener pool.
func (db *DB) Close() error {
	if db.Listener != nil {
		db.Listener.Close()
	}
	if db.Read != nil {
		db.Read.Close()
	}
	return db.DB.Close()
}

// Reader is the pool for queries outside a transaction that only read: on
// SQLite a read-only pool beside the writers' one, on PostgreSQL the one
// pool.
func (db *DB) Reader() *sql.DB {
	if db.Read != nil {
		return db.Read
	}
	return db.DB
}

// redact hides the password of a URL for messages and logs.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// Redact hides the password of a database URL.
func Redact(rawURL string) string { return redact(rawURL) }

// Rebind turns a query written with ? placeholders into the dialect's form
// ($1, $2, ... on PostgreSQL). Queries are written once, with ?, and never
// contain a literal question mark.
func (db *DB) Rebind(query string) string {
	if db.Statements != nil {
		db.Statements.Add(1)
	}
	return Rebind(db.Dialect, query)
}

// Rebind is DB.Rebind for a dialect.
func Rebind(d Dialect, query string) string {
	if d != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// MaxParams is how many bind parameters one statement may carry.
func (db *DB) MaxParams() int {
	if db.Dialect == Postgres {
		return 65535
	}
	return 32766
}

// Migrate brings Tally's schema up to date.
func (db *DB) Migrate(ctx context.Context) error {
	return db.MigrateTo(ctx, 0)
}

// MigrateTo brings Tally's schema up to the given migration version (0:
// the latest). Tests of a migration start from the version before it.
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	sub, err := fs.Sub(migrations, "migrations/"+string(db.Dialect))
	if err != nil {
		return fmt.Errorf("sqldb: migrations: %w", err)
	}
	dialect := goose.DialectSQLite3
	if db.Dialect == Postgres {
		dialect = goose.DialectPostgres
	}
	var opts []goose.ProviderOption
	if db.Dialect == Postgres {
		// Several processes may start at once; an advisory lock lets one
		// migrate while the others wait.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return fmt.Errorf("sqldb: migrations: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, db.DB, sub, opts...)
	if err != nil {
		return fmt.Errorf("sqldb: migrations: %w", err)
	}
	if version > 0 {
		_, err = p.UpTo(ctx, version)
	} else {
		_, err = p.Up(ctx)
	}
	if err != nil {
		return fmt.Errorf("sqldb: migrate: %w", err)
	}
	return nil
}

// IsUniqueViolation reports whether err is a unique-constraint violation,
// by SQLSTATE on PostgreSQL and extended result code on SQLite.
func IsUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// Date scans a DATE column: a time.Time on PostgreSQL, 'YYYY-MM-DD' text on
// SQLite. Dates are written as 'YYYY-MM-DD' strings on both.
type Date struct{ time.Time }

// Scan implements sql.Scanner.
func (d *Date) Scan(v any) error {
	switch v := v.(type) {
	case time.Time:
		d.Time = time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, time.UTC)
		return nil
	case string:
		return d.parse(v)
	case []byte:
		return d.parse(string(v))
	}
	return fmt.Errorf("sqldb: cannot scan %T into a date", v)
}

func (d *Date) parse(s string) error {
	if len(s) > 10 {
		s = s[:10]
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return fmt.Errorf("sqldb: bad date %q", s)
	}
	d.Time = t
	return nil
}
