package httpapi_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/httpapi"
	"github.com/tallyhq/tally/internal/httpx"
	"github.com/tallyhq/tally/internal/secret"
)

// withSecrets serves e's API with a secret box, so webhooks can be set.
func (e *env) withSecrets() *env {
	e.t.Helper()
	box, err := secret.New(make([]byte, 32))
	if err != nil {
		e.t.Fatal(err)
	}
	logger := slog.New(slog.NewJSONHandler(e.logs, nil))
	s := &httpapi.Server{Store: e.store, Connector: &fakeConnector{store: e.store}, Logger: logger, Now: func() time.Time { return now }, Secrets: box, SignupOpen: true,
		Outbound: testGuard()}
	mux := http.NewServeMux()
	s.Routes(mux)
	e.srv = httptest.NewServer(httpx.Middleware(mux, logger))
	e.t.Cleanup(e.srv.Close)
	return e
}

// budgetLines returns GET /budgets' categories by id.
func (e *env) budgetLines(token, month string) map[string]map[string]any {
	e.t.Helper()
	res := e.do("GET", "/api/v1/budgets?month="+month, token, nil).want(e.t, http.StatusOK)
	if res.str("month") != month || res.str("currency") != "USD" {
		e.t.Fatalf("budgets: got month %q currency %q", res.str("month"), res.str("currency"))
	}
	out := map[string]map[string]any{}
	for _, l := range res.list("categories") {
		out[l["category"].(string)] = l
	}
	return out
}

func wantLine(t *testing.T, lines map[string]map[string]any, category, amount, source, spent, status string) {
	t.Helper()
	l, ok := lines[category]
	if !ok {
		t.Fatalf("no budget for %s among %v", category, lines)
	}
	if l["amount"] != amount || l["source"] != source || l["spent"] != spent || l["status"] != status {
		t.Errorf("%s: got amount %v source %v spent %v status %v; want %s %s %s %s", category, l["amount"], l["source"], l["spent"], l["status"], amount, source, spent, status)
	}
}

func TestBudgetSources(t *testing.T) {
	t.Parallel()
	e := newEnv(t).withSecrets()
	id, token := e.signUp("budgets@example.com")
	_, accts := e.link(token)
	acct := accts[0]

	// A new user: the template splits the income from the profile.
	e.do("PUT", "/api/v1/profile", token, map[string]any{"monthly_income": "5000.00"}).want(t, http.StatusOK)
	e.seed(id,
		txn{account: acct, date: "2026-03-02", category: "groceries", amount: -12000},
		txn{account: acct, date: "2026-03-03", category: "restaurants", amount: -3000},
		txn{account: acct, date: "2026-03-04", category: "gym", amount: -5000},
		txn{account: acct, date: "2026-03-05", category: "paycheck", amount: 250000},
	)
	lines := e.budgetLines(token, "2026-03")
	wantLine(t, lines, "rent_mortgage", "2000.00", "template", "0.00", "under")
	wantLine(t, lines, "food_dining", "1000.00", "template", "150.00", "under")
	wantLine(t, lines, "gas_fuel", "500.00", "template", "0.00", "under")
	wantLine(t, lines, "shopping", "1000.00", "template", "0.00", "under")
	wantLine(t, lines, "health_fitness", "500.00", "template", "50.00", "under")
	if _, ok := lines["income"]; ok {
		t.Error("income got a budget")
	}

	// A manual budget overrides, counts its own spending, and DELETE brings
	// the recommendation back.
	res := e.do("PUT", "/api/v1/budgets/groceries", token, map[string]any{"amount": "100.00"}).want(t, http.StatusOK)
	if res.str("source") != "manual" || res.str("status") != "exceeded" || res.str("remaining") != "-20.00" {
		t.Errorf("PUT groceries: got %s", res.raw)
	}
	lines = e.budgetLines(token, "2026-03")
	wantLine(t, lines, "groceries", "100.00", "manual", "120.00", "exceeded")
	wantLine(t, lines, "food_dining", "1000.00", "template", "30.00", "under")
	e.do("PUT", "/api/v1/budgets/groceries", token, map[string]any{"amount": "130.00"}).want(t, http.StatusOK)
	wantLine(t, e.budgetLines(token, "2026-03"), "groceries", "130.00", "manual", "120.00", "approaching")
	e.do("DELETE", "/api/v1/budgets/groceries", token, nil).want(t, http.StatusNoContent)
	lines = e.budgetLines(token, "2026-03")
	if _, ok := lines["groceries"]; ok {
		t.Error("groceries still has a budget after DELETE")
	}
	wantLine(t, lines, "food_dining", "1000.00", "template", "150.00", "under")

	// Bad requests name what is wrong.
	e.do("PUT", "/api/v1/budgets/paycheck", token, map[string]any{"amount": "10"}).wantError(t, http.StatusBadRequest, tally.EINVALID, "paycheck")
	e.do("PUT", "/api/v1/budgets/nope", token, map[string]any{"amount": "10"}).wantError(t, http.StatusBadRequest, tally.EINVALID, "nope")
	e.do("PUT", "/api/v1/budgets/groceries", token, map[string]any{"amount": "-5"}).wantError(t, http.StatusBadRequest, tally.EINVALID, "amount")
	e.do("GET", "/api/v1/budgets?month=2026-13", token, nil).wantError(t, http.StatusBadRequest, tally.EINVALID, "month")

	// Three complete months of history replace the template. October, the
	// first month, counts as partial and is left out; one spike in
	// December does not move the median.
	for _, m := range []string{"2025-10", "2025-11", "2025-12", "2026-01", "2026-02"} {
		g := int64(-40000)
		if m == "2025-12" {
			g = -250000
		}
		e.seed(id,
			txn{account: acct, date: m + "-10", category: "groceries", amount: g},
			txn{account: acct, date: m + "-12", category: "restaurants", amount: -8000},
		)
	}
	lines = e.budgetLines(token, "2026-03")
	wantLine(t, lines, "food_dining", "480.00", "history", "150.00", "under")
	if _, ok := lines["rent_mortgage"]; ok {
		t.Error("rent_mortgage kept a budget with no rent in its history")
	}

	// Another user sees none of it.
	_, other := e.signUp("other@example.com")
	if got := e.budgetLines(other, "2026-03"); len(got) != 0 {
		t.Errorf("other user's budgets: got %v, want none", got)
	}
}

func TestProfileAndNotifications(t *testing.T) {
	t.Parallel()
	e := newEnv(t).withSecrets()
	id, token := e.signUp("profile@example.com")

	res := e.do("GET", "/api/v1/profile", token, nil).want(t, http.StatusOK)
	if res.body["approaching_percent"] != float64(80) || res.str("time_zone") != "UTC" || res.str("webhook_secret") != "" {
		t.Errorf("default profile: %s", res.raw)
	}
	res = e.do("PUT", "/api/v1/profile", token, map[string]any{
		"time_zone": "America/New_York", "notify_email": "me@example.com", "webhook_url": "https://hooks.example/tally",
		"approaching_percent": 75, "channels": map[string][]string{"budget_projected": {"inbox"}},
	}).want(t, http.StatusOK)
	if !strings.HasPrefix(res.str("webhook_secret"), "whsec_") || res.body["webhook_enabled"] != true {
		t.Errorf("first webhook: got %s, want a webhook_secret", res.raw)
	}
	res = e.do("PUT", "/api/v1/profile", token, map[string]any{"webhook_url": "https://hooks.example/other"}).want(t, http.StatusOK)
	if res.str("webhook_secret") != "" {
		t.Errorf("changing the webhook address showed the secret again: %s", res.raw)
	}
	res = e.do("GET", "/api/v1/profile", token, nil).want(t, http.StatusOK)
	if res.str("time_zone") != "America/New_York" || res.body["approaching_percent"] != float64(75) || res.str("webhook_secret") != "" ||
		res.str("webhook_url") != "https://hooks.example/other" {
		t.Errorf("profile: %s", res.raw)
	}
	if u, _ := e.store.User(context.Background(), id); u.TimeZone != "America/New_York" {
		t.Errorf("users.time_zone: got %q", u.TimeZone)
	}
	e.do("PUT", "/api/v1/profile", token, map[string]any{"time_zone": "Mars/Olympus"}).wantError(t, http.StatusBadRequest, tally.EINVALID, "time_zone")
	e.do("PUT", "/api/v1/profile", token, map[string]any{"approaching_percent": 120}).wantError(t, http.StatusBadRequest, tally.EINVALID, "approaching_percent")
	e.do("PUT", "/api/v1/profile", token, map[string]any{"webhook_url": "ftp://x"}).wantError(t, http.StatusBadRequest, tally.EINVALID, "webhook_url")
	// Private addresses are refused when saved, and credentials in the
	// address are never repeated.
	for _, u := range []string{"http://127.0.0.1:9000/hook", "http://bob:hunter2@internal.example/hook", "http://169.254.169.254/latest/meta-data/"} {
		res := e.do("PUT", "/api/v1/profile", token, map[string]any{"webhook_url": u})
		res.wantError(t, http.StatusBadRequest, tally.EINVALID, "private, loopback or link-local")
		if strings.Contains(string(res.raw), "hunter2") || strings.Contains(string(res.raw), "bob") {
			t.Errorf("%s: the answer repeats the credentials: %s", u, res.raw)
		}
	}
	res = e.do("PUT", "/api/v1/profile", token, map[string]any{"webhook_url": "https://bob:hunter2@hooks.example/other"}).want(t, http.StatusOK)
	if strings.Contains(string(res.raw), "hunter2") || strings.Contains(string(res.raw), "bob") {
		t.Errorf("the profile repeats the webhook's credentials: %s", res.raw)
	}
	e.do("PUT", "/api/v1/profile", token, map[string]any{"channels": map[string][]string{"budget_exceeded": {"pager"}}}).wantError(t, http.StatusBadRequest, tally.EINVALID, "pager")

	ns := []*tally.Notification{
		{Kind: tally.NotifyBudgetApproaching, Category: "groceries", Month: "2026-03", Message: "You've spent $412 of your $500 Groceries budget for March (82 %)."},
		{Kind: tally.NotifySyncCompleted, Category: "c1", Key: "1", Message: "3 new transactions arrived from your bank."},
	}
	if _, err := e.store.AddNotifications(context.Background(), id, ns, nil); err != nil {
		t.Fatal(err)
	}
	res = e.do("GET", "/api/v1/notifications?limit=1", token, nil).want(t, http.StatusOK)
	if res.body["unread"] != float64(2) || len(res.list("notifications")) != 1 || res.str("next_cursor") == "" {
		t.Fatalf("page 1: %s", res.raw)
	}
	first := res.list("notifications")[0]["id"].(string)
	res = e.do("GET", "/api/v1/notifications?limit=1&cursor="+res.str("next_cursor"), token, nil).want(t, http.StatusOK)
	if len(res.list("notifications")) != 1 || res.list("notifications")[0]["id"] == first || res.body["next_cursor"] != nil {
		t.Fatalf("page 2: %s", res.raw)
	}
	_, other := e.signUp("other@example.com")
	e.do("POST", "/api/v1/notifications/"+first+"/read", other, nil).wantError(t, http.StatusNotFound, tally.ENOTFOUND, "notification")
	if res := e.do("GET", "/api/v1/notifications", other, nil).want(t, http.StatusOK); len(res.list("notifications")) != 0 {
		t.Errorf("other user's inbox: %s", res.raw)
	}
	res = e.do("POST", "/api/v1/notifications/"+first+"/read", token, nil).want(t, http.StatusOK)
	if res.body["read"] != true {
		t.Errorf("read: %s", res.raw)
	}
	if res := e.do("GET", "/api/v1/notifications", token, nil).want(t, http.StatusOK); res.body["unread"] != float64(1) {
		t.Errorf("unread after reading one: %s", res.raw)
	}
}
