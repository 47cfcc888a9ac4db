package ingest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/source"
	"github.com/tallyhq/tally/internal/store"
)

// crowdVote makes n other users file one transaction of a seller under
// category by hand.
func crowdVote(t *testing.T, st *store.Store, prefix, desc, key, category string, n int) {
	t.Helper()
	ctx := context.Background()
	// Voters whose votes count: accounts older than a week with the
	// seller in a linked bank's transactions.
	old := store.New(st.DB(), store.NoJobs{})
	old.Now = func() time.Time { return st.Now().Add(-8 * 24 * time.Hour) }
	for i := range n {
		u, err := old.CreateUser(ctx, fmt.Sprintf("%s%d@example.com", prefix, i), "hash")
		if err != nil {
			t.Fatal(err)
		}
		acct := &tally.Account{ExternalID: "1", Name: "Checking", Type: tally.AccountChecking, Currency: "USD"}
		if err := old.CreateConnection(ctx, &tally.Connection{UserID: u.ID, Kind: tally.ConnectionOFX, URL: "https://bank.test/ofx", Login: "me"}, []byte("s"), []*tally.Account{acct}); err != nil {
			t.Fatal(err)
		}
		x := &tally.Transaction{AccountID: acct.ID, ExternalID: "x", PostedOn: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Amount: -100,
			Currency: "USD", Description: desc, Merchant: desc, MerchantKey: key, Category: tally.Uncategorized, CategorySource: tally.SourceNone}
		if _, err := st.InsertTransactions(ctx, u.ID, []*tally.Transaction{x}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.Recategorize(ctx, u.ID, x.ID, category, store.CategoryChange{MerchantKey: key, Vote: true}); err != nil {
			t.Fatal(err)
		}
	}
}

// New transactions are filed by the user's rules first, then by the crowd,
// then by the dictionary; the crowd's categories are read at most once a
// minute.
func TestSyncAppliesRulesThenCrowd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	_, accts, err := f.svc.Connect(ctx, f.user.ID, ingest.ConnectRequest{URL: f.url, Login: "alice", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	acct := accts[0]
	eng := f.svc.Categorize
	pizza := eng.Merchant("TST* JOE'S PIZZA 0042")
	tacos := eng.Merchant("SQ *MARIO'S TACO TRUCK")
	kiosk := eng.Merchant("ZEBRA KIOSK 7781")
	if _, _, err := f.st.PutRule(ctx, f.user.ID, pizza.Key, pizza.Name, "fast_food"); err != nil {
		t.Fatal(err)
	}
	// The crowd agrees on pizza too, but the user's rule wins.
	crowdVote(t, f.st, "p", pizza.Name, pizza.Key, "groceries", 3)
	crowdVote(t, f.st, "t", tacos.Name, tacos.Key, "fast_food", 3)

	day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	stmt := func(fitid string, names ...string) *source.Statement {
		st := &source.Statement{Currency: "USD"}
		for i, n := range names {
			st.Transactions = append(st.Transactions, source.Transaction{Type: "DEBIT", Date: day, Amount: -1000, FITID: fmt.Sprint(fitid, i), Description: n})
		}
		return st
	}
	if _, err := f.svc.ImportStatement(ctx, acct, stmt("a", "TST* JOE'S PIZZA 0042", "SQ *MARIO'S TACO TRUCK", "WHOLEFDS HOU 10236", "ZEBRA KIOSK 7781")); err != nil {
		t.Fatal(err)
	}
	check := func(fitid string, want ...string) {
		t.Helper()
		var cat, src string
		if err := f.st.DB().QueryRow(f.st.DB().Rebind(`SELECT category, category_source FROM transactions WHERE user_id = ? AND external_id = ?`),
			f.user.ID, fitid).Scan(&cat, &src); err != nil {
			t.Fatal(err)
		}
		if cat != want[0] || src != want[1] {
			t.Errorf("%s: got %s/%s, want %s/%s", fitid, cat, src, want[0], want[1])
		}
	}
	check("a0", "fast_food", tally.SourceRule)
	check("a1", "fast_food", tally.SourceCrowd)
	check("a2", "groceries", tally.SourceDictionary)
	check("a3", tally.Uncategorized, tally.SourceNone)

	// A new crowd category is picked up within a minute, not at once.
	crowdVote(t, f.st, "k", kiosk.Name, kiosk.Key, "shopping", 3)
	if _, err := f.svc.ImportStatement(ctx, acct, stmt("b", "ZEBRA KIOSK 7781")); err != nil {
		t.Fatal(err)
	}
	check("b0", tally.Uncategorized, tally.SourceNone)
	f.now = f.now.Add(ingest.CrowdRefresh)
	if _, err := f.svc.ImportStatement(ctx, acct, stmt("c", "ZEBRA KIOSK 7781")); err != nil {
		t.Fatal(err)
	}
	check("c0", "shopping", tally.SourceCrowd)
	// The one that arrived while the old copy was in use is re-filed by the
	// crowd_apply job's second run, scheduled after the refresh.
	if _, err := f.st.ApplyCrowd(ctx, kiosk.Key); err != nil {
		t.Fatal(err)
	}
	check("b0", "shopping", tally.SourceCrowd)
	assertTotalsMatch(t, f)
}
