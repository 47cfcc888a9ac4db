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

// A seller the user filed by hand takes their category when it comes back
// under another store number, at the next statement and the next file
// import; another user's filings never apply, and the user's own rule and
// the crowd still come first.
func TestSyncFilesLikeTheUsersManualFilings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	other, err := f.st.CreateUser(ctx, "other@example.com", "hash")
	if err != nil {
		t.Fatal(err)
	}
	account := func(userID string) *tally.Account {
		t.Helper()
		a := &tally.Account{ExternalID: "bank:CHECKING:1:1", Name: "Checking", Type: tally.AccountChecking, Currency: "USD"}
		if err := f.st.CreateConnection(ctx, &tally.Connection{UserID: userID, Kind: tally.ConnectionOFX, URL: "http://bank.test", Login: userID}, []byte("x"), []*tally.Account{a}); err != nil {
			t.Fatal(err)
		}
		return a
	}
	mine, theirs := account(f.user.ID), account(other.ID)
	day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	stmt := func(fitid string, names ...string) *source.Statement {
		st := &source.Statement{Currency: "USD"}
		for i, n := range names {
			st.Transactions = append(st.Transactions, source.Transaction{Type: "DEBIT", Date: day, Amount: -2500, FITID: fmt.Sprint(fitid, i), Description: n})
		}
		return st
	}
	category := func(userID, fitid string) (cat, src string) {
		t.Helper()
		if err := f.st.DB().QueryRow(f.st.DB().Rebind(`SELECT category, category_source FROM transactions WHERE user_id = ? AND external_id = ?`),
			userID, fitid).Scan(&cat, &src); err != nil {
			t.Fatal(err)
		}
		return cat, src
	}

	// The user files a framing shop (HOLLOW OAK) and a kiosk the engine
	// cannot place.
	for _, a := range []*tally.Account{mine, theirs} {
		if _, err := f.svc.ImportStatement(ctx, a, stmt("a", "HOLLOW OAK #0042 PORTLAND OR", "ZEBRA KIOSK 7781")); err != nil {
			t.Fatal(err)
		}
	}
	if cat, _ := category(f.user.ID, "a0"); cat != tally.Uncategorized {
		t.Fatalf("before any filing: got %s, want %s", cat, tally.Uncategorized)
	}
	for fitid, c := range map[string]string{"a0": "home_improvement", "a1": "gift"} {
		var id string
		if err := f.st.DB().QueryRow(f.st.DB().Rebind(`SELECT id FROM transactions WHERE user_id = ? AND external_id = ?`), f.user.ID, fitid).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.st.Recategorize(ctx, f.user.ID, id, c, store.CategoryChange{}); err != nil {
			t.Fatal(err)
		}
	}
	// The crowd agrees on the kiosk, which beats the user's history as it
	// beats the engine.
	kiosk := f.svc.Categorize.Merchant("ZEBRA KIOSK 7781")
	crowdVote(t, f.st, "k", kiosk.Name, kiosk.Key, "shopping", 3)
	f.now = f.now.Add(ingest.CrowdRefresh)

	if _, err := f.svc.ImportStatement(ctx, mine, stmt("b", "HOLLOW OAK #0118 PORTLAND OR", "ZEBRA KIOSK 0193")); err != nil {
		t.Fatal(err)
	}
	if cat, src := category(f.user.ID, "b0"); cat != "home_improvement" || src != tally.SourceRule {
		t.Errorf("new store of a seller filed by hand: got %s/%s, want home_improvement/%s", cat, src, tally.SourceRule)
	}
	if cat, src := category(f.user.ID, "b1"); cat != "shopping" || src != tally.SourceCrowd {
		t.Errorf("crowd seller filed by hand: got %s/%s, want shopping/%s", cat, src, tally.SourceCrowd)
	}
	if _, err := f.svc.ImportStatement(ctx, theirs, stmt("b", "HOLLOW OAK #0118 PORTLAND OR")); err != nil {
		t.Fatal(err)
	}
	if cat, _ := category(other.ID, "b0"); cat != tally.Uncategorized {
		t.Errorf("another user's filing applied: got %s, want %s", cat, tally.Uncategorized)
	}

	// A file import reads the same history.
	imp := f.importFile(t, "visa.csv", mine.ID, "Date,Description,Amount\n2026-11-05,HOLLOW OAK 0007 BEAVERTON OR,-12.00\n")
	wantCounts(t, imp, tally.ImportDone, 1, 1, 0, 0)
	list, _, err := f.st.Transactions(ctx, f.user.ID, tally.TransactionFilter{Categories: []string{"home_improvement"}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 {
		t.Errorf("framing shop lines under the user's category after the import: got %d, want 3", len(list))
	}

	// The user's own rule still comes first.
	frame := f.svc.Categorize.Merchant("HOLLOW OAK")
	if _, _, err := f.st.PutRule(ctx, f.user.ID, frame.Key, frame.Name, "gift"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ImportStatement(ctx, mine, stmt("c", "HOLLOW OAK #0200 PORTLAND OR")); err != nil {
		t.Fatal(err)
	}
	if cat, src := category(f.user.ID, "c0"); cat != "gift" || src != tally.SourceRule {
		t.Errorf("rule against history: got %s/%s, want gift/%s", cat, src, tally.SourceRule)
	}
	assertTotalsMatch(t, f)
}

// At the next sync from the bank, new transactions of a seller the user
// filed by hand (other days, other store numbers) take the user's category.
func TestNextSyncFilesLikeTheUsersManualFiling(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	conn, _, err := f.svc.Connect(ctx, f.user.ID, ingest.ConnectRequest{URL: f.url, Login: "dave", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Sync(ctx, f.user.ID, conn.ID); err != nil {
		t.Fatal(err)
	}
	db := f.st.DB()
	// The seller the user buys from most often, and one of its transactions.
	var key, id string
	if err := db.QueryRow(db.Rebind(`SELECT merchant_key FROM transactions WHERE user_id = ? AND merchant_key <> '' AND amount < 0
		GROUP BY merchant_key ORDER BY COUNT(*) DESC, merchant_key LIMIT 1`), f.user.ID).Scan(&key); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(db.Rebind(`SELECT id FROM transactions WHERE user_id = ? AND merchant_key = ? ORDER BY posted_on DESC, id LIMIT 1`),
		f.user.ID, key).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.SetCategory(ctx, f.user.ID, id, "gift"); err != nil {
		t.Fatal(err)
	}
	filedAt := f.now
	f.now = f.now.Add(30 * 24 * time.Hour)
	if _, err := f.svc.Sync(ctx, f.user.ID, conn.ID); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(db.Rebind(`SELECT description, category, category_source FROM transactions
		WHERE user_id = ? AND merchant_key = ? AND posted_on > ?`), f.user.ID, key, filedAt.Format(tally.DateLayout))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var desc, cat, src string
		if err := rows.Scan(&desc, &cat, &src); err != nil {
			t.Fatal(err)
		}
		n++
		if cat != "gift" || src != tally.SourceRule {
			t.Errorf("%q after the filing: got %s/%s, want gift/%s", desc, cat, src, tally.SourceRule)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatalf("the bank sent no new transaction of %q in 30 days", key)
	}
	assertTotalsMatch(t, f)
}
