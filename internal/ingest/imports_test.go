package ingest_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/ofx"
)

// importFile uploads data and runs its import as the job would.
func (f *fixture) importFile(t *testing.T, name, accountID, data string) *tally.Import {
	t.Helper()
	ctx := context.Background()
	imp, err := f.svc.NewImport(ctx, f.user.ID, accountID, name, strings.NewReader(data), false)
	if err != nil {
		t.Fatalf("NewImport(%s): %v", name, err)
	}
	if imp.Status != tally.ImportQueued {
		t.Fatalf("new import is %q, want queued", imp.Status)
	}
	var seen []int64
	done, err := f.svc.RunImport(ctx, f.user.ID, imp.ID, func(p *tally.Import) { seen = append(seen, p.Parsed) })
	if err != nil {
		t.Fatalf("RunImport(%s): %v", name, err)
	}
	stored, err := f.st.Import(ctx, f.user.ID, imp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Status != done.Status || stored.Inserted != done.Inserted || stored.Parsed != done.Parsed {
		t.Fatalf("stored import %+v differs from the run's %+v", stored, done)
	}
	if len(seen) == 0 {
		t.Fatalf("import %s reported no progress", name)
	}
	return stored
}

func wantCounts(t *testing.T, imp *tally.Import, status string, parsed, inserted, duplicates, rejected int64) {
	t.Helper()
	if imp.Status != status || imp.Parsed != parsed || imp.Inserted != inserted || imp.Duplicates != duplicates || imp.Rejected != rejected {
		t.Fatalf("got %s parsed %d inserted %d duplicates %d rejected %d (%s %v), want %s %d %d %d %d",
			imp.Status, imp.Parsed, imp.Inserted, imp.Duplicates, imp.Rejected, imp.Message, imp.Errors, status, parsed, inserted, duplicates, rejected)
	}
}

const coffeesCSV = `Date,Description,Amount
2026-11-02,Blue Bottle Coffee,-4.50
2026-11-02,Blue Bottle Coffee,-4.50
2026-11-03,Whole Foods Market,-56.78
`

func TestImportTwiceAddsNothingAndKeepsIdenticalPurchases(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	first := f.importFile(t, "visa.csv", "", coffeesCSV)
	wantCounts(t, first, tally.ImportDone, 3, 3, 0, 0)
	if first.AccountID == "" || first.Format != "csv" {
		t.Fatalf("import has account %q and format %q", first.AccountID, first.Format)
	}
	acct, err := f.st.Account(context.Background(), f.user.ID, first.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	if acct.Name != "visa" || acct.ConnectionID == "" {
		t.Errorf("account is %q under connection %q, want an account named after the file", acct.Name, acct.ConnectionID)
	}
	again := f.importFile(t, "visa.csv", "", coffeesCSV)
	wantCounts(t, again, tally.ImportDone, 3, 0, 3, 0)
	if again.AccountID != first.AccountID {
		t.Errorf("re-import went to account %s, want %s", again.AccountID, first.AccountID)
	}
	// The same rows into the account chosen explicitly: still nothing new.
	wantCounts(t, f.importFile(t, "renamed.csv", first.AccountID, coffeesCSV), tally.ImportDone, 3, 0, 3, 0)
	if n := f.storedCount(t); n != 3 {
		t.Fatalf("stored %d transactions, want 3 (both coffees kept once)", n)
	}
	assertTotalsMatch(t, f)
}

func TestImportOverlappingFilesAddsOnlyNewRows(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.importFile(t, "checking.qif", "", "!Type:Bank\nD11/1/2026\nT-10.00\nPLunch\n^\nD11/2/2026\nT-4.50\nPCoffee\n^\nD11/2/2026\nT-4.50\nPCoffee\n^\n")
	wantCounts(t, a, tally.ImportDone, 3, 3, 0, 0)
	// The next month's export repeats the last days and adds two rows, one
	// of them a third coffee on the same day.
	b := f.importFile(t, "checking.qif", a.AccountID, "!Type:Bank\nD11/2/2026\nT-4.50\nPCoffee\n^\nD11/2/2026\nT-4.50\nPCoffee\n^\nD11/2/2026\nT-4.50\nPCoffee\n^\nD11/3/2026\nT2500.00\nPPayroll\n^\n")
	wantCounts(t, b, tally.ImportDone, 4, 2, 2, 0)
	if n := f.storedCount(t); n != 5 {
		t.Fatalf("stored %d transactions, want 5", n)
	}
	assertTotalsMatch(t, f)
}

func TestImportOFXFileOverlapsSyncedData(t *testing.T) {
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
	synced := f.storedCount(t)
	before := f.fitids("alice")
	// The user downloads a statement file from the bank's website a week
	// later: it repeats what was synced and adds the new days (pending
	// lines that posted meanwhile carry new FITIDs, so they are new too).
	f.now = f.now.Add(7 * 24 * time.Hour)
	after := f.fitids("alice")
	var dup, fresh int64
	for id := range after {
		if before[id] {
			dup++
		} else {
			fresh++
		}
	}
	sts := f.bank.Statements("alice", time.Time{}, f.now)
	var buf bytes.Buffer
	if err := ofx.WriteResponse(&buf, &ofx.Response{Version: 102, SignOn: ofx.SignOnResponse{Org: "Demo"}, Statements: sts}); err != nil {
		t.Fatal(err)
	}
	imp := f.importFile(t, "download.qfx", "", buf.String())
	wantCounts(t, imp, tally.ImportDone, dup+fresh, fresh, dup, 0)
	if fresh == 0 || dup == 0 {
		t.Fatalf("the file should overlap the sync and add to it (%d new, %d old)", fresh, dup)
	}
	accts, err := f.st.Accounts(ctx, f.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accts {
		if a.ConnectionID != conn.ID {
			t.Errorf("the file created account %s (%s); it should have filled the synced one", a.Name, a.ExternalID)
		}
	}
	if n := f.storedCount(t); n != synced+int(fresh) {
		t.Fatalf("stored %d, want %d synced + %d new", n, synced, fresh)
	}
	// The same file again adds nothing.
	wantCounts(t, f.importFile(t, "download.qfx", "", buf.String()), tally.ImportDone, dup+fresh, 0, dup+fresh, 0)
	assertTotalsMatch(t, f)
}

func TestImportUnreadableFileFailsCleanly(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, tc := range []struct{ name, data, reason string }{
		{"no_header.csv", "hello,world\n1,2\n", "no header row"},
		{"all_bad.qif", "!Type:Bank\nDsoon\nT-1.00\n^\nD1/2/2026\nTlots\n^\n", "no QIF row could be read"},
		{"broken.ofx", "OFXHEADER:100\nDATA:OFXSGML\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><BANKTRANLIST><STMTTRN><TRNAMT>abc", "OFX"},
	} {
		imp := f.importFile(t, tc.name, "", tc.data)
		if imp.Status != tally.ImportFailed || imp.Inserted != 0 || !strings.Contains(imp.Message, tc.reason) || len(imp.Errors) == 0 || imp.FinishedAt == nil {
			t.Errorf("%s: got %+v, want failed with %q and nothing inserted", tc.name, imp, tc.reason)
		}
	}
	if n := f.storedCount(t); n != 0 {
		t.Fatalf("stored %d transactions from unreadable files", n)
	}
	accts, err := f.st.Accounts(context.Background(), f.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(accts) != 0 {
		t.Fatalf("unreadable files created %d accounts", len(accts))
	}
}

func TestImportRejectsRowsButKeepsTheRest(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	imp := f.importFile(t, "card.csv", "", "Date,Description,Amount\n2026-11-01,Ok,-1.00\n2026-13-01,Bad month,-2.00\n2026-11-02,Bad amount,two\n2026-11-03,Ok too,-3.00\n")
	wantCounts(t, imp, tally.ImportDone, 2, 2, 0, 2)
	if len(imp.Errors) != 2 || imp.Errors[0].Line != 3 || imp.Errors[1].Line != 4 || !strings.Contains(imp.Errors[1].Reason, "two") {
		t.Fatalf("got errors %+v, want lines 3 and 4 with reasons", imp.Errors)
	}
}

func TestNewImportRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	_, err := f.svc.NewImport(ctx, f.user.ID, "", "report.xml", strings.NewReader(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02">`), false)
	if tally.ErrorCode(err) != tally.EUNPROCESSABLE || !strings.Contains(tally.ErrorMessage(err), "camt.052") {
		t.Errorf("camt.052: got %v, want unprocessable naming camt.052", err)
	}
	other, err := f.st.CreateUser(ctx, "other@example.com", "hash")
	if err != nil {
		t.Fatal(err)
	}
	theirs := f.importFileAs(t, other.ID)
	_, err = f.svc.NewImport(ctx, f.user.ID, theirs.AccountID, "x.csv", strings.NewReader(coffeesCSV), false)
	if tally.ErrorCode(err) != tally.ENOTFOUND {
		t.Errorf("another user's account: got %v, want not found", err)
	}
	if _, err := f.st.Import(ctx, f.user.ID, theirs.ID); tally.ErrorCode(err) != tally.ENOTFOUND {
		t.Errorf("another user's import: got %v, want not found", err)
	}
}

func (f *fixture) importFileAs(t *testing.T, userID string) *tally.Import {
	t.Helper()
	ctx := context.Background()
	imp, err := f.svc.NewImport(ctx, userID, "", "theirs.csv", strings.NewReader(coffeesCSV), false)
	if err != nil {
		t.Fatal(err)
	}
	imp, err = f.svc.RunImport(ctx, userID, imp.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	return imp
}

// A file import files transactions by the user's rules like a sync does.
func TestImportAppliesRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	coffee := f.svc.Categorize.Merchant("Blue Bottle Coffee")
	if _, _, err := f.st.PutRule(ctx, f.user.ID, coffee.Key, coffee.Name, "gift"); err != nil {
		t.Fatal(err)
	}
	imp := f.importFile(t, "visa.csv", "", coffeesCSV)
	wantCounts(t, imp, tally.ImportDone, 3, 3, 0, 0)
	list, _, err := f.st.Transactions(ctx, f.user.ID, tally.TransactionFilter{Categories: []string{"gift"}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].CategorySource != tally.SourceRule {
		t.Fatalf("imported coffees under the rule's category: %d, want 2 with source rule", len(list))
	}
	assertTotalsMatch(t, f)
}
