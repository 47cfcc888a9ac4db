package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
)

// pizza adds the user's transactions of one seller: two in March, one in
// April, all filed under restaurants by the dictionary.
func pizza(t *testing.T, s *store.Store, u *tally.User, a *tally.Account, prefix string) []*tally.Transaction {
	t.Helper()
	txns := []*tally.Transaction{
		txn(a, prefix+"1", "2026-03-02", -1200, "restaurants"),
		txn(a, prefix+"2", "2026-03-09", -800, "restaurants"),
		txn(a, prefix+"3", "2026-04-01", -1500, "restaurants"),
	}
	for _, x := range txns {
		x.Merchant, x.MerchantKey, x.Description = "Joe's Pizza", "JOESPIZZA", "TST* JOE'S PIZZA"
	}
	if _, err := s.InsertTransactions(context.Background(), u.ID, txns); err != nil {
		t.Fatal(err)
	}
	return txns
}

func noDrift(t *testing.T, s *store.Store, userID string) {
	t.Helper()
	drifts, err := s.ReconcileUser(context.Background(), userID, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(drifts) != 0 {
		t.Errorf("totals drifted from transactions: %+v", drifts)
	}
}

func TestRuleRefilesPastTransactionsButNotManual(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u, a := seedAccount(t, s, "rules@example.com")
	txns := pizza(t, s, u, a, "p")
	other := txn(a, "other", "2026-03-03", -999, "restaurants")
	if _, err := s.InsertTransactions(ctx, u.ID, []*tally.Transaction{other}); err != nil {
		t.Fatal(err)
	}
	// The user filed the April one by hand: it must stay where it is.
	if _, err := s.SetCategory(ctx, u.ID, txns[2].ID, "entertainment"); err != nil {
		t.Fatal(err)
	}

	r, n, err := s.PutRule(ctx, u.ID, "JOESPIZZA", "Joe's Pizza", "fast_food")
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("rule re-filed %d transactions, want 2", n)
	}
	march := totals(t, s, u.ID, "2026-03")
	if got := march["fast_food"]; got.Amount != -2000 || got.Count != 2 {
		t.Errorf("March fast_food = %d (%d), want -2000 (2)", got.Amount, got.Count)
	}
	if got := march["restaurants"]; got.Amount != -999 || got.Count != 1 {
		t.Errorf("March restaurants = %d (%d), want -999 (1): only the other seller stays", got.Amount, got.Count)
	}
	for i, want := range []struct{ category, source string }{{"fast_food", tally.SourceRule}, {"fast_food", tally.SourceRule}, {"entertainment", tally.SourceManual}} {
		got, err := s.Transaction(ctx, u.ID, txns[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Category != want.category || got.CategorySource != want.source {
			t.Errorf("transaction %d: got %s/%s, want %s/%s", i, got.Category, got.CategorySource, want.category, want.source)
		}
	}
	noDrift(t, s, u.ID)

	// Changing the rule moves them again; the same key updates the rule.
	r2, n, err := s.PutRule(ctx, u.ID, "JOESPIZZA", "Joe's Pizza", "restaurants")
	if err != nil {
		t.Fatal(err)
	}
	if r2.ID != r.ID || n != 2 {
		t.Errorf("second rule: id %s re-filed %d, want id %s re-filed 2", r2.ID, n, r.ID)
	}
	noDrift(t, s, u.ID)

	rules, err := s.Rules(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 1 || rules[0].Category != "restaurants" || rules[0].MerchantKey != "JOESPIZZA" {
		t.Errorf("rules = %+v, want one JOESPIZZA -> restaurants", rules)
	}
}

func TestRulesArePerUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u1, a1 := seedAccount(t, s, "one@example.com")
	u2, a2 := seedAccount(t, s, "two@example.com")
	pizza(t, s, u1, a1, "a")
	theirs := pizza(t, s, u2, a2, "b")
	r, _, err := s.PutRule(ctx, u1.ID, "JOESPIZZA", "Joe's Pizza", "fast_food")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Transaction(ctx, u2.ID, theirs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Category != "restaurants" {
		t.Errorf("another user's rule moved my transaction to %s", got.Category)
	}
	if _, err := s.Rule(ctx, u2.ID, r.ID); tally.ErrorCode(err) != tally.ENOTFOUND {
		t.Errorf("another user's rule: got %v, want not found", err)
	}
	if err := s.DeleteRule(ctx, u2.ID, r.ID); tally.ErrorCode(err) != tally.ENOTFOUND {
		t.Errorf("deleting another user's rule: got %v, want not found", err)
	}
	if err := s.DeleteRule(ctx, u1.ID, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Rule(ctx, u1.ID, r.ID); tally.ErrorCode(err) != tally.ENOTFOUND {
		t.Errorf("deleted rule: got %v, want not found", err)
	}
	noDrift(t, s, u1.ID)
	noDrift(t, s, u2.ID)
}

func TestCrowdVotes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	jobs := &recordJobs{}
	s := store.New(sqldbtest.Open(t), jobs)
	var users []*tally.User
	var first [][]*tally.Transaction
	// Voters with accounts older than a week and the seller in their
	// linked bank's transactions: their votes count.
	s.Now = func() time.Time { return time.Now().Add(-8 * 24 * time.Hour) }
	for i := range 4 {
		u, a := seedAccount(t, s, fmt.Sprintf("crowd%d@example.com", i))
		users = append(users, u)
		first = append(first, pizza(t, s, u, a, "c"))
	}
	s.Now = time.Now
	vote := func(i int, txn *tally.Transaction, category string) {
		t.Helper()
		if _, _, err := s.Recategorize(ctx, users[i].ID, txn.ID, category, store.CategoryChange{MerchantKey: "JOESPIZZA", Vote: true}); err != nil {
			t.Fatal(err)
		}
	}
	category := func(i, j int) (string, string) {
		t.Helper()
		got, err := s.Transaction(ctx, users[i].ID, first[i][j].ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Category, got.CategorySource
	}

	// One user voting many times counts once and moves nobody else.
	for range 5 {
		for j := range 3 {
			vote(0, first[0][j], "fast_food")
		}
	}
	if c, _ := category(3, 0); c != "restaurants" {
		t.Fatalf("one user's votes moved another user's transaction to %s", c)
	}
	if _, err := s.CrowdCategoryOf(ctx, "JOESPIZZA"); tally.ErrorCode(err) != tally.ENOTFOUND {
		t.Fatalf("crowd category after one voter: got %v, want none", err)
	}

	// The 4th user filed one by hand and has a rule-free seller otherwise.
	if _, err := s.SetCategory(ctx, users[3].ID, first[3][1].ID, "groceries"); err != nil {
		t.Fatal(err)
	}
	vote(1, first[1][0], "fast_food")
	// A second user changing their mind: latest choice wins, still two.
	vote(2, first[2][0], "coffee_shops")
	if c, _ := category(3, 0); c != "restaurants" {
		t.Fatalf("two voters of three moved the 4th user's transaction to %s", c)
	}
	vote(2, first[2][0], "fast_food")
	// The third voter made a consensus: its application is enqueued with
	// the vote, and runs as the crowd_apply job would.
	if len(jobs.crowd) != 1 || jobs.crowd[0] != "JOESPIZZA" {
		t.Fatalf("crowd jobs enqueued: %v, want [JOESPIZZA]", jobs.crowd)
	}
	if _, err := s.ApplyCrowd(ctx, "JOESPIZZA"); err != nil {
		t.Fatal(err)
	}
	cc, err := s.CrowdCategoryOf(ctx, "JOESPIZZA")
	if err != nil {
		t.Fatalf("crowd category after three voters: %v", err)
	}
	if cc.Category != "fast_food" || cc.Voters != 3 {
		t.Errorf("crowd category = %s by %d, want fast_food by 3", cc.Category, cc.Voters)
	}
	for j, want := range []struct{ category, source string }{{"fast_food", tally.SourceCrowd}, {"groceries", tally.SourceManual}, {"fast_food", tally.SourceCrowd}} {
		if c, src := category(3, j); c != want.category || src != want.source {
			t.Errorf("4th user's transaction %d: got %s/%s, want %s/%s", j, c, src, want.category, want.source)
		}
	}
	for _, u := range users {
		noDrift(t, s, u.ID)
	}
	crowd, err := s.CrowdCategories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if crowd["JOESPIZZA"] != "fast_food" || len(crowd) != 1 {
		t.Errorf("crowd categories = %v, want JOESPIZZA: fast_food", crowd)
	}

	// A rule of the 4th user beats the crowd, and the crowd job run again
	// does not undo it.
	if _, _, err := s.PutRule(ctx, users[3].ID, "JOESPIZZA", "Joe's Pizza", "entertainment"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyCrowd(ctx, "JOESPIZZA"); err != nil {
		t.Fatal(err)
	}
	if c, src := category(3, 0); c != "entertainment" || src != tally.SourceRule {
		t.Errorf("after the crowd job, the rule's transaction is %s/%s, want entertainment/rule", c, src)
	}
	noDrift(t, s, users[3].ID)
}

// Cheap votes do not move anyone: fresh accounts and accounts whose only
// history of the seller is an uploaded file are not counted, and a big
// seller needs more voters than a small one.
func TestCrowdVotesCannotBeGamedCheaply(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	at := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return at }
	victim, va := seedAccount(t, s, "victim@example.com")
	own := pizza(t, s, victim, va, "v")

	voter := func(email string, kind string) (*tally.User, []*tally.Transaction) {
		u, err := s.CreateUser(ctx, email, "hash")
		if err != nil {
			t.Fatal(err)
		}
		a := &tally.Account{ExternalID: "1", Name: "Checking", Type: tally.AccountChecking, Currency: "USD"}
		if err := s.CreateConnection(ctx, &tally.Connection{UserID: u.ID, Kind: kind, URL: "https://bank.test/ofx", Login: "me"}, []byte("s"), []*tally.Account{a}); err != nil {
			t.Fatal(err)
		}
		return u, pizza(t, s, u, a, "p")
	}
	vote := func(u *tally.User, x *tally.Transaction) {
		t.Helper()
		if _, _, err := s.Recategorize(ctx, u.ID, x.ID, "shopping", store.CategoryChange{MerchantKey: "JOESPIZZA", Vote: true}); err != nil {
			t.Fatal(err)
		}
	}
	noCrowd := func(what string) {
		t.Helper()
		if c, err := s.CrowdCategoryOf(ctx, "JOESPIZZA"); tally.ErrorCode(err) != tally.ENOTFOUND {
			t.Fatalf("%s: crowd category %+v, %v; want none", what, c, err)
		}
		if got, _ := s.Transaction(ctx, victim.ID, own[0].ID); got.Category != "restaurants" {
			t.Fatalf("%s moved another user's transaction to %s", what, got.Category)
		}
	}

	// Three accounts made today, with linked-bank history.
	for i := range 3 {
		u, x := voter(fmt.Sprintf("fresh%d@example.com", i), tally.ConnectionOFX)
		vote(u, x[0])
	}
	noCrowd("three fresh accounts")

	// Three old accounts whose history of the seller is an uploaded file.
	s.Now = func() time.Time { return at.Add(-30 * 24 * time.Hour) }
	var old []*tally.User
	var oldTxns [][]*tally.Transaction
	for i := range 3 {
		u, x := voter(fmt.Sprintf("files%d@example.com", i), tally.ConnectionFile)
		old, oldTxns = append(old, u), append(oldTxns, x)
	}
	s.Now = func() time.Time { return at }
	for i, u := range old {
		vote(u, oldTxns[i][0])
	}
	noCrowd("three accounts with file history")

	// Old accounts with linked-bank history do count.
	s.Now = func() time.Time { return at.Add(-30 * 24 * time.Hour) }
	var real []*tally.User
	var realTxns [][]*tally.Transaction
	for i := range 3 {
		u, x := voter(fmt.Sprintf("real%d@example.com", i), tally.ConnectionOFX)
		real, realTxns = append(real, u), append(realTxns, x)
	}
	s.Now = func() time.Time { return at }
	for i, u := range real {
		vote(u, realTxns[i][0])
	}
	if c, err := s.CrowdCategoryOf(ctx, "JOESPIZZA"); err != nil || c.Category != "shopping" || c.Voters != 3 {
		t.Fatalf("three old linked voters: got %+v, %v; want shopping by 3", c, err)
	}
	if _, err := s.ApplyCrowd(ctx, "JOESPIZZA"); err != nil { // the crowd_apply job
		t.Fatal(err)
	}
	if got, _ := s.Transaction(ctx, victim.ID, own[0].ID); got.Category != "shopping" || got.CategorySource != tally.SourceCrowd {
		t.Fatalf("after a real consensus: %s/%s, want shopping/crowd", got.Category, got.CategorySource)
	}
}

// A seller many users have needs more than three voters.
func TestCrowdThresholdScalesWithUsers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	at := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return at.Add(-30 * 24 * time.Hour) }
	var users []*tally.User
	var txns [][]*tally.Transaction
	for i := range 80 {
		u, a := seedAccount(t, s, fmt.Sprintf("u%d@example.com", i))
		users, txns = append(users, u), append(txns, pizza(t, s, u, a, "p"))
	}
	s.Now = func() time.Time { return at }
	for i := range 3 {
		if _, _, err := s.Recategorize(ctx, users[i].ID, txns[i][0].ID, "shopping", store.CategoryChange{MerchantKey: "JOESPIZZA", Vote: true}); err != nil {
			t.Fatal(err)
		}
	}
	if c, err := s.CrowdCategoryOf(ctx, "JOESPIZZA"); tally.ErrorCode(err) != tally.ENOTFOUND {
		t.Fatalf("3 voters of 80 users: got %+v, %v; want no consensus", c, err)
	}
	if _, _, err := s.Recategorize(ctx, users[3].ID, txns[3][0].ID, "shopping", store.CategoryChange{MerchantKey: "JOESPIZZA", Vote: true}); err != nil {
		t.Fatal(err)
	}
	if c, err := s.CrowdCategoryOf(ctx, "JOESPIZZA"); err != nil || c.Voters != 4 {
		t.Fatalf("4 voters of 80 users: got %+v, %v; want a consensus", c, err)
	}
}

// A user's manual filings are read as seller key to the category of the
// latest one: other users' filings, automatic categories, lines without a
// seller and keys from before seller keys existed are left out.
func TestManualCategoriesAreTheUsersLatestFilings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u, a := seedAccount(t, s, "manual@example.com")
	other, oa := seedAccount(t, s, "manual-other@example.com")
	txns := pizza(t, s, u, a, "p")
	noKey := txn(a, "nokey", "2026-03-04", -300, "restaurants")
	noKey.MerchantKey = ""
	legacy := txn(a, "legacy", "2026-03-05", -300, "restaurants")
	legacy.MerchantKey = "name:Old Shop"
	auto := txn(a, "auto", "2026-03-06", -300, "restaurants")
	if _, err := s.InsertTransactions(ctx, u.ID, []*tally.Transaction{noKey, legacy, auto}); err != nil {
		t.Fatal(err)
	}
	theirs := txn(oa, "theirs", "2026-03-07", -300, "restaurants")
	if _, err := s.InsertTransactions(ctx, other.ID, []*tally.Transaction{theirs}); err != nil {
		t.Fatal(err)
	}
	// The March pizza is filed one way, the April one (posted later) another.
	for id, c := range map[string]string{txns[0].ID: "fast_food", txns[2].ID: "groceries", noKey.ID: "gift", legacy.ID: "gift"} {
		if _, err := s.SetCategory(ctx, u.ID, id, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.SetCategory(ctx, other.ID, theirs.ID, "gift"); err != nil {
		t.Fatal(err)
	}

	got, err := s.ManualCategories(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"JOESPIZZA": "groceries"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("manual categories: got %v, want %v", got, want)
	}
	got, err = s.ManualCategories(ctx, other.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{theirs.MerchantKey: "gift"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the other user's manual categories: got %v, want %v", got, want)
	}
}
