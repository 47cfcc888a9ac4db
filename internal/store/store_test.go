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

func newStore(t *testing.T) *store.Store {
	t.Helper()
	return store.New(sqldbtest.Open(t), store.NoJobs{})
}

// seedAccount creates a user with one connection and one account.
func seedAccount(t *testing.T, s *store.Store, email string) (*tally.User, *tally.Account) {
	t.Helper()
	ctx := context.Background()
	u, err := s.CreateUser(ctx, email, "hash")
	if err != nil {
		t.Fatal(err)
	}
	a := &tally.Account{ExternalID: "bank:CHECKING:1:100", Name: "Checking", Type: tally.AccountChecking, Currency: "USD"}
	c := &tally.Connection{UserID: u.ID, Kind: tally.ConnectionOFX, URL: "http://bank.test/ofx", Login: "me"}
	if err := s.CreateConnection(ctx, c, []byte("sealed"), []*tally.Account{a}); err != nil {
		t.Fatal(err)
	}
	return u, a
}

func txn(acct *tally.Account, ext, day string, amount int64, category string) *tally.Transaction {
	d, err := time.Parse(tally.DateLayout, day)
	if err != nil {
		panic(err)
	}
	return &tally.Transaction{AccountID: acct.ID, ExternalID: ext, PostedOn: d, Amount: amount, Currency: "USD",
		Description: "DESC " + ext, Merchant: "Merchant " + ext, MerchantKey: "merchant_" + ext, Category: category, CategorySource: tally.SourceDictionary}
}

func totals(t *testing.T, s *store.Store, userID, month string) map[string]tally.MonthlyTotal {
	t.Helper()
	list, err := s.MonthlyTotals(context.Background(), userID, month)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]tally.MonthlyTotal{}
	for _, x := range list {
		m[x.Category] = x
	}
	return m
}

func TestUsersAndTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u, err := s.CreateUser(ctx, " Ann@Example.com ", "h1")
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "ann@example.com" {
		t.Errorf("email = %q, want it normalized", u.Email)
	}
	if _, err := s.CreateUser(ctx, "ann@example.com", "h2"); tally.ErrorCode(err) != tally.ECONFLICT {
		t.Fatalf("second CreateUser error = %v, want conflict", err)
	}
	got, hash, err := s.UserByEmail(ctx, "ANN@example.com")
	if err != nil || got.ID != u.ID || hash != "h1" {
		t.Fatalf("UserByEmail = %v, %q, %v", got, hash, err)
	}
	exp := time.Now().Add(time.Hour)
	if err := s.CreateToken(ctx, u.ID, "tok", store.TokenSession, &exp); err != nil {
		t.Fatal(err)
	}
	if got, err := s.UserByToken(ctx, "tok", store.TokenSession); err != nil || got.ID != u.ID {
		t.Fatalf("UserByToken = %v, %v", got, err)
	}
	if _, err := s.UserByToken(ctx, "tok", store.TokenAPI); tally.ErrorCode(err) != tally.ENOTFOUND {
		t.Fatalf("token of another kind: err = %v, want not found", err)
	}
	s.Now = func() time.Time { return exp.Add(time.Second) }
	if _, err := s.UserByToken(ctx, "tok", store.TokenSession); tally.ErrorCode(err) != tally.ENOTFOUND {
		t.Fatalf("expired token: err = %v, want not found", err)
	}
}

func TestInsertTransactionsDedupesAndKeepsTotals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u, a := seedAccount(t, s, "a@example.com")
	batch := []*tally.Transaction{
		txn(a, "1", "2026-10-01", -1250, "groceries"),
		txn(a, "2", "2026-10-02", -800, "groceries"),
		txn(a, "3", "2026-10-03", -500, "coffee_shops"),
		txn(a, "4", "2026-11-01", 300, "groceries"),   // a refund in another month
		txn(a, "1", "2026-10-01", -1250, "groceries"), // the same FITID twice in one batch
	}
	n, err := s.InsertTransactions(ctx, u.ID, batch)
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Fatalf("inserted %d, want 4", n)
	}
	again := []*tally.Transaction{txn(a, "1", "2026-10-01", -1250, "groceries"), txn(a, "5", "2026-10-09", -100, "groceries")}
	if n, err := s.InsertTransactions(ctx, u.ID, again); err != nil || n != 1 {
		t.Fatalf("re-insert = %d, %v; want 1 new", n, err)
	}
	oct := totals(t, s, u.ID, "2026-10")
	if g := oct["groceries"]; g.Amount != -2150 || g.Count != 3 {
		t.Errorf("October groceries = %d/%d, want -2150/3", g.Amount, g.Count)
	}
	if c := oct["coffee_shops"]; c.Amount != -500 || c.Count != 1 {
		t.Errorf("October coffee = %d/%d, want -500/1", c.Amount, c.Count)
	}
	if g := totals(t, s, u.ID, "2026-11")["groceries"]; g.Amount != 300 {
		t.Errorf("November groceries = %d, want 300", g.Amount)
	}
	if drifts, err := s.ReconcileUser(ctx, u.ID, false); err != nil || len(drifts) != 0 {
		t.Fatalf("ReconcileUser = %v, %v; want no drift", drifts, err)
	}
}

func TestInsertManyInOneCall(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u, a := seedAccount(t, s, "many@example.com")
	var batch []*tally.Transaction
	many := store.RowsPerInsert*2 + 500 // more than one INSERT statement's worth
	for i := range many {
		batch = append(batch, txn(a, fmt.Sprint(i), fmt.Sprintf("2026-%02d-15", 1+i%12), -100, "groceries"))
	}
	if n, err := s.InsertTransactions(ctx, u.ID, batch); err != nil || n != many {
		t.Fatalf("insert = %d, %v; want %d", n, err, many)
	}
	if n, err := s.InsertTransactions(ctx, u.ID, batch); err != nil || n != 0 {
		t.Fatalf("re-insert = %d, %v; want 0", n, err)
	}
	var sum int64
	for m := 1; m <= 12; m++ {
		sum += totals(t, s, u.ID, fmt.Sprintf("2026-%02d", m))["groceries"].Count
	}
	if sum != int64(many) {
		t.Fatalf("monthly counts add to %d, want %d", sum, many)
	}
}

func TestSetCategoryMovesTotals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u, a := seedAccount(t, s, "b@example.com")
	if _, err := s.InsertTransactions(ctx, u.ID, []*tally.Transaction{txn(a, "1", "2026-10-05", -4200, "groceries")}); err != nil {
		t.Fatal(err)
	}
	list, _, err := s.Transactions(ctx, u.ID, tally.TransactionFilter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("Transactions = %v, %v", list, err)
	}
	got, err := s.SetCategory(ctx, u.ID, list[0].ID, "restaurants")
	if err != nil {
		t.Fatal(err)
	}
	if got.Category != "restaurants" || got.CategorySource != tally.SourceManual {
		t.Fatalf("SetCategory = %s/%s, want restaurants/manual", got.Category, got.CategorySource)
	}
	oct := totals(t, s, u.ID, "2026-10")
	if _, ok := oct["groceries"]; ok {
		t.Errorf("groceries still has a total: %+v", oct["groceries"])
	}
	if r := oct["restaurants"]; r.Amount != -4200 || r.Count != 1 {
		t.Errorf("restaurants = %d/%d, want -4200/1", r.Amount, r.Count)
	}
	// Another user cannot touch it.
	other, _ := seedAccount(t, s, "c@example.com")
	if _, err := s.SetCategory(ctx, other.ID, list[0].ID, "groceries"); tally.ErrorCode(err) != tally.ENOTFOUND {
		t.Fatalf("other user's SetCategory error = %v, want not found", err)
	}
	if _, err := s.Transaction(ctx, other.ID, list[0].ID); tally.ErrorCode(err) != tally.ENOTFOUND {
		t.Fatalf("other user's Transaction error = %v, want not found", err)
	}
}

func TestTransactionsPagesAndFilters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u, a := seedAccount(t, s, "d@example.com")
	var batch []*tally.Transaction
	for i := range 23 {
		cat := "groceries"
		if i%2 == 1 {
			cat = "coffee_shops"
		}
		batch = append(batch, txn(a, fmt.Sprint(i), fmt.Sprintf("2026-10-%02d", 1+i%5), int64(-100-i), cat))
	}
	if _, err := s.InsertTransactions(ctx, u.ID, batch); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	cursor, pages := "", 0
	var prev *tally.Transaction
	for {
		page, next, err := s.Transactions(ctx, u.ID, tally.TransactionFilter{Limit: 5, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, x := range page {
			if seen[x.ID] {
				t.Fatalf("transaction %s on two pages", x.ID)
			}
			seen[x.ID] = true
			if prev != nil && x.PostedOn.After(prev.PostedOn) {
				t.Fatalf("page order: %s after %s", x.PostedOn, prev.PostedOn)
			}
			prev = x
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(seen) != 23 || pages != 5 {
		t.Fatalf("saw %d transactions on %d pages, want 23 on 5", len(seen), pages)
	}
	coffee, _, err := s.Transactions(ctx, u.ID, tally.TransactionFilter{Categories: []string{"coffee_shops"}, Limit: 100})
	if err != nil || len(coffee) != 11 {
		t.Fatalf("coffee filter = %d, %v; want 11", len(coffee), err)
	}
	q, _, err := s.Transactions(ctx, u.ID, tally.TransactionFilter{Query: "merchant 1", Limit: 100})
	if err != nil || len(q) != 11 { // 1, 10..19
		t.Fatalf("query filter = %d, %v; want 11", len(q), err)
	}
	nov, _, err := s.Transactions(ctx, u.ID, tally.TransactionFilter{Month: "2026-11"})
	if err != nil || len(nov) != 0 {
		t.Fatalf("November = %d, %v; want 0", len(nov), err)
	}
	if _, _, err := s.Transactions(ctx, u.ID, tally.TransactionFilter{Cursor: "!!"}); tally.ErrorCode(err) != tally.EINVALID {
		t.Fatalf("bad cursor error = %v, want invalid", err)
	}
	other, _ := seedAccount(t, s, "e@example.com")
	if list, _, err := s.Transactions(ctx, other.ID, tally.TransactionFilter{}); err != nil || len(list) != 0 {
		t.Fatalf("other user sees %d transactions, %v", len(list), err)
	}
}

func TestDeleteConnectionTakesTotalsAlong(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u, a := seedAccount(t, s, "f@example.com")
	if _, err := s.InsertTransactions(ctx, u.ID, []*tally.Transaction{txn(a, "1", "2026-10-05", -4200, "groceries")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteConnection(ctx, u.ID, a.ConnectionID); err != nil {
		t.Fatal(err)
	}
	if len(totals(t, s, u.ID, "2026-10")) != 0 {
		t.Fatal("totals remain after the connection was deleted")
	}
	if accts, err := s.Accounts(ctx, u.ID); err != nil || len(accts) != 0 {
		t.Fatalf("accounts after delete = %d, %v", len(accts), err)
	}
	if _, err := s.DeleteConnection(ctx, u.ID, a.ConnectionID); tally.ErrorCode(err) != tally.ENOTFOUND {
		t.Fatalf("second delete error = %v, want not found", err)
	}
}

func TestReconcileRepairsDrift(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u, a := seedAccount(t, s, "g@example.com")
	if _, err := s.InsertTransactions(ctx, u.ID, []*tally.Transaction{txn(a, "1", "2026-10-05", -4200, "groceries")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().ExecContext(ctx, s.DB().Rebind(`UPDATE monthly_totals SET amount = amount + 7 WHERE user_id = ?`), u.ID); err != nil {
		t.Fatal(err)
	}
	drifts, err := s.ReconcileUser(ctx, u.ID, true)
	if err != nil || len(drifts) != 1 || drifts[0].Want.Amount != -4200 {
		t.Fatalf("ReconcileUser = %+v, %v; want one drift to -4200", drifts, err)
	}
	if drifts, err := s.ReconcileUser(ctx, u.ID, false); err != nil || len(drifts) != 0 {
		t.Fatalf("after repair: %+v, %v; want no drift", drifts, err)
	}
}

func TestSearchWindowBoundsEachPage(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	u, acct := seedAccount(t, s, "alice@example.com")
	var txns []*tally.Transaction
	for i := range 30 {
		x := txn(acct, fmt.Sprint("e", i), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format(tally.DateLayout), -100, "groceries")
		if i == 2 {
			x.Description, x.Merchant = "RARE SELLER", "Rare Seller"
		}
		txns = append(txns, x)
	}
	if _, err := s.InsertTransactions(ctx, u.ID, txns); err != nil {
		t.Fatal(err)
	}
	// Each page reads at most ten rows: the rare match, third from the
	// oldest, is on the third page; the pages before it are empty but go on.
	f := tally.TransactionFilter{Query: "rare", Limit: 5, SearchWindow: 10}
	var pages [][]*tally.Transaction
	for range 5 {
		got, next, err := s.Transactions(ctx, u.ID, f)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, got)
		if next == "" {
			break
		}
		f.Cursor = next
	}
	if len(pages) != 3 || len(pages[0]) != 0 || len(pages[1]) != 0 || len(pages[2]) != 1 || pages[2][0].Merchant != "Rare Seller" {
		t.Fatalf("got pages %v, want two empty pages and then the match", pages)
	}
	// Without a window the same search finds it at once.
	got, next, err := s.Transactions(ctx, u.ID, tally.TransactionFilter{Query: "rare", Limit: 5})
	if err != nil || len(got) != 1 || next != "" {
		t.Fatalf("unwindowed search: %v %q %v", got, next, err)
	}
}
