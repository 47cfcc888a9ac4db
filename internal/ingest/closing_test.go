package ingest_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/insight"
)

// An uploaded CAMT.053 or MT940 statement keeps its closing balance as the
// account's balance at the end of the closing day, and the daily balances
// net worth over time is drawn from are derived from it: the day before
// the statement's first line holds its opening balance (where every line
// was read).
func TestFileClosingBalancesAreDated(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file, account string // the fixture, the end of the account's number
		closing       int64
		closedOn      string
		opening       int64 // the derived balance on openedOn; skipped when openedOn is ""
		openedOn      string
	}{
		{"statement.mt940", "0000123456", 98750, "2024-01-02", 100000, "2024-01-01"},
		// Two messages: the yen account's :62F:. The euro account has a
		// rejected line, so its opening is not derivable from its lines.
		{"mt940_quirks.sta", "0532013001", -13500, "2024-01-08", -12000, "2024-01-07"},
		{"mt940_quirks.sta", "0532013000", 413202, "2024-01-06", 0, ""},
		// Two statements of one account closing on the same day: the later
		// one's CLBD stands.
		{"camt053_v02_multi_statement.xml", "NL26VAYB8060476890", 2000, "2014-12-31", 1815, "2014-12-30"},
		{"camt053_v04_quirks.xml", "DE89370400440532013000", 289316, "2024-02-29", 0, ""},
	}
	for _, c := range cases {
		t.Run(c.file+"/"+c.account, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			f := newFixture(t)
			raw, err := os.ReadFile("../source/file/testdata/" + c.file)
			if err != nil {
				t.Fatal(err)
			}
			imp := f.importFile(t, c.file, "", string(raw))
			if imp.Status != tally.ImportDone {
				t.Fatalf("import: %s %s", imp.Status, imp.Message)
			}
			accts, err := f.st.Accounts(ctx, f.user.ID)
			if err != nil {
				t.Fatal(err)
			}
			var acct *tally.Account
			for _, a := range accts {
				if strings.HasSuffix(a.ExternalID, c.account) {
					acct = a
				}
			}
			if acct == nil {
				t.Fatalf("no account %s among %d", c.account, len(accts))
			}
			closed, _ := time.Parse(tally.DateLayout, c.closedOn)
			bs, err := f.st.Balances(ctx, f.user.ID, closed, closed)
			if err != nil {
				t.Fatal(err)
			}
			rows := bs[acct.ID]
			if len(rows) == 0 {
				t.Fatalf("no balance stored for %s", c.account)
			}
			if got := rows[len(rows)-1]; !got.Day.Equal(closed) || got.Balance != c.closing || got.Source != tally.BalanceStatement {
				t.Fatalf("got %s %d (%s), want the closing balance %d on %s", got.Day.Format(tally.DateLayout), got.Balance, got.Source, c.closing, c.closedOn)
			}
			if c.openedOn == "" {
				return
			}
			pass := &insight.Service{Store: f.st, Now: func() time.Time { return closed.Add(36 * time.Hour) }}
			if _, err := pass.Run(ctx, f.user.ID); err != nil {
				t.Fatal(err)
			}
			opened, _ := time.Parse(tally.DateLayout, c.openedOn)
			bs, err = f.st.Balances(ctx, f.user.ID, opened, closed)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int64{}
			for _, b := range bs[acct.ID] {
				got[b.Day.Format(tally.DateLayout)] = b.Balance
			}
			if got[c.openedOn] != c.opening || got[c.closedOn] != c.closing {
				t.Fatalf("derived balances %v: want the opening %d on %s and the closing %d on %s", got, c.opening, c.openedOn, c.closing, c.closedOn)
			}
		})
	}
}
