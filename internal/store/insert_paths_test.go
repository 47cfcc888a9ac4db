package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/store"
)

// A chunk whose days partly hold stored rows (a statement overlapping the
// one before) inserts exactly its new lines: those on days already stored
// are checked one by one, those on other days are written without a
// check (on PostgreSQL copied straight into the table), a line repeated
// within the chunk is stored once, and the monthly totals and the insight
// changes count exactly the rows stored.
func TestOverlappingChunkInsertsExactlyItsNewLines(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u, acct := seedAccount(t, s, "overlap@example.com")
	day := func(d int) string { return fmt.Sprintf("2025-04-%02d", d) }
	var first []*tally.Transaction
	for d := 1; d <= 10; d++ {
		first = append(first, txn(acct, fmt.Sprintf("F-%d", d), day(d), -100, "groceries"))
	}
	if n, err := s.InsertTransactions(ctx, u.ID, first); err != nil || n != 10 {
		t.Fatalf("first chunk: inserted %d, %v; want 10", n, err)
	}
	second := []*tally.Transaction{
		txn(acct, "F-8", day(8), -100, "groceries"), // stored
		txn(acct, "F-9", day(9), -100, "groceries"), // stored
		txn(acct, "F-10", day(10), -100, "groceries"),
		txn(acct, "F-10b", day(10), -7, "groceries"), // new, on a stored day
	}
	for d := 11; d <= 15; d++ {
		second = append(second, txn(acct, fmt.Sprintf("F-%d", d), day(d), -1000, "groceries"))
	}
	second = append(second, txn(acct, "F-12", day(12), -1000, "groceries")) // repeated within the chunk
	n, err := s.InsertTransactions(ctx, u.ID, second)
	if err != nil {
		t.Fatal(err)
	}
	if n != 6 {
		t.Fatalf("overlapping chunk inserted %d, want 6 (F-10b and F-11..F-15)", n)
	}
	page, _, err := s.Transactions(ctx, u.ID, tally.TransactionFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 16 {
		t.Fatalf("stored %d transactions, want 16", len(page))
	}
	if got := totals(t, s, u.ID, "2025-04")["groceries"]; got.Count != 16 || got.Amount != -10*100-7-5*1000 {
		t.Errorf("April totals: %d rows, %d; want 16 rows, %d", got.Count, got.Amount, -10*100-7-5*1000)
	}
	if n, err := s.InsertTransactions(ctx, u.ID, second); err != nil || n != 0 {
		t.Fatalf("the same chunk again: inserted %d, %v; want 0", n, err)
	}
	seq, _, err := s.InsightState(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	changes, err := s.InsightChanges(ctx, u.ID, seq)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range changes {
		if c.Merchant == "Merchant F-13" {
			found = c.AccountID == acct.ID && c.First.Format(tally.DateLayout) == day(13) && c.Last.Format(tally.DateLayout) == day(13)
		}
	}
	if !found {
		t.Errorf("no insight change for Merchant F-13 on %s in account %s: %+v", day(13), acct.ID, changes)
	}
}

// Two writers of the same new lines into one account at once store each
// line once and count it once between them: on PostgreSQL the one that
// loses the race on the unique key runs its chunk again with every row
// checked.
func TestConcurrentChunksOfNewLinesStoreEachOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u, acct := seedAccount(t, s, "race@example.com")
	want := 0
	for round := range 5 {
		var lines [2][]*tally.Transaction
		for i := range lines {
			for d := 1; d <= 20; d++ {
				lines[i] = append(lines[i], txn(acct, fmt.Sprintf("R%d-%d", round, d), fmt.Sprintf("2024-%02d-%02d", round+1, d), -100, "groceries"))
			}
		}
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i := range lines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := s.InsertTransactions(ctx, u.ID, lines[i])
				if err != nil {
					t.Error(err)
				}
				counts[i] = n
			}()
		}
		wg.Wait()
		if counts[0]+counts[1] != 20 {
			t.Fatalf("round %d: the two writers inserted %d and %d, want 20 between them", round, counts[0], counts[1])
		}
		want += 20
		if got := totals(t, s, u.ID, fmt.Sprintf("2024-%02d", round+1))["groceries"]; got.Count != 20 || got.Amount != -2000 {
			t.Errorf("round %d: totals %d rows, %d; want 20 rows, -2000", round, got.Count, got.Amount)
		}
	}
	page, _, err := s.Transactions(ctx, u.ID, tally.TransactionFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != want {
		t.Fatalf("stored %d transactions, want %d", len(page), want)
	}
}

// Chunks of thousands of lines take full multi-row statements, re-used
// from chunk to chunk and from user to user: each user's chunk stores
// exactly its new lines under that user, also when one statement's batch
// is partly stored already, and the monthly totals count each line once.
func TestLargeChunksStoreEachUsersNewLinesOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	ua, acctA := seedAccount(t, s, "large-a@example.com")
	ub, acctB := seedAccount(t, s, "large-b@example.com")
	// Two and a half SQLite statements' worth stored first, so the second
	// pass over n lines finds two statements wholly stored and one partly.
	first := store.RowsPerInsert*2 + store.RowsPerInsert/2
	n := store.RowsPerInsert * 5
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	lines := func(acct *tally.Account, from, to int) []*tally.Transaction {
		var out []*tally.Transaction
		for i := from; i < to; i++ {
			t := txn(acct, fmt.Sprintf("L-%05d", i), start.AddDate(0, 0, i/40).Format(tally.DateLayout), -int64(i%7+1)*100, "groceries")
			t.Merchant, t.MerchantKey = fmt.Sprintf("Shop %d", i%5), fmt.Sprintf("shop_%d", i%5)
			out = append(out, t)
		}
		return out
	}
	want := map[string]tally.MonthlyTotal{}
	for _, t := range lines(acctA, 0, n) {
		m := want[t.PostedOn.Format(tally.MonthLayout)]
		m.Count++
		m.Amount += t.Amount
		want[t.PostedOn.Format(tally.MonthLayout)] = m
	}
	steps := []struct {
		user  *tally.User
		txns  []*tally.Transaction
		added int
	}{
		{ua, lines(acctA, 0, first), first},
		{ub, lines(acctB, 0, n), n},         // the same FITIDs, another user: all new
		{ua, lines(acctA, 0, n), n - first}, // statements wholly stored, one partly
		{ub, lines(acctB, 0, n), 0},
	}
	for i, st := range steps {
		got, err := s.InsertTransactions(ctx, st.user.ID, st.txns)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got != st.added {
			t.Fatalf("step %d: inserted %d, want %d", i, got, st.added)
		}
	}
	for _, u := range []*tally.User{ua, ub} {
		for month, w := range want {
			if got := totals(t, s, u.ID, month)["groceries"]; got.Count != w.Count || got.Amount != w.Amount {
				t.Errorf("%s %s: %d rows, %d; want %d rows, %d", u.Email, month, got.Count, got.Amount, w.Count, w.Amount)
			}
		}
		stored := 0
		cursor := ""
		for {
			page, next, err := s.Transactions(ctx, u.ID, tally.TransactionFilter{Limit: store.MaxPageSize, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			stored += len(page)
			if next == "" {
				break
			}
			cursor = next
		}
		if stored != n {
			t.Errorf("%s: %d transactions stored, want %d", u.Email, stored, n)
		}
	}
}
