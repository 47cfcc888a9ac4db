package httpapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally"
)

func TestTransactionsPagination(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aliceID, alice := e.signUp("alice@example.com")
	_, ids := e.link(alice)

	// 137 transactions over 40 days, several per day, so pages split days.
	var seeds []txn
	start := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	for i := range 137 {
		seeds = append(seeds, txn{account: ids[i%2], date: start.AddDate(0, 0, i%40).Format(tally.DateLayout), category: "groceries", amount: -int64(100 + i)})
	}
	stored := e.seed(aliceID, seeds...)
	want := make([]string, 0, len(stored))
	slices.SortFunc(stored, func(a, b *tally.Transaction) int {
		if c := b.PostedOn.Compare(a.PostedOn); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	for _, s := range stored {
		want = append(want, s.ID)
	}

	for _, limit := range []int{1, 20, 50, 137, 500} {
		var got []string
		seen := map[string]bool{}
		cursor := ""
		pages := 0
		for {
			q := url.Values{"limit": {fmt.Sprint(limit)}}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			res := e.do("GET", "/api/v1/transactions?"+q.Encode(), alice, nil).want(t, http.StatusOK)
			pages++
			page := res.list("transactions")
			if len(page) > limit {
				t.Fatalf("limit %d: got a page of %d", limit, len(page))
			}
			for _, x := range page {
				id := x["id"].(string)
				if seen[id] {
					t.Fatalf("limit %d: transaction %s on two pages", limit, id)
				}
				seen[id] = true
				got = append(got, id)
			}
			next, isString := res.body["next_cursor"].(string)
			if !isString || next == "" {
				if res.body["next_cursor"] != nil {
					t.Fatalf("limit %d: got next_cursor %v at the end, want null", limit, res.body["next_cursor"])
				}
				break
			}
			cursor = next
			if pages > 200 {
				t.Fatal("pagination does not end")
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("limit %d: got %d transactions in pages, want all %d newest first without gaps", limit, len(got), len(want))
		}
		if wantPages := (137 + limit - 1) / limit; pages != wantPages && pages != wantPages+1 {
			t.Fatalf("limit %d: got %d pages, want %d", limit, pages, wantPages)
		}
	}

	// Default page size is 50.
	res := e.do("GET", "/api/v1/transactions", alice, nil).want(t, http.StatusOK)
	if n := len(res.list("transactions")); n != 50 || res.str("next_cursor") == "" {
		t.Fatalf("got %d transactions and next_cursor %v, want 50 and a cursor", n, res.body["next_cursor"])
	}
	first := res.list("transactions")[0]
	wantKeys := []string{"account_id", "amount", "category", "category_source", "currency", "description", "id", "merchant", "pending", "posted_on"}
	if got := keys(first); !reflect.DeepEqual(got, wantKeys) {
		t.Fatalf("got keys %v, want %v", got, wantKeys)
	}
	if first["posted_on"] != "2026-03-12" || !strings.HasPrefix(first["amount"].(string), "-") || first["pending"] != false {
		t.Fatalf("got %v, want the newest transaction (2026-03-12), a negative decimal amount", first)
	}
}

func TestTransactionsFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aliceID, alice := e.signUp("alice@example.com")
	bobID, bob := e.signUp("bob@example.com")
	_, ids := e.link(alice)
	_, bobIDs := e.link(bob)
	checking, card := ids[0], ids[1]
	e.seed(aliceID,
		txn{account: checking, date: "2026-03-02", category: "groceries", merchant: "Whole Foods Market", amount: -8412},
		txn{account: card, date: "2026-03-03", category: "restaurants", merchant: "Chipotle", amount: -1250},
		txn{account: card, date: "2026-03-04", category: "food_dining", merchant: "Food Hall", amount: -900},
		txn{account: card, date: "2026-02-27", category: "coffee_shops", merchant: "Blue Bottle Coffee", amount: -650},
		txn{account: checking, date: "2026-03-01", category: "paycheck", merchant: "Acme Payroll", amount: 250000},
		txn{account: checking, date: "2026-03-05", category: "gas_fuel", merchant: "ExxonMobil", amount: -4000},
	)
	e.seed(bobID, txn{account: bobIDs[0], date: "2026-03-02", category: "groceries", merchant: "Whole Foods Market", amount: -100})

	merchants := func(query string) []string {
		t.Helper()
		res := e.do("GET", "/api/v1/transactions?"+query, alice, nil).want(t, http.StatusOK)
		var out []string
		for _, x := range res.list("transactions") {
			out = append(out, x["merchant"].(string))
		}
		return out
	}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{"ExxonMobil", "Food Hall", "Chipotle", "Whole Foods Market", "Acme Payroll", "Blue Bottle Coffee"}},
		{"account_id=" + card, []string{"Food Hall", "Chipotle", "Blue Bottle Coffee"}},
		{"month=2026-02", []string{"Blue Bottle Coffee"}},
		{"month=2026-04", nil},
		{"category=food_dining", []string{"Food Hall", "Chipotle", "Whole Foods Market", "Blue Bottle Coffee"}},
		{"category=food_dining&month=2026-03&account_id=" + card, []string{"Food Hall", "Chipotle"}},
		{"category=groceries", []string{"Whole Foods Market"}},
		{"category=income", []string{"Acme Payroll"}},
		{"q=whole", []string{"Whole Foods Market"}},
		{"q=" + url.QueryEscape("BLUE BOTTLE"), []string{"Blue Bottle Coffee"}},
		{"q=%25", nil},
	} {
		if got := merchants(tc.query); !slices.Equal(got, tc.want) {
			t.Errorf("?%s: got %v, want %v", tc.query, got, tc.want)
		}
	}

	for _, tc := range []struct{ query, contains string }{
		{"month=2026-13", "month"},
		{"month=March", "month"},
		{"limit=0", "limit"},
		{"limit=501", "limit"},
		{"limit=ten", "limit"},
		{"cursor=%21%21%21", "cursor"},
		{"category=pizza", "category"},
	} {
		e.do("GET", "/api/v1/transactions?"+tc.query, alice, nil).wantError(t, http.StatusBadRequest, "invalid_argument", tc.contains)
	}
	// Another user's account is not found, not an empty page.
	e.do("GET", "/api/v1/transactions?account_id="+bobIDs[0], alice, nil).wantError(t, http.StatusNotFound, "not_found", "account")
}

func TestTransactionDetailAndRecategorize(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aliceID, alice := e.signUp("alice@example.com")
	_, bob := e.signUp("bob@example.com")
	_, ids := e.link(alice)
	txns := e.seed(aliceID,
		txn{account: ids[0], date: "2026-03-02", category: "groceries", merchant: "Whole Foods Market", amount: -8412},
		txn{account: ids[1], date: "2026-03-03", category: "restaurants", source: tally.SourceRule, merchant: "Chipotle", amount: -1250},
		txn{account: ids[1], date: "2026-03-04", category: "groceries", merchant: "Trader Joe's", amount: -3000},
		txn{account: ids[1], date: "2026-03-06", category: "groceries", merchant: "Trader Joe's", amount: 500}, // a refund
		txn{account: ids[0], date: "2026-03-01", category: "paycheck", merchant: "Acme Payroll", amount: 250000},
	)
	wholeFoods := txns[0].ID

	res := e.do("GET", "/api/v1/transactions/"+wholeFoods, alice, nil).want(t, http.StatusOK)
	if got, want := res.str("category_reason"), "Filed under Groceries by the seller dictionary (Whole Foods Market)"; got != want {
		t.Fatalf("got category_reason %q, want %q", got, want)
	}
	if res.str("amount") != "-84.12" || res.str("posted_on") != "2026-03-02" || res.str("category_source") != "dictionary" {
		t.Fatalf("got %s", res.raw)
	}
	res = e.do("GET", "/api/v1/transactions/"+txns[1].ID, alice, nil).want(t, http.StatusOK)
	if got := res.str("category_reason"); got != "Filed under Restaurants by your rule for Chipotle" {
		t.Fatalf("got category_reason %q", got)
	}
	e.do("GET", "/api/v1/transactions/"+wholeFoods, bob, nil).wantError(t, http.StatusNotFound, "not_found")
	e.do("PATCH", "/api/v1/transactions/"+wholeFoods, bob, map[string]string{"category": "restaurants"}).wantError(t, http.StatusNotFound, "not_found")
	e.do("GET", "/api/v1/transactions/nope", alice, nil).wantError(t, http.StatusNotFound, "not_found")

	spending := func() map[string]string {
		t.Helper()
		res := e.do("GET", "/api/v1/spending?month=2026-03", alice, nil).want(t, http.StatusOK)
		out := map[string]string{"total": res.str("total"), "currency": res.str("currency")}
		for _, c := range res.list("categories") {
			out[c["category"].(string)] = fmt.Sprintf("%s/%v", c["amount"], c["count"])
		}
		return out
	}
	before := spending()
	if want := map[string]string{"total": "121.62", "currency": "USD", "groceries": "109.12/3", "restaurants": "12.50/1"}; !reflect.DeepEqual(before, want) {
		t.Fatalf("spending before: got %v, want %v", before, want)
	}

	e.do("PATCH", "/api/v1/transactions/"+wholeFoods, alice, map[string]string{"category": "pizza"}).wantError(t, http.StatusBadRequest, "invalid_argument", "pizza")
	e.do("PATCH", "/api/v1/transactions/"+wholeFoods, alice, map[string]any{}).wantError(t, http.StatusBadRequest, "invalid_argument", "category")
	res = e.do("PATCH", "/api/v1/transactions/"+wholeFoods, alice, map[string]any{"category": "restaurants", "apply_to_merchant": false}).want(t, http.StatusOK)
	if res.str("category") != "restaurants" || res.str("category_source") != "manual" || res.str("category_reason") != "Set by you" || res.str("id") != wholeFoods {
		t.Fatalf("got %s, want restaurants, manual, \"Set by you\"", res.raw)
	}
	after := spending()
	if want := map[string]string{"total": "121.62", "currency": "USD", "groceries": "25.00/2", "restaurants": "96.62/2"}; !reflect.DeepEqual(after, want) {
		t.Fatalf("spending after: got %v, want %v", after, want)
	}
	// Sorted by amount, largest first.
	res = e.do("GET", "/api/v1/spending?month=2026-03", alice, nil).want(t, http.StatusOK)
	if cats := res.list("categories"); cats[0]["category"] != "restaurants" {
		t.Fatalf("got %s, want restaurants first", res.raw)
	}

	// Moving a purchase out of spending (to a transfer) lowers the total.
	e.do("PATCH", "/api/v1/transactions/"+wholeFoods, alice, map[string]string{"category": "credit_card_payment"}).want(t, http.StatusOK)
	if got := spending()["total"]; got != "37.50" {
		t.Fatalf("got total %s after moving 84.12 to a transfer, want 37.50", got)
	}
	res = e.do("GET", "/api/v1/transactions?category=transfer", alice, nil).want(t, http.StatusOK)
	if n := len(res.list("transactions")); n != 1 {
		t.Fatalf("got %d transfers, want 1", n)
	}
}

func TestCategories(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, alice := e.signUp("alice@example.com")
	res := e.do("GET", "/api/v1/categories", alice, nil).want(t, http.StatusOK)
	cats := res.list("categories")
	if len(cats) != len(tally.Categories()) {
		t.Fatalf("got %d categories, want %d", len(cats), len(tally.Categories()))
	}
	byID := map[string]map[string]any{}
	for _, c := range cats {
		if got := keys(c); !reflect.DeepEqual(got, []string{"id", "kind", "name", "parent"}) {
			t.Fatalf("got keys %v", got)
		}
		byID[c["id"].(string)] = c
	}
	if c := byID["food_dining"]; c["parent"] != nil || c["kind"] != "expense" || c["name"] != "Food & Dining" {
		t.Fatalf("got %v for food_dining, want a top level expense with a null parent", c)
	}
	if c := byID["groceries"]; c["parent"] != "food_dining" {
		t.Fatalf("got %v for groceries, want parent food_dining", c)
	}
	if c := byID["paycheck"]; c["kind"] != "income" {
		t.Fatalf("got %v for paycheck, want kind income", c)
	}
}

func TestSpending(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aliceID, alice := e.signUp("alice@example.com")
	_, ids := e.link(alice)
	e.seed(aliceID,
		txn{account: ids[0], date: "2026-03-02", category: "groceries", amount: -5000},
		txn{account: ids[0], date: "2026-03-31", category: "rent_mortgage", amount: -150000},
		txn{account: ids[0], date: "2026-04-01", category: "restaurants", amount: -2000},
		txn{account: ids[0], date: "2026-03-01", category: "paycheck", amount: 400000},
		txn{account: ids[0], date: "2026-03-10", category: "credit_card_payment", amount: -90000},
	)
	// A euro purchase: USD stays the main currency because it has more spending.
	euro := &tally.Transaction{AccountID: ids[1], ExternalID: "eur-1", PostedOn: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC),
		Amount: -9900, Currency: "EUR", Description: "CAFE PARIS", Merchant: "Cafe Paris", Category: "coffee_shops", CategorySource: tally.SourceMCC}
	if _, err := e.store.InsertTransactions(t.Context(), aliceID, []*tally.Transaction{euro}); err != nil {
		t.Fatal(err)
	}

	res := e.do("GET", "/api/v1/spending", alice, nil).want(t, http.StatusOK)
	if got := keys(res.body); !reflect.DeepEqual(got, []string{"categories", "currency", "month", "total"}) {
		t.Fatalf("got keys %v", got)
	}
	if res.str("month") != "2026-03" || res.str("currency") != "USD" || res.str("total") != "1550.00" {
		t.Fatalf("got %s, want March 2026 in USD totalling 1550.00 (income and transfers excluded)", res.raw)
	}
	cats := res.list("categories")
	if len(cats) != 2 || cats[0]["category"] != "rent_mortgage" || cats[0]["amount"] != "1500.00" || cats[0]["count"] != 1.0 || cats[1]["category"] != "groceries" {
		t.Fatalf("got %s, want rent then groceries", res.raw)
	}

	// The default month is the user's: 2026-03-31 23:30 UTC is already April in Tokyo.
	if _, err := e.store.DB().ExecContext(t.Context(), e.store.DB().Rebind(`UPDATE users SET time_zone = ? WHERE id = ?`), "Asia/Tokyo", aliceID); err != nil {
		t.Fatal(err)
	}
	e2 := e.withNow(time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC))
	res = e2.do("GET", "/api/v1/spending", alice, nil).want(t, http.StatusOK)
	if res.str("month") != "2026-04" || res.str("total") != "20.00" {
		t.Fatalf("got %s, want April (Tokyo time) totalling 20.00", res.raw)
	}

	// A month with no spending: zero in the default currency.
	res = e.do("GET", "/api/v1/spending?month=2025-01", alice, nil).want(t, http.StatusOK)
	if res.str("total") != "0.00" || res.str("currency") != "USD" || len(res.body["categories"].([]any)) != 0 {
		t.Fatalf("got %s, want an empty month", res.raw)
	}
	e.do("GET", "/api/v1/spending?month=2026-3", alice, nil).wantError(t, http.StatusBadRequest, "invalid_argument", "month")
}
