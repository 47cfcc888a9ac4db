package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally"
)

// Every store write that takes an amount from outside (a bank, a file, a
// user) refuses one beyond ±tally.MaxAmount, naming the field, and stores
// nothing. The sums Tally computes in Go (monthly totals read back, net
// worth, trends, spending) add these bounded amounts, so none comes near
// int64's limits before millions of maximal rows.
func TestEveryAmountWriteIsBounded(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	u, acct := seedAccount(t, s, "alice@example.com")
	over := tally.MaxAmount + 1
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, field string
		write       func(amount int64) error
	}{
		{"transaction", "amount", func(a int64) error {
			_, err := s.InsertTransactions(ctx, u.ID, []*tally.Transaction{txn(acct, "big", "2026-03-02", a, "groceries")})
			return err
		}},
		{"new account's balance", "balance", func(a int64) error {
			c := &tally.Connection{UserID: u.ID, Kind: tally.ConnectionOFX, URL: "http://bank.test/ofx", Login: "other"}
			return s.CreateConnection(ctx, c, []byte("sealed"), []*tally.Account{{ExternalID: "x", Name: "X", Type: tally.AccountSavings, Currency: "USD", Balance: a}})
		}},
		{"reported balance", "balance", func(a int64) error { return s.SetAccountBalance(ctx, u.ID, acct.ID, a) }},
		{"statement ledger balance", "balance", func(a int64) error {
			return s.RecordStatement(ctx, u.ID, acct.ID, &tally.AccountBalance{AccountID: acct.ID, Day: day, Balance: a, Currency: "USD"}, nil)
		}},
		{"holding market value", "market value", func(a int64) error {
			return s.RecordStatement(ctx, u.ID, acct.ID, nil, []tally.Holding{{AccountID: acct.ID, SecurityID: "123456789", IDType: "CUSIP",
				PositionType: "POSSTOCK", Units: "1", UnitPrice: "1", MarketValue: a, Currency: "USD", AsOf: day}})
		}},
		{"budget", "amount", func(a int64) error { return s.SetBudget(ctx, u.ID, "groceries", a, "USD", "2026-03") }},
		{"monthly income", "monthly_income", func(a int64) error {
			_, err := s.UpdateProfile(ctx, u.ID, "2026-03", func(p *tally.Profile) error { p.MonthlyIncome = a; return nil })
			return err
		}},
	} {
		for _, a := range []int64{over, -over, 1<<63 - 1, -1 << 63} {
			err := tc.write(a)
			if tally.ErrorCode(err) != tally.EINVALID || !strings.Contains(tally.ErrorMessage(err), tc.field) {
				t.Errorf("%s of %d: %v, want invalid naming %q", tc.name, a, err, tc.field)
			}
		}
		// The bound itself is accepted.
		if err := tc.write(tally.MaxAmount); err != nil {
			t.Errorf("%s of the bound: %v", tc.name, err)
		}
	}
	// Nothing beyond the bound was stored.
	accounts, err := s.Accounts(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accounts {
		if a.Balance > tally.MaxAmount || a.Balance < -tally.MaxAmount {
			t.Errorf("account %s stored balance %d", a.Name, a.Balance)
		}
	}
	if got := totals(t, s, u.ID, "2026-03")["groceries"]; got.Amount != tally.MaxAmount || got.Count != 1 {
		t.Errorf("groceries total %d (%d rows), want only the transaction at the bound", got.Amount, got.Count)
	}
}
