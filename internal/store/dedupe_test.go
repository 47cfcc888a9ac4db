package store_test

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/sqldb"
	"github.com/tallyhq/tally/internal/store"
)

// Deduplication stays exact on the compact, partitioned table: lines over
// several months (partitions on PostgreSQL) are stored once however often
// they are imported, also by two imports at the same time; identical
// purchases on one day (their content ids carry an occurrence number) are
// both kept; the same external id in another account is another line. A
// FITID sent again under another posting date up to ten days away, with
// the same amount, is the line already stored, across months and
// partitions, within one chunk and from two writes at once; with another
// amount, or further away, it is another line.
func TestDeduplicationIsExactAcrossMonths(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	s.Now = func() time.Time { return time.Date(2025, 3, 20, 12, 0, 0, 0, time.UTC) }
	u, acct := seedAccount(t, s, "dedupe@example.com")
	savings := addSavings(t, s, u)
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
			t.Errorf("rows are in %d partitions, want 4 (one a month of the current year, one for 2024)", parts)
		}
	}

	// Lines sent again under another date.
	shifted := []*tally.Transaction{
		txn(acct, "F-JAN", "2025-02-03", -100, "groceries"),                        // 3 days later, next month: stored already
		txn(acct, "F-FEB", "2025-01-28", -200, "groceries"),                        // 4 days earlier: stored already
		txn(acct, "F-DEC", "2025-01-02", 5000, "paycheck"),                         // 2 days later, next year: stored already
		txn(savings, "F-JAN", "2025-02-02", -100, "groceries"),                     // the savings line, 2 days later
		txn(acct, "F-JAN", "2025-02-01", -130, "groceries"),                        // another amount: a reused FITID, a new line
		txn(acct, "F-FEB", "2025-03-10", -200, "groceries"),                        // 37 days later: a new line
		txn(acct, "h:0123456789abcdef01234567:1", "2025-03-16", -999, "groceries"), // identical purchases without FITID
		txn(acct, "h:0123456789abcdef01234567:2", "2025-03-16", -999, "groceries"),
		txn(acct, "F-NEW", "2025-03-01", -50, "groceries"), // new, and sent twice in the chunk
		txn(acct, "F-NEW", "2025-03-03", -50, "groceries"),
	}
	if n, err := s.InsertTransactions(ctx, u.ID, shifted); err != nil || n != 5 {
		t.Fatalf("re-dated lines: inserted %d (%v), want 5", n, err)
	}
	// The same line, re-dated, from two writes at once: stored once.
	for i := range counts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			day := []string{"2025-03-05", "2025-03-07"}[i]
			line := txn(acct, "F-RACE", day, -75, "groceries")
			line.Merchant, line.MerchantKey = "Merchant F-NEW", "merchant_F-NEW" // a seller stored already
			n, err := s.InsertTransactions(ctx, u.ID, []*tally.Transaction{line})
			if err != nil {
				t.Error(err)
			}
			counts[i] = n
		}()
	}
	wg.Wait()
	if counts[0]+counts[1] != 1 {
		t.Errorf("a re-dated line written twice at once was inserted %d times, want 1", counts[0]+counts[1])
	}
	page, _, err = s.Transactions(ctx, u.ID, tally.TransactionFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, x := range page {
		got[x.ExternalID]++
	}
	want := map[string]int{"F-JAN": 3, "F-FEB": 2, "F-DEC": 1, "content:abc#1": 1, "content:abc#2": 1, "F-NEW": 1, "F-RACE": 1,
		"h:0123456789abcdef01234567:1": 1, "h:0123456789abcdef01234567:2": 1}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stored lines by external id: %v, want %v", got, want)
	}
	if drifts, err := s.ReconcileUser(ctx, u.ID, false); err != nil || len(drifts) > 0 {
		t.Errorf("totals drifted: %+v (%v)", drifts, err)
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

// Two chunks written at once to an account that has no transactions yet,
// bringing the same new seller, both store their lines, under one account
// number and one seller: the second writer finds the number and the seller
// the first gave instead of giving its own.
func TestConcurrentFirstChunksOfAnAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u, _ := seedAccount(t, s, "first-chunks@example.com")
	for round := range 5 {
		acct := &tally.Account{ExternalID: fmt.Sprintf("bank:CARD:%d", round), Name: "Card", Type: tally.AccountCreditCard, Currency: "USD"}
		c := &tally.Connection{UserID: u.ID, Kind: tally.ConnectionOFX, URL: "http://bank.test/ofx", Login: fmt.Sprintf("card%d", round)}
		if err := s.CreateConnection(ctx, c, []byte("sealed"), []*tally.Account{acct}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				line := txn(acct, fmt.Sprintf("R%d-%d", round, i), "2025-03-05", -75, "groceries")
				line.Merchant, line.MerchantKey = fmt.Sprintf("New Seller %d", round), fmt.Sprintf("new_seller_%d", round)
				_, errs[i] = s.InsertTransactions(ctx, u.ID, []*tally.Transaction{line})
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		page, _, err := s.Transactions(ctx, u.ID, tally.TransactionFilter{AccountID: acct.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) != 2 || page[0].Merchant != page[1].Merchant {
			t.Fatalf("round %d: the account lists %d lines, want 2 of one seller", round, len(page))
		}
	}
	var lines, sellers int
	if err := s.DB().QueryRowContext(ctx, s.DB().Rebind(`SELECT COUNT(*), COUNT(DISTINCT merchant) FROM transactions WHERE user_id = ?`), u.ID).Scan(&lines, &sellers); err != nil {
		t.Fatal(err)
	}
	if lines != 10 || sellers != 5 {
		t.Errorf("got %d lines of %d sellers, want 10 of 5", lines, sellers)
	}
}

// A chunk looks up among stored lines only the FITIDs of its lines within
// ten days of a stored line of their account, and none when there is no
// such line: the lines it sends twice under two dates are still stored
// once, and a later chunk whose lines come near stored ones still finds
// them re-dated.
func TestResentLinesWithNothingStoredAround(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	s.Now = func() time.Time { return time.Date(2025, 6, 20, 12, 0, 0, 0, time.UTC) }
	u, acct := seedAccount(t, s, "nothing-around@example.com")
	savings := addSavings(t, s, u)
	steps := []struct {
		what  string
		lines []*tally.Transaction
		added int
	}{
		{"a first chunk sending F-X twice", []*tally.Transaction{
			txn(acct, "F-X", "2025-05-01", -50, "groceries"),
			txn(acct, "F-Y", "2025-05-02", -10, "groceries"),
			txn(acct, "F-X", "2025-05-03", -50, "groceries"),
		}, 2},
		{"F-X ten days after its first date", []*tally.Transaction{
			txn(acct, "F-X", "2025-05-11", -50, "groceries"),
		}, 0},
		{"F-X in another account, whose window is empty", []*tally.Transaction{
			txn(savings, "F-X", "2025-05-04", -50, "groceries"),
		}, 1},
		{"F-X eleven days after its first date", []*tally.Transaction{
			txn(acct, "F-X", "2025-05-12", -50, "groceries"),
		}, 1},
		{"a chunk with one line near stored days and two far from them", []*tally.Transaction{
			txn(acct, "F-Y", "2025-05-09", -10, "groceries"), // seven days after F-Y: stored already
			txn(acct, "F-W", "2025-06-10", -10, "groceries"),
			txn(acct, "F-W", "2025-06-12", -10, "groceries"), // re-dated within the chunk
		}, 1},
	}
	for _, st := range steps {
		n, err := s.InsertTransactions(ctx, u.ID, st.lines)
		if err != nil {
			t.Fatalf("%s: %v", st.what, err)
		}
		if n != st.added {
			t.Errorf("%s: inserted %d, want %d", st.what, n, st.added)
		}
	}
	if drifts, err := s.ReconcileUser(ctx, u.ID, false); err != nil || len(drifts) > 0 {
		t.Errorf("totals drifted: %+v (%v)", drifts, err)
	}
}

// addSavings gives the user a second connection with a savings account.
func addSavings(t *testing.T, s *store.Store, u *tally.User) *tally.Account {
	t.Helper()
	savings := &tally.Account{ExternalID: "bank:SAVINGS:1:200", Name: "Savings", Type: tally.AccountSavings, Currency: "USD"}
	c := &tally.Connection{UserID: u.ID, Kind: tally.ConnectionOFX, URL: "http://bank.test/ofx2", Login: "me2"}
	if err := s.CreateConnection(context.Background(), c, []byte("sealed"), []*tally.Account{savings}); err != nil {
		t.Fatal(err)
	}
	return savings
}
