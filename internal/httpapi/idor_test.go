package httpapi_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/httpapi"
	"github.com/tallyhq/tally/internal/httpx"
	"github.com/tallyhq/tally/internal/secret"
)

// allRoutes serves e's store with every route and returns their patterns.
func (e *env) allRoutes() []string {
	e.t.Helper()
	box, _ := secret.New(make([]byte, 32))
	logger := slog.New(slog.NewJSONHandler(e.logs, nil))
	s := &httpapi.Server{Store: e.store, Connector: &fakeConnector{store: e.store}, Logger: logger, Now: func() time.Time { return now },
		Secrets: box, Outbound: testGuard(), SignupOpen: true}
	mux := http.NewServeMux()
	s.Routes(mux)
	e.srv = httptest.NewServer(httpx.Middleware(mux, logger))
	e.t.Cleanup(e.srv.Close)
	return s.Patterns()
}

// aliceOwns gives alice one of every resource with an id and returns, per
// path wildcard route, the id to try.
func (e *env) aliceOwns(aliceID, alice string) map[string]string {
	e.t.Helper()
	ctx := context.Background()
	connID, accts := e.link(alice)
	txns := e.seed(aliceID, txn{account: accts[0], date: "2026-03-02", category: "groceries", merchant: "Whole Foods Market", amount: -1234})
	rule := e.do("POST", "/api/v1/rules", alice, map[string]string{"merchant": "Zebra Kiosk", "category": "hobbies"}).want(e.t, http.StatusCreated)
	ns, err := e.store.AddNotifications(ctx, aliceID, []*tally.Notification{{Kind: tally.NotifyBudgetExceeded, Category: "groceries", Month: "2026-03", Message: "over"}}, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	imp := &tally.Import{UserID: aliceID, Filename: "a.csv", Format: "csv", BlobKey: "imports/x", Size: 1}
	if err := e.store.CreateImport(ctx, imp, false); err != nil {
		e.t.Fatal(err)
	}
	d := func(v string) time.Time { t, _ := time.Parse(tally.DateLayout, v); return t }
	series, _, err := e.store.SaveRecurring(ctx, aliceID, []tally.RecurringSeries{{Key: "Netflix", Merchant: "Netflix", Category: "streaming",
		Currency: "USD", Cadence: "monthly", Kind: "subscription", Amount: -1549, Previous: -1549, Usual: -1549,
		FirstDate: d("2026-01-05"), LastDate: d("2026-03-05"), NextDate: d("2026-04-05"), Count: 3, Confidence: 90, State: "active"}})
	if err != nil || len(series) != 1 {
		e.t.Fatalf("save recurring: %v", err)
	}
	tokens := e.do("GET", "/api/v1/tokens", alice, nil).want(e.t, http.StatusOK).list("tokens")
	if len(tokens) == 0 {
		e.t.Fatal("alice has no API token to list")
	}
	return map[string]string{
		"/api/v1/tokens/{id}":                tokens[0]["id"].(string),
		"/api/v1/recurring/{id}":             series[0].ID,
		"/api/v1/transactions/{id}/transfer": txns[0].ID,
		"/api/v1/connections/{id}":           connID,
		"/api/v1/connections/{id}/refresh":   connID,
		"/api/v1/accounts/{id}":              accts[0],
		"/api/v1/transactions/{id}":          txns[0].ID,
		"/api/v1/rules/{id}":                 rule.str("id"),
		"/api/v1/notifications/{id}/read":    ns[0].ID,
		"/api/v1/imports/{id}":               imp.ID,
	}
}

// notOwned are wildcards that name no user's object: every user has their
// own budget per category slug.
var notOwned = map[string]bool{"/api/v1/budgets/{category}": true}

// bodyFor is a well-formed body for a route, so that a 404 cannot come
// from a refused body.
func bodyFor(method, path string) any {
	switch {
	case method == "PATCH" && strings.HasPrefix(path, "/api/v1/transactions/"):
		return map[string]any{"category": "restaurants"}
	case method == "PATCH" && strings.HasPrefix(path, "/api/v1/accounts/"):
		return map[string]any{"name": "Mine now"}
	case method == "PATCH" && strings.HasPrefix(path, "/api/v1/recurring/"):
		return map[string]any{"status": "ignored"}
	case method == "PATCH" && strings.HasPrefix(path, "/api/v1/connections/"):
		return map[string]any{"login": "bob", "password": "bobs-password"}
	}
	return nil
}

// Every route that takes an id, tried by another user with the owner's id,
// answers 404 and changes nothing. The routes come from the server itself,
// so a new route with an id and no rule here fails the test.
func TestEveryRouteWithAnIdIsScopedToItsOwner(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	patterns := e.allRoutes()
	aliceID, alice := e.signUp("alice@example.com")
	_, bob := e.signUp("bob@example.com")
	ids := e.aliceOwns(aliceID, alice)
	tried := 0
	for _, p := range patterns {
		method, path, ok := strings.Cut(p, " ")
		if !ok || !strings.Contains(path, "{") || notOwned[path] {
			continue
		}
		id, ok := ids[path]
		if !ok {
			t.Errorf("route %s takes an id but this test has no owner's id for it: add one", p)
			continue
		}
		target := strings.NewReplacer("{id}", id).Replace(path)
		res := e.do(method, target, bob, bodyFor(method, path))
		if res.status != http.StatusNotFound {
			t.Errorf("%s %s as another user: %d %s, want 404", method, path, res.status, res.raw)
		}
		tried++
	}
	if tried < 7 {
		t.Fatalf("tried %d routes, want every route with an id", tried)
	}
	// Nothing of alice's changed.
	for _, path := range []string{"/api/v1/accounts/" + ids["/api/v1/accounts/{id}"], "/api/v1/transactions/" + ids["/api/v1/transactions/{id}"],
		"/api/v1/imports/" + ids["/api/v1/imports/{id}"]} {
		e.do("GET", path, alice, nil).want(t, http.StatusOK)
	}
	if got := e.do("GET", "/api/v1/transactions/"+ids["/api/v1/transactions/{id}"], alice, nil); got.str("category") != "groceries" {
		t.Errorf("another user's PATCH changed alice's transaction to %s", got.str("category"))
	}
	if n := len(e.do("GET", "/api/v1/rules", alice, nil).list("rules")); n != 1 {
		t.Errorf("alice has %d rules after bob's attempts, want 1", n)
	}
	if n := len(e.do("GET", "/api/v1/connections", alice, nil).list("connections")); n != 1 {
		t.Errorf("alice has %d connections after bob's attempts, want 1", n)
	}
}

// hostile are request bodies and parameters no client should send.
var hostileBodies = []string{
	"", "{", "[]", "null", `"x"`, "{}", `{"a":1}{"b":2}`, strings.Repeat("[", 10000), `{"category":{"$ne":1}}`,
	`{"amount":"99999999999999999999999999"}`, `{"amount":1e309}`, `{"amount":-0.0000001}`, `{"monthly_income":"1e10"}`,
	"{\"merchant\":\"\x00\"}", "{\"merchant\":\"\xff\xfe\"}", `{"merchant":"'; DROP TABLE users; --","category":"groceries"}`,
	`{"email":"a@b.c' OR 1=1 --","password":"x"}`, `{"webhook_url":"http://[::1]:80/"}`, `{"time_zone":"../../etc/passwd"}`,
	`{"channels":{"budget_exceeded":["webhook","webhook","x"]}}`, `{"limit":-1}`, `{"account_url":"file:///etc/passwd","account_login":"a","account_password":"b"}`,
	`{"kind":"simplefin","setup_token":"` + strings.Repeat("A", 5000) + `"}`, `{"code":"` + strings.Repeat("9", 100) + `"}`,
}

var hostileQueries = []string{
	"limit=-1", "limit=99999999999999999999", "limit=abc", "cursor=%00", "cursor=" + strings.Repeat("z", 5000),
	"cursor=eyJhIjoxfQ", "cursor=bm90LWEtY3Vyc29y", "month=2026-13", "month=9999999-01", "month=%27%20OR%201%3D1", "q=%25%27%22%5C",
	"q=" + strings.Repeat("%", 300), "from=0000-00&to=9999-99", "account_id=%27;DROP%20TABLE%20transactions;--", "category=%ff",
}

// Hostile input at every endpoint never answers 500.
func TestHostileInputNeverAnswers500(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	patterns := e.allRoutes()
	aliceID, alice := e.signUp("alice@example.com")
	ids := e.aliceOwns(aliceID, alice)
	forgedIDs := []string{"x", "00000000000000000000000000", "'; DROP TABLE users; --", "%2e%2e%2f%2e%2e", strings.Repeat("a", 3000), "-1", "9223372036854775808"}
	// Deletions last, so every other route meets alice's objects.
	sort.SliceStable(patterns, func(i, j int) bool {
		return !strings.HasPrefix(patterns[i], "DELETE") && strings.HasPrefix(patterns[j], "DELETE")
	})
	sent, fails := 0, 0
	check := func(method, path string, body any) {
		t.Helper()
		res := e.do(method, path, alice, body)
		sent++
		if res.status >= 500 && res.status != http.StatusServiceUnavailable && res.status != http.StatusBadGateway {
			fails++
			if fails <= 20 {
				t.Errorf("%s %.120s with %.80v: %d %.200s", method, path, body, res.status, res.raw)
			}
		}
	}
	for _, p := range patterns {
		method, path, ok := strings.Cut(p, " ")
		if !ok {
			continue // the /api/ catch-all
		}
		if path == "/api/v1/users/me" || path == "/api/v1/sessions" {
			continue // they would end the test's session
		}
		targets := []string{strings.NewReplacer("{id}", ids[path], "{category}", "groceries").Replace(path)}
		for _, f := range forgedIDs {
			if strings.Contains(path, "{") {
				targets = append(targets, strings.NewReplacer("{id}", f, "{category}", f).Replace(path))
			}
		}
		for _, target := range targets {
			for _, q := range hostileQueries {
				check(method, target+"?"+q, nil)
			}
			if method == "GET" {
				continue
			}
			for _, b := range hostileBodies {
				check(method, target, b)
			}
		}
	}
	t.Logf("%d hostile requests, %d answered 5xx", sent, fails)
	if fails > 0 {
		t.Fatalf("%d of %d hostile requests answered 500", fails, sent)
	}
}
