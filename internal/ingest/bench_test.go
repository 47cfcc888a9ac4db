package ingest_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/blob"
	"github.com/tallyhq/tally/internal/categorize"
	"github.com/tallyhq/tally/internal/demobank"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/ofx"
	"github.com/tallyhq/tally/internal/secret"
	"github.com/tallyhq/tally/internal/source/ofxdirect"
	"github.com/tallyhq/tally/internal/sqldb"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
)

const benchRows = 100_000

// benchDoc is a 100,000-transaction OFX statement as an institution would
// send it.
func benchDoc(b *testing.B) []byte {
	b.Helper()
	st := demobank.SyntheticStatement(benchRows, 1)
	var buf bytes.Buffer
	resp := &ofx.Response{Version: 102, SignOn: ofx.SignOnResponse{Org: demobank.Org, FID: demobank.FID}, Statements: []ofx.Statement{st}}
	if err := ofx.WriteResponse(&buf, resp); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// newBenchAccount creates a user with a fresh account, so every iteration
// inserts all rows instead of skipping them as duplicates.
func newBenchAccount(b *testing.B, st *store.Store, i int) *tally.Account {
	b.Helper()
	ctx := context.Background()
	u, err := st.CreateUser(ctx, fmt.Sprintf("bench%d@example.com", i), "hash")
	if err != nil {
		b.Fatal(err)
	}
	a := &tally.Account{ExternalID: "bank:CHECKING:1:1", Name: "Bench", Type: tally.AccountChecking, Currency: "USD"}
	if err := st.CreateConnection(ctx, &tally.Connection{UserID: u.ID, Kind: tally.ConnectionOFX, URL: "http://bank.test", Login: "b"}, []byte("x"), []*tally.Account{a}); err != nil {
		b.Fatal(err)
	}
	return a
}

// BenchmarkSyncPipeline measures raw OFX bytes to committed, categorized,
// deduplicated rows with monthly totals updated: parse, normalize,
// categorize, and insert in chunks of 10,000, one database transaction each.
func BenchmarkSyncPipeline(b *testing.B) {
	doc := benchDoc(b)
	st := store.New(sqldbtest.Open(b), store.NoJobs{})
	blobs, _ := blob.NewDir(b.TempDir())
	box, _ := secret.New(make([]byte, 32))
	svc := &ingest.Service{Store: st, Blobs: blobs, Box: box, Categorize: categorize.New()}
	ctx := context.Background()
	b.SetBytes(int64(len(doc)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		acct := newBenchAccount(b, st, i)
		b.StartTimer()
		statements, err := ofxdirect.Parse(doc)
		if err != nil {
			b.Fatal(err)
		}
		n, err := svc.ImportStatement(ctx, acct, &statements[0])
		if err != nil {
			b.Fatal(err)
		}
		if n != benchRows {
			b.Fatalf("inserted %d, want %d", n, benchRows)
		}
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "txn/s")
}

// BenchmarkPlainInsert is the ceiling the pipeline is measured against: the
// same rows, already parsed and categorized, bulk-inserted into the same
// table, 10,000 per transaction, with no dedupe, no RETURNING and no monthly
// totals: multi-row INSERTs of 1,000 rows on SQLite, COPY on PostgreSQL.
func BenchmarkPlainInsert(b *testing.B) {
	doc := benchDoc(b)
	db := sqldbtest.Open(b)
	st := store.New(db, store.NoJobs{})
	resp, err := ofx.Parse(bytes.NewReader(doc))
	if err != nil {
		b.Fatal(err)
	}
	eng := categorize.New()
	ctx := context.Background()
	// The compact table's columns (ADR 0008), with numbers for the user,
	// account, seller and codes as the store would give them.
	cols := []string{"user_num", "posted_on", "id", "account_num", "external_id", "amount", "currency", "description",
		"merchant_id", "category", "category_source", "pending"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		newBenchAccount(b, st, i) // the user and account the rows belong to, as in BenchmarkSyncPipeline
		rows := make([][]any, 0, benchRows)
		codes := map[string]int16{}
		for j, t := range resp.Statements[0].Transactions {
			r := eng.Categorize(categorize.Input{Description: t.Name, Amount: t.Amount, Type: t.Type})
			day := time.Date(t.Posted.Year(), t.Posted.Month(), t.Posted.Day(), 0, 0, 0, 0, time.UTC)
			var posted any = day.Format(tally.DateLayout)
			if db.Dialect == sqldb.Postgres {
				posted = day
				month := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
				if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS transaction_rows_`+month.Format("y2006m01")+
					` PARTITION OF transaction_rows FOR VALUES FROM ('`+month.Format(tally.DateLayout)+`') TO ('`+month.AddDate(0, 1, 0).Format(tally.DateLayout)+`')`); err != nil {
					b.Fatal(err)
				}
			}
			if _, ok := codes[r.Category]; !ok {
				codes[r.Category] = int16(len(codes) + 1)
			}
			id := int64(day.Unix()/86400)<<47 | int64(i*benchRows+j+1)
			rows = append(rows, []any{int32(i + 1000), posted, id, int16(1), t.FITID, t.Amount, "USD",
				t.Name, int32(len(r.Merchant)), codes[r.Category], int16(1), false})
		}
		b.StartTimer()
		for len(rows) > 0 {
			chunk := rows[:min(10_000, len(rows))]
			rows = rows[len(chunk):]
			if db.Dialect == sqldb.Postgres {
				copyRows(b, db, cols, chunk)
				continue
			}
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				b.Fatal(err)
			}
			for len(chunk) > 0 {
				part := chunk[:min(1000, len(chunk))]
				chunk = chunk[len(part):]
				q := `INSERT INTO transaction_rows (` + strings.Join(cols, ", ") + `) VALUES ` +
					strings.TrimSuffix(strings.Repeat("(?,?,?,?,?,?,?,?,?,?,?,?),", len(part)), ",")
				args := make([]any, 0, len(part)*12)
				for _, r := range part {
					args = append(args, r...)
				}
				if _, err := tx.ExecContext(ctx, q, args...); err != nil {
					b.Fatal(err)
				}
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "txn/s")
}

// copyRows writes rows into transaction_rows with one COPY in one transaction.
func copyRows(b *testing.B, db *sqldb.DB, cols []string, rows [][]any) {
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		tx, err := pc.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"transaction_rows"}, cols, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
	if err != nil {
		b.Fatal(err)
	}
}
