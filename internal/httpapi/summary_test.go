package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/tallyhq/tally"
)

func TestSummary(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id, token := e.signUp("summary@example.com")

	// A user with nothing yet has an empty home screen, not an error.
	res := e.do("GET", "/api/v1/summary", token, nil).want(t, http.StatusOK)
	if res.str("month") != "2026-03" || len(res.list("accounts")) != 0 || len(res.list("recent_transactions")) != 0 {
		t.Fatalf("empty summary: %s", res.raw)
	}

	e.do("PUT", "/api/v1/profile", token, map[string]any{"monthly_income": "5000.00"}).want(t, http.StatusOK)
	_, accts := e.link(token) // checking 1234.56, card -42.50
	var txns []txn
	for d := 1; d <= 12; d++ {
		txns = append(txns, txn{account: accts[0], date: "2026-03-" + two(d), category: "groceries", amount: -1000})
	}
	txns = append(txns,
		txn{account: accts[1], date: "2026-03-13", category: "restaurants", amount: -4500},
		txn{account: accts[0], date: "2026-03-14", category: "paycheck", amount: 300000},
		txn{account: accts[0], date: "2026-02-20", category: "groceries", amount: -99900}, // last month
	)
	e.seed(id, txns...)
	if _, err := e.store.AddNotifications(context.Background(), id, []*tally.Notification{
		{Kind: tally.NotifyBudgetExceeded, Category: "groceries", Month: "2026-03", Message: "Groceries is over budget"},
	}, func(string) []string { return nil }); err != nil {
		t.Fatal(err)
	}

	res = e.do("GET", "/api/v1/summary", token, nil).want(t, http.StatusOK)
	if got := len(res.list("accounts")); got != 2 {
		t.Errorf("got %d accounts, want 2", got)
	}
	nw := res.list("net_worth")
	if len(nw) != 1 || nw[0]["currency"] != "USD" || nw[0]["assets"] != "1234.56" || nw[0]["liabilities"] != "42.50" || nw[0]["total"] != "1192.06" {
		t.Errorf("got net worth %v, want USD assets 1234.56 liabilities 42.50 total 1192.06", nw)
	}
	sp := res.body["spending"].(map[string]any)
	if sp["month"] != "2026-03" || sp["total"] != "165.00" {
		t.Errorf("got spending %v, want March's 165.00 (groceries 120.00 + restaurants 45.00)", sp)
	}
	recent := res.list("recent_transactions")
	if len(recent) != 10 || recent[0]["posted_on"] != "2026-03-14" {
		t.Errorf("got %d recent transactions starting %v, want the 10 newest from 2026-03-14", len(recent), recent[0]["posted_on"])
	}
	budgets := map[string]map[string]any{}
	for _, b := range res.list("budgets") {
		budgets[b["category"].(string)] = b
	}
	if b, ok := budgets["food_dining"]; !ok || b["spent"] != "165.00" {
		t.Errorf("got food_dining budget %v, want spent 165.00", b)
	}
	if got := res.body["unread_notifications"]; got != float64(1) {
		t.Errorf("got unread_notifications %v, want 1", got)
	}

	// Another user sees only their own.
	_, other := e.signUp("summary-other@example.com")
	res = e.do("GET", "/api/v1/summary", other, nil).want(t, http.StatusOK)
	if len(res.list("accounts")) != 0 || res.body["unread_notifications"] != float64(0) {
		t.Errorf("another user's summary shows the first user's data: %s", res.raw)
	}

	e.do("GET", "/api/v1/summary", "", nil).wantError(t, http.StatusUnauthorized, "unauthenticated")
}

func two(d int) string {
	if d < 10 {
		return "0" + string(rune('0'+d))
	}
	return string(rune('0'+d/10)) + string(rune('0'+d%10))
}
