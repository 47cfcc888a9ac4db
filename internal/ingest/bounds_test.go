package ingest_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/tallyhq/tally"
)

// Amounts beyond what any bank reports are refused row by row, with the
// line and the field named, and the rest of the file is kept: twelve rows
// of -9,999,999,999,999,999.99 once drove a month's totals past int64.
func TestImportRefusesAmountsBeyondBounds(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var b strings.Builder
	b.WriteString("Date,Description,Amount\n2026-11-02,Blue Bottle Coffee,-4.50\n")
	for i := range 12 {
		fmt.Fprintf(&b, "2026-11-%02d,Huge,-9999999999999999.99\n", i+3)
	}
	b.WriteString("2026-11-20,Just Under,-10000000000.00\n2026-11-21,Just Over,-10000000000.01\n")
	imp := f.importFile(t, "huge.csv", "", b.String())
	wantCounts(t, imp, tally.ImportDone, 2, 2, 0, 13)
	if len(imp.Errors) == 0 || imp.Errors[0].Line != 3 || !strings.Contains(imp.Errors[0].Reason, "amount") || !strings.Contains(imp.Errors[0].Reason, "beyond") {
		t.Errorf("first error %+v, want line 3 naming the amount", imp.Errors)
	}
	assertTotalsMatch(t, f)
	totals, err := f.st.MonthlyTotals(context.Background(), f.user.ID, "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, x := range totals {
		sum += x.Amount
	}
	if sum != -1_000_000_000_450 {
		t.Errorf("November totals sum to %d, want -1000000000450", sum)
	}

	raw, err := os.ReadFile("../source/file/testdata/bank.qfx")
	if err != nil {
		t.Fatal(err)
	}
	ofxDoc := strings.Replace(string(raw), "<TRNAMT>-4.75", "<TRNAMT>-99999999999999.00", 1)
	imp = f.importFile(t, "huge.ofx", "", ofxDoc)
	if imp.Status != tally.ImportFailed || !strings.Contains(imp.Message+fmt.Sprint(imp.Errors), "TRNAMT") {
		t.Errorf("an OFX file with a huge TRNAMT: %s %s %v, want failed naming TRNAMT", imp.Status, imp.Message, imp.Errors)
	}

	// A ledger balance beyond bounds (net worth adds balances) fails the
	// file before any of its lines is stored.
	before, err := f.st.Accounts(context.Background(), f.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	ofxDoc = strings.Replace(string(raw), "<BALAMT>1523.42", "<BALAMT>99999999999999.00", 1)
	imp = f.importFile(t, "rich.ofx", "", ofxDoc)
	if imp.Status != tally.ImportFailed || imp.Inserted != 0 || !strings.Contains(imp.Message, "balance") {
		t.Errorf("an OFX file with a huge balance: %s inserted %d %q, want failed naming the balance, nothing inserted", imp.Status, imp.Inserted, imp.Message)
	}
	after, err := f.st.Accounts(context.Background(), f.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Errorf("the refused file left %d new accounts", len(after)-len(before))
	}
	assertTotalsMatch(t, f)
}

// The store refuses an amount beyond bounds whatever path it came by.
func TestStoreRefusesAmountsBeyondBounds(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	x := &tally.Transaction{AccountID: "a", ExternalID: "x1", Amount: -tally.MaxAmount - 1, Currency: "USD", Category: tally.Uncategorized, CategorySource: tally.SourceNone}
	if _, err := f.st.InsertTransactions(context.Background(), f.user.ID, []*tally.Transaction{x}); tally.ErrorCode(err) != tally.EINVALID || !strings.Contains(err.Error(), "x1") {
		t.Errorf("got %v, want invalid_argument naming the transaction", err)
	}
}
