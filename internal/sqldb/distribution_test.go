package sqldb_test

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/tallyhq/tally/internal/sqldb"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
)

// Tables that are not one user's rows, by design. Their keys do not start
// with user_id and the distribution test leaves them out.
var globalTables = map[string]string{
	"goose_db_version":  "the migrations' own bookkeeping",
	"auth_attempts":     "failed sign-in counts by account email or client address, looked up before any user is known; a reference table",
	"worker_heartbeats": "one row per worker process, read by every process; a reference table",
	"crowd_votes":       "the crowd's votes are counted per merchant across users (keyed by merchant_key); distributed by merchant_key",
	"crowd_categories":  "the crowd's category per merchant, shared by every user; a reference table",
	"river_*":           "River's job queue (jobs of every user, keyed by job id), migrated by River itself; a local table of the coordinator",
	"category_codes":    "the small codes of category ids, shared by every user; a reference table",
	"source_codes":      "the small codes of category sources, shared by every user; a reference table",
	"transaction_seq":   "SQLite's one counter of transaction ids, unique across users (a sequence on PostgreSQL)",
}

// Per-user tables keyed by the user's number (user_keys.num, 4 bytes)
// instead of the user's 27-byte text id, which would otherwise be repeated
// in every row and index entry of the largest table. Their keys start with
// user_num; in a distributed database they are distributed by it.
var userNumTables = map[string]string{
	"transaction_rows": "one row per transaction (ADR 0008); its partitions are transaction_rows_yYYYYmMM (a month) and transaction_rows_yYYYY (a past year, 00015)",
}

func userNumTable(table string) bool {
	if _, ok := userNumTables[table]; ok {
		return true
	}
	return strings.HasPrefix(table, "transaction_rows_y")
}

func global(table string) bool {
	_, ok := globalTables[table]
	return ok || strings.HasPrefix(table, "river_")
}

// Keys of per-user tables that are looked up before the user is known.
// In a database distributed by user_id they move to a lookup table
// distributed by that key, which maps it to the user.
var lookupKeys = map[string]string{
	"tokens(token_hash)": "a bearer token is found by its hash before the user is known",
	"users(email)":       "sign-in finds the user by e-mail before the user is known",
}

type uniqueKey struct {
	table, name string
	columns     []string
}

type foreignKey struct {
	table, refTable string
	from, to        []string
}

// TestKeysStartWithUserID checks the schema is ready for a database
// distributed by user_id (Citus): every primary and unique key of a
// per-user table starts with user_id (the users table's own id is the
// user id), and every foreign key carries user_id to the same user's row.
func TestKeysStartWithUserID(t *testing.T) {
	t.Parallel()
	db := sqldbtest.Open(t)
	ctx := context.Background()
	var keys []uniqueKey
	var fks []foreignKey
	var err error
	if db.Dialect == sqldb.Postgres {
		keys, fks, err = postgresKeys(ctx, db)
	} else {
		keys, fks, err = sqliteKeys(ctx, db)
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) < 10 || len(fks) < 5 {
		t.Fatalf("found %d unique keys and %d foreign keys; the catalog query is wrong", len(keys), len(fks))
	}
	for _, p := range distributionProblems(keys, fks) {
		t.Error(p)
	}
}

// The check itself catches a key without user_id and a foreign key that
// could point at another user's row.
func TestDistributionProblems(t *testing.T) {
	t.Parallel()
	keys := []uniqueKey{
		{table: "users", name: "pk", columns: []string{"id"}},
		{table: "users", name: "email", columns: []string{"email"}},
		{table: "tokens", name: "pk", columns: []string{"token_hash"}},
		{table: "things", name: "pk", columns: []string{"id", "user_id"}},
		{table: "crowd_votes", name: "pk", columns: []string{"merchant_key", "user_id"}},
		{table: "transaction_rows", name: "pk", columns: []string{"user_num", "posted_on", "id"}},
		{table: "transaction_rows_y2026m01", name: "dedupe", columns: []string{"external_id", "user_num"}},
	}
	fks := []foreignKey{
		{table: "things", refTable: "users", from: []string{"user_id"}, to: []string{"id"}},
		{table: "things", refTable: "accounts", from: []string{"account_id"}, to: []string{"id"}},
	}
	got := strings.Join(distributionProblems(keys, fks), "\n")
	for _, want := range []string{"things: key things(id, user_id) does not start with user_id", "things: foreign key (account_id) -> accounts(id)",
		"transaction_rows_y2026m01: key transaction_rows_y2026m01(external_id, user_num) does not start with user_num"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems %q do not include %q", got, want)
		}
	}
	if n := strings.Count(got, "\n") + 1; n != 3 {
		t.Errorf("got %d problems, want 3:\n%s", n, got)
	}
}

// distributionProblems lists the keys and foreign keys that would not
// work in a database distributed by user_id.
func distributionProblems(keys []uniqueKey, fks []foreignKey) []string {
	var out []string
	usedLookup := map[string]bool{}
	for _, k := range keys {
		if global(k.table) {
			continue
		}
		name := k.table + "(" + strings.Join(k.columns, ", ") + ")"
		if _, ok := lookupKeys[name]; ok {
			usedLookup[name] = true
			continue
		}
		userCol := "user_id"
		if k.table == "users" {
			userCol = "id"
		}
		if userNumTable(k.table) {
			userCol = "user_num"
		}
		if len(k.columns) == 0 || k.columns[0] != userCol {
			out = append(out, fmt.Sprintf("%s: key %s does not start with %s", k.table, name, userCol))
		}
	}
	for name := range lookupKeys {
		if !usedLookup[name] {
			out = append(out, fmt.Sprintf("lookup key %s is listed as an exception but no longer exists; remove it from lookupKeys", name))
		}
	}
	for _, fk := range fks {
		if global(fk.table) {
			continue
		}
		want := "user_id"
		if fk.refTable == "users" {
			want = "id"
		}
		same := false
		for i := range fk.from {
			if fk.from[i] == "user_id" && i < len(fk.to) && fk.to[i] == want {
				same = true
			}
		}
		if !same {
			out = append(out, fmt.Sprintf("%s: foreign key (%s) -> %s(%s) does not tie user_id to the referenced row's %s, so it may cross users",
				fk.table, strings.Join(fk.from, ", "), fk.refTable, strings.Join(fk.to, ", "), want))
		}
	}
	return out
}

func postgresKeys(ctx context.Context, db *sqldb.DB) ([]uniqueKey, []foreignKey, error) {
	var keys []uniqueKey
	rows, err := db.QueryContext(ctx, `
SELECT c.relname, i.relname,
       array_to_string(ARRAY(
           SELECT COALESCE(a.attname, '(expression)')
           FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
           LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
           WHERE k.ord <= x.indnkeyatts
           ORDER BY k.ord), ',')
FROM pg_index x
JOIN pg_class c ON c.oid = x.indrelid
JOIN pg_class i ON i.oid = x.indexrelid
WHERE x.indisunique AND c.relnamespace = current_schema()::regnamespace
ORDER BY 1, 2`)
	if err != nil {
		return nil, nil, fmt.Errorf("unique keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k uniqueKey
		var cols string
		if err := rows.Scan(&k.table, &k.name, &cols); err != nil {
			return nil, nil, err
		}
		k.columns = strings.Split(cols, ",")
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}

	var fks []foreignKey
	frows, err := db.QueryContext(ctx, `
SELECT c.relname, r.relname,
       array_to_string(ARRAY(
           SELECT a.attname FROM unnest(f.conkey) WITH ORDINALITY AS k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.attnum ORDER BY k.ord), ','),
       array_to_string(ARRAY(
           SELECT a.attname FROM unnest(f.confkey) WITH ORDINALITY AS k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = f.confrelid AND a.attnum = k.attnum ORDER BY k.ord), ',')
FROM pg_constraint f
JOIN pg_class c ON c.oid = f.conrelid
JOIN pg_class r ON r.oid = f.confrelid
WHERE f.contype = 'f' AND f.connamespace = current_schema()::regnamespace
ORDER BY 1, 2`)
	if err != nil {
		return nil, nil, fmt.Errorf("foreign keys: %w", err)
	}
	defer frows.Close()
	for frows.Next() {
		var fk foreignKey
		var from, to string
		if err := frows.Scan(&fk.table, &fk.refTable, &from, &to); err != nil {
			return nil, nil, err
		}
		fk.from, fk.to = strings.Split(from, ","), strings.Split(to, ",")
		fks = append(fks, fk)
	}
	return keys, fks, frows.Err()
}

func sqliteKeys(ctx context.Context, db *sqldb.DB) ([]uniqueKey, []foreignKey, error) {
	tables, err := strings1(ctx, db.DB, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, nil, err
	}
	var keys []uniqueKey
	var fks []foreignKey
	for _, table := range tables {
		// The primary key, in key order (a rowid table's INTEGER PRIMARY
		// KEY has no index of its own).
		rows, err := db.QueryContext(ctx, `SELECT name, pk FROM pragma_table_info(?) WHERE pk > 0`, table)
		if err != nil {
			return nil, nil, err
		}
		pk := map[int]string{}
		for rows.Next() {
			var name string
			var n int
			if err := rows.Scan(&name, &n); err != nil {
				rows.Close()
				return nil, nil, err
			}
			pk[n] = name
		}
		rows.Close()
		if len(pk) > 0 {
			k := uniqueKey{table: table, name: "primary key"}
			for i := 1; i <= len(pk); i++ {
				k.columns = append(k.columns, pk[i])
			}
			keys = append(keys, k)
		}
		// Unique constraints and indexes other than the primary key.
		idx, err := strings1(ctx, db.DB, `SELECT name FROM pragma_index_list(?) WHERE "unique" = 1 AND origin <> 'pk'`, table)
		if err != nil {
			return nil, nil, err
		}
		for _, name := range idx {
			cols, err := strings1(ctx, db.DB, `SELECT COALESCE(name, '(expression)') FROM pragma_index_info(?) ORDER BY seqno`, name)
			if err != nil {
				return nil, nil, err
			}
			keys = append(keys, uniqueKey{table: table, name: name, columns: cols})
		}
		// Foreign keys, grouped by id in column order.
		frows, err := db.QueryContext(ctx, `SELECT id, seq, "table", "from", COALESCE("to", '') FROM pragma_foreign_key_list(?) ORDER BY id, seq`, table)
		if err != nil {
			return nil, nil, err
		}
		byID := map[int]*foreignKey{}
		var ids []int
		for frows.Next() {
			var id, seq int
			var ref, from, to string
			if err := frows.Scan(&id, &seq, &ref, &from, &to); err != nil {
				frows.Close()
				return nil, nil, err
			}
			fk := byID[id]
			if fk == nil {
				fk = &foreignKey{table: table, refTable: ref}
				byID[id] = fk
				ids = append(ids, id)
			}
			fk.from, fk.to = append(fk.from, from), append(fk.to, to)
		}
		frows.Close()
		sort.Ints(ids)
		for _, id := range ids {
			fks = append(fks, *byID[id])
		}
	}
	return keys, fks, nil
}

func strings1(ctx context.Context, db *sql.DB, query string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
