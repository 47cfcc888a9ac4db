package simplefin_test

import (
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/source"
	"github.com/tallyhq/tally/internal/source/simplefin"
)

func TestStatement(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	a := simplefin.Account{ID: "ACT-42", Name: "Visa Card", Currency: "eur", Balance: "-120.50", Transactions: []simplefin.Transaction{
		{ID: "T1", Posted: time.Date(2026, 3, 2, 18, 30, 0, 0, time.UTC).Unix(), Amount: "-4.50", Description: "BLUE BOTTLE 0042", Payee: "Blue Bottle"},
		{ID: "T2", Amount: "-20.00", Description: "PENDING HOLD", TransactedAt: time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC).Unix(), Pending: true},
		{ID: "T3", Posted: 1, Amount: "four", Description: "BROKEN"},
	}}
	st, skipped := simplefin.Statement(a, now)
	if len(skipped) != 1 {
		t.Fatalf("skipped %v, want the unreadable amount", skipped)
	}
	want := source.Account{ExternalID: "sfin:ACT-42", Name: "Visa Card", Type: "credit_card", Mask: "T-42", Currency: "EUR"}
	if st.Account != want || st.Currency != "EUR" || !st.ListsPending || st.Balance == nil || *st.Balance != -12050 {
		t.Fatalf("got %+v (balance %v), want account %+v, EUR, listing pending, balance -12050", st, st.Balance, want)
	}
	if len(st.Transactions) != 2 {
		t.Fatalf("got %d transactions, want 2", len(st.Transactions))
	}
	first, second := st.Transactions[0], st.Transactions[1]
	if first.Description != "Blue Bottle" || first.Memo != "BLUE BOTTLE 0042" || first.Amount != -450 || first.FITID != "T1" ||
		first.Date != time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) || first.Pending {
		t.Errorf("first = %+v, want the payee as description and the bridge's description as memo", first)
	}
	if second.Description != "PENDING HOLD" || !second.Pending || second.Date != time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC) {
		t.Errorf("second = %+v, want pending, dated by transacted_at", second)
	}
}
