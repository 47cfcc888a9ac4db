// Package sqldbtest gives tests a fresh, migrated Tally database: SQLite in a
// temporary directory by default, or a private schema of the PostgreSQL
// database named by TALLY_TEST_DATABASE_URL, so the same suite runs on both
// dialects and tests never see each other's rows.
package sqldbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/sqldb"
)

// EnvURL is the environment variable naming the PostgreSQL database tests
// run against; when it is empty they run on SQLite.
const EnvURL = "TALLY_TEST_DATABASE_URL"

// Dialect returns the dialect Open uses in this run.
func Dialect() sqldb.Dialect {
	if os.Getenv(EnvURL) != "" {
		return sqldb.Postgres
	}
	return sqldb.SQLite
}

// Open returns a fresh database with Tally's schema migrated, closed (and on
// PostgreSQL dropped) when the test ends. On SQLite it is a file in
// t.TempDir(); on PostgreSQL it is a new schema test_<random> of the database
// in TALLY_TEST_DATABASE_URL, selected through search_path.
func Open(t testing.TB) *sqldb.DB {
	t.Helper()
	return OpenAt(t, 0)
}

// OpenAt is Open with the schema migrated up to version only (0: the
// latest), for tests that carry data across a later migration.
func OpenAt(t testing.TB, version int64) *sqldb.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	rawURL := sqldb.DefaultURL(t.TempDir())
	if base := os.Getenv(EnvURL); base != "" {
		rawURL = postgresSchema(t, ctx, base)
	}
	db, err := sqldb.Open(ctx, rawURL)
	if err != nil {
		t.Fatalf("sqldbtest: %v", err)
	}
	t.Cleanup(func() { db.Close() }) // runs before the schema is dropped
	if err := db.MigrateTo(ctx, version); err != nil {
		t.Fatalf("sqldbtest: %v", err)
	}
	return db
}

// postgresSchema creates a schema for one test and returns base with its
// search_path set to it. The schema is dropped when the test ends.
func postgresSchema(t testing.TB, ctx context.Context, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("sqldbtest: %s: %v", EnvURL, err)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema := "test_" + hex.EncodeToString(b[:])

	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("sqldbtest: open %s: %v", sqldb.Redact(base), err)
	}
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		t.Fatalf("sqldbtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("sqldbtest: drop schema %s: %v", schema, err)
		}
	})

	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
