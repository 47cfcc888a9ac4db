package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/sqldb"
)

// Deduplication stays exact on the compact, partitioned table: lines over
// several months (partitions on PostgreSQL) are stored once however often
// they are imported, also by two imports at the same time; identical
// purchases on one day (their content ids carry an occurrence number) are
// both kept; the same external id in another account is another line.
func TestDeduplicationIsExactAcrossMonths(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u, acct := seedAccount(t, s, "dedupe@example.com")
	savings := &tally.Account{ExternalID: "bank:SAVINGS:1:200", Name: "Savings", Type: tally.AccountSavings, Currency: "USD"}
	c := &tally.Connection{UserID: u.ID, Kind: tally.ConnectionOFX, URL: "http://bank.test/ofx2", Login: "me2"}
	if err := s.CreateConnection(ctx, c, []byte("sealed"), []*tally.Account{savings}); err != nil {
		t.Fatal(err)
	}
	lines := func() []*tally.Transaction {
		return []*tally.Transaction{
			txn(acct, "F-JAN", "2025-01-31", -100, "groceries"),
			txn(acct, "F-FEB", "2025-02-01", -200, "groceries"),
			txn(acct, "content:abc#1", "2025-03-15", -450, "coffee_shops"),
			txn(acct, "content:abc#2", "2025-03-15", -450, "coffee_shops"),
			txn(acct, "F-DEC", "2024-12-31", 5000, "paycheck"),
			txn(savings, "F-JAN", "2025-01-31", -100, "groceries"),
		}
	}
	n, err := s.InsertTransactions(ctx, u.ID, lines())
	if err != nil {
		t.Fatal(err)
	}
	if n != 6 {
		t.Fatalf("first import inserted %d, want 6", n)
	}
	// Twice more at once, and once after.
	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i := range counts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := s.InsertTransactions(ctx, u.ID, lines())
			if err != nil {
				t.Error(err)
			}
			counts[i] = n
		}()
	}
	wg.Wait()
	if n, err = s.InsertTransactions(ctx, u.ID, lines()); err != nil {
		t.Fatal(err)
	}
	if counts[0]+counts[1]+n != 0 {
		t.Errorf("re-imports inserted %d, %d and %d, want 0", counts[0], counts[1], n)
	}
	page, _, err := s.Transactions(ctx, u.ID, tally.TransactionFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 6 {
		t.Fatalf("stored %d transactions, want 6", len(page))
	}
	if got := totals(t, s, u.ID, "2025-03")["coffee_shops"]; got.Count != 2 || got.Amount != -900 {
		t.Errorf("March coffee totals: got %d rows, %d; want 2 rows, -900", got.Count, got.Amount)
	}
	if s.DB().Dialect == sqldb.Postgres {
		var parts int
		if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(DISTINCT tableoid) FROM transaction_rows`).Scan(&parts); err != nil {
			t.Fatal(err)
		}
		if parts != 4 {
			t.Errorf("rows are in %d partitions, want 4 (one a month)", parts)
		}
	}
}

// The dedupe key carries the date the institution gave, so a pending line
// that posts under the same FITID on a later day (in another month here,
// so another partition) is stored as the posted line, and the
// pending-to-posted replacement then removes the pending one: one row is
// left, posted, and the monthly totals still equal the rows.
func TestPendingThatPostsUnderItsFITIDOnALaterDay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u, acct := seedAccount(t, s, "pending-fitid@example.com")
	pending := txn(acct, "F-1", "2025-01-30", -2000, "restaurants")
	pending.Pending = true
	if _, err := s.InsertTransactions(ctx, u.ID, []*tally.Transaction{pending}); err != nil {
		t.Fatal(err)
	}
	posted := txn(acct, "F-1", "2025-02-02", -2400, "restaurants")
	n, err := s.InsertTransactions(ctx, u.ID, []*tally.Transaction{posted})
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("posted line inserted %d, want 1", n)
	}
	matches, err := s.ReplacePending(ctx, u.ID, acct.ID, map[string]bool{})
	if err != nil {
		t.Fatal(err)
	}
	if len(matches) != 1 {
		t.Fatalf("replaced %d pending lines, want 1", len(matches))
	}
	page, _, err := s.Transactions(ctx, u.ID, tally.TransactionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 1 || page[0].Pending || page[0].Amount != -2400 || page[0].ID != posted.ID {
		t.Fatalf("got %+v, want only the posted line %s", page, posted.ID)
	}
	drifts, err := s.ReconcileUser(ctx, u.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(drifts) > 0 {
		t.Errorf("totals drifted: %+v", drifts)
	}
	// Importing the posted line again adds nothing.
	again := []*tally.Transaction{txn(acct, "F-1", "2025-02-02", -2400, "restaurants")}
	if n, err := s.InsertTransactions(ctx, u.ID, again); err != nil || n != 0 {
		t.Errorf("re-import of the posted line: inserted %d (%v), want 0", n, err)
	}
}
