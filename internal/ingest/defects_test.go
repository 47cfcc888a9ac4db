package ingest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/blob"
	"github.com/tallyhq/tally/internal/ingest"
)

// A connection deleted while its sync runs leaves no transactions and no
// monthly totals behind: the insert finds the account gone.
func TestConnectionDeletedDuringSyncLeavesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	var deleteNext atomic.Bool
	var connID string
	// The institution answers the statement request only after the user
	// deleted the connection: the sync has fetched, nothing is stored yet.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if deleteNext.CompareAndSwap(true, false) {
			if _, err := f.st.DeleteConnection(r.Context(), f.user.ID, connID); err != nil {
				t.Errorf("delete connection: %v", err)
			}
		}
		f.bank.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	conn, _, err := f.svc.Connect(ctx, f.user.ID, ingest.ConnectRequest{URL: srv.URL + "/ofx", Login: "alice", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	connID = conn.ID
	deleteNext.Store(true)
	_, err = f.svc.Sync(ctx, f.user.ID, conn.ID)
	if tally.ErrorCode(err) != tally.ENOTFOUND {
		t.Fatalf("sync of a deleted connection: got %v, want not found", err)
	}
	if n := f.storedCount(t); n != 0 {
		t.Fatalf("%d transactions left behind by a deleted connection", n)
	}
	var totals int
	if err := f.st.DB().QueryRow(f.st.DB().Rebind(`SELECT COUNT(*) FROM monthly_totals WHERE user_id = ? AND (amount <> 0 OR count <> 0)`), f.user.ID).Scan(&totals); err != nil {
		t.Fatal(err)
	}
	if totals != 0 {
		t.Fatalf("%d monthly totals left behind by a deleted connection", totals)
	}
}

// A QIF or CSV amount is in the account's currency: -1500 imported into a
// JPY account is -1,500 yen, not -150,000.
func TestImportIntoJPYAccountKeepsWholeYen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	connID, err := f.st.EnsureFileConnection(ctx, f.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	acct, err := f.st.EnsureAccount(ctx, &tally.Account{UserID: f.user.ID, ConnectionID: connID, ExternalID: "file:yen", Name: "Yen wallet",
		Type: tally.AccountOther, Currency: "JPY", Status: tally.StatusActive})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, data string }{
		{"yen.csv", "Date,Description,Amount\n2026-11-02,Ichiran Ramen,-1500\n"},
		{"yen.qif", "!Type:Bank\nD11/03/2026\nT-1,500\nPIchiran Ramen\n^\n"},
	} {
		wantCounts(t, f.importFile(t, tc.name, acct.ID, tc.data), tally.ImportDone, 1, 1, 0, 0)
	}
	txns, _, err := f.st.Transactions(ctx, f.user.ID, tally.TransactionFilter{AccountID: acct.ID, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(txns) != 2 {
		t.Fatalf("got %d transactions, want 2", len(txns))
	}
	for _, x := range txns {
		if x.Amount != -1500 || x.Currency != "JPY" {
			t.Errorf("%s: got %d %s, want -1500 JPY", x.PostedOn.Format(tally.DateLayout), x.Amount, x.Currency)
		}
	}
	assertTotalsMatch(t, f)
}

// An import whose file is missing from the object store (an API and a
// worker that do not share one) ends failed with a clear reason instead of
// staying running.
func TestImportOfMissingFileFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	imp, err := f.svc.NewImport(ctx, f.user.ID, "", "coffee.csv", strings.NewReader(coffeesCSV), false)
	if err != nil {
		t.Fatal(err)
	}
	other, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	worker := &ingest.Service{Store: f.st, Blobs: other, Categorize: f.svc.Categorize, Now: f.svc.Now}
	done, err := worker.RunImport(ctx, f.user.ID, imp.ID, nil)
	if err != nil {
		t.Fatalf("RunImport: %v, want the import failed and no error", err)
	}
	stored, err := f.st.Import(ctx, f.user.ID, imp.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range []*tally.Import{done, stored} {
		if got.Status != tally.ImportFailed || !strings.Contains(got.Message, "coffee.csv is missing from the object store") || got.FinishedAt == nil {
			t.Errorf("got %s %q, want failed naming the missing file", got.Status, got.Message)
		}
	}
	if n := f.storedCount(t); n != 0 {
		t.Fatalf("stored %d transactions", n)
	}
}

// A FITID that a statement repeats for different transactions is not an id:
// each such line is kept, and importing the file again adds nothing.
func TestRepeatedFITIDsForDifferentLinesAreKept(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const doc = `OFXHEADER:100
DATA:OFXSGML
VERSION:102

<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<STMTRS><CURDEF>USD<BANKACCTFROM><BANKID>111<ACCTID>999<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20261101<DTEND>20261130
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20261102<TRNAMT>-4.50<FITID>0<NAME>BLUE BOTTLE COFFEE</STMTTRN>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20261103<TRNAMT>-56.78<FITID>0<NAME>WHOLEFDS HOU 10236</STMTTRN>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20261103<TRNAMT>-56.78<FITID>0<NAME>WHOLEFDS HOU 10236</STMTTRN>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20261104<TRNAMT>-9.00<FITID>77<NAME>SQ *MARIO'S TACO TRUCK</STMTTRN>
</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
`
	wantCounts(t, f.importFile(t, "repeats.ofx", "", doc), tally.ImportDone, 4, 4, 0, 0)
	wantCounts(t, f.importFile(t, "repeats.ofx", "", doc), tally.ImportDone, 4, 0, 4, 0)
	assertTotalsMatch(t, f)
}
