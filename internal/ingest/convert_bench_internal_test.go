package ingest

import (
	"bytes"
	"testing"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/categorize"
	"github.com/tallyhq/tally/internal/demobank"
	"github.com/tallyhq/tally/internal/ofx"
	"github.com/tallyhq/tally/internal/source/file"
)

// BenchmarkReadAndConvert100k measures everything an import does before the
// store: parse the 100,000-transaction benchmark statement in two passes,
// normalize and categorize every line and give it its id, into rows ready
// for the insert (the database's share is BenchmarkImport's).
func BenchmarkReadAndConvert100k(b *testing.B) {
	var buf bytes.Buffer
	resp := &ofx.Response{Version: 102, SignOn: ofx.SignOnResponse{Org: demobank.Org, FID: demobank.FID},
		Statements: []ofx.Statement{demobank.SyntheticStatement(100_000, 1)}}
	if err := ofx.WriteResponse(&buf, resp); err != nil {
		b.Fatal(err)
	}
	doc := buf.Bytes()
	s := &Service{Categorize: categorize.New()}
	acct := &tally.Account{ID: "06h35hp3adwem3220vsabe8mkm", Currency: "USD"}
	rows := make([]tally.Transaction, DefaultChunkSize)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		r := &run{s: s, userID: "u", history: categorize.NewHistory(nil), accounts: map[string]*accountRun{}}
		ar := r.account(acct)
		n := 0
		_, err := file.Read(bytes.NewReader(doc), DefaultChunkSize, func(c *file.Chunk) error {
			for i := range c.Transactions {
				r.convert(&rows[i], ar, &c.Transactions[i], c.Currency)
			}
			n += len(c.Transactions)
			return nil
		})
		if err != nil || n != 100_000 {
			b.Fatalf("read %d lines: %v", n, err)
		}
	}
}
