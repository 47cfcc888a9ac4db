package ingest_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/ofx"
)

// A sync and an uploaded statement file both keep the statement's closing
// balance as of its day and the investment account's positions.
func TestStatementBalancesAndHoldingsAreKept(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	conn, _, err := f.svc.Connect(ctx, f.user.ID, ingest.ConnectRequest{URL: f.url, Login: "alice", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Sync(ctx, f.user.ID, conn.ID); err != nil {
		t.Fatal(err)
	}
	today := time.Date(f.now.Year(), f.now.Month(), f.now.Day(), 0, 0, 0, 0, time.UTC)
	check := func(when string, day time.Time) {
		t.Helper()
		bs, err := f.st.Balances(ctx, f.user.ID, day, day)
		if err != nil {
			t.Fatal(err)
		}
		accts, err := f.st.Accounts(ctx, f.user.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range accts {
			rows := bs[a.ID] // an earlier day leads, when there is one
			if len(rows) == 0 {
				t.Fatalf("%s: %s: no balance", when, a.Name)
			}
			last := rows[len(rows)-1]
			if !last.Day.Equal(day) || last.Balance != a.Balance || last.Source != tally.BalanceStatement {
				t.Errorf("%s: %s: got balance %+v, want the statement's %d on %s", when, a.Name, last, a.Balance, day.Format(tally.DateLayout))
			}
		}
		hs, err := f.st.LatestHoldings(ctx, f.user.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(hs) == 0 || !hs[0].AsOf.Equal(day) {
			t.Errorf("%s: got holdings %+v, want the investment statement's positions as of %s", when, hs, day.Format(tally.DateLayout))
		}
	}
	check("after the sync", today)

	f.now = f.now.Add(3 * 24 * time.Hour)
	var buf bytes.Buffer
	if err := ofx.WriteResponse(&buf, &ofx.Response{Version: 102, SignOn: ofx.SignOnResponse{Org: "Demo"}, Statements: f.bank.Statements("alice", time.Time{}, f.now)}); err != nil {
		t.Fatal(err)
	}
	f.importFile(t, "download.qfx", "", buf.String())
	check("after the upload", today.AddDate(0, 0, 3))
}
