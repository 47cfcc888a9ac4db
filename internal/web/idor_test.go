package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/store"
)

// webAliceOwns gives alice one of every object a web route names by id
// and returns, per route path, the id to try.
func (e *env) webAliceOwns(alice *tally.User) map[string]string {
	e.t.Helper()
	ctx := context.Background()
	card, txns := e.seedCard(alice, 2)
	fileConn, err := e.store.EnsureFileConnection(ctx, alice.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	file, err := e.store.EnsureAccount(ctx, &tally.Account{UserID: alice.ID, ConnectionID: fileConn, ExternalID: "upload-1", Name: "Alice's cash",
		Type: tally.AccountChecking, Currency: "USD"})
	if err != nil {
		e.t.Fatal(err)
	}
	rule, _, err := e.store.PutRule(ctx, alice.ID, "zebra_kiosk", "Zebra Kiosk", "hobbies")
	if err != nil {
		e.t.Fatal(err)
	}
	ns, err := e.store.AddNotifications(ctx, alice.ID, []*tally.Notification{{Kind: tally.NotifyBudgetExceeded, Category: "groceries", Month: "2026-03", Message: "over"}}, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	token, err := e.store.CreateNamedToken(ctx, alice.ID, "alice-token-hash", store.TokenAPI, "laptop", nil)
	if err != nil {
		e.t.Fatal(err)
	}
	series := e.seedSeries(alice)
	return map[string]string{
		"/accounts/{id}":                     file.ID,
		"/accounts/{id}/delete":              file.ID,
		"/connections/{id}/refresh":          card.ConnectionID,
		"/connections/{id}/credentials":      card.ConnectionID,
		"/connections/{id}/remove":           card.ConnectionID,
		"/transactions/{id}":                 txns[0].ID,
		"/transactions/{id}/category":        txns[0].ID,
		"/transactions/{id}/transfer/unlink": txns[0].ID,
		"/rules/{id}/delete":                 rule.ID,
		"/recurring/{id}/confirm":            series[0].ID,
		"/recurring/{id}/ignore":             series[0].ID,
		"/alerts/{id}/read":                  ns[0].ID,
		"/settings/tokens/{id}/revoke":       token.ID,
	}
}

// webNotOwned are wildcards that name no user's object: every user has
// their own budget per category slug.
var webNotOwned = map[string]bool{"/budgets/{category}": true, "/budgets/{category}/reset": true}

// webFormFor is a well-formed form for a route, so that a 404 cannot come
// from a refused form.
func webFormFor(path string) url.Values {
	switch {
	case path == "/accounts/{id}":
		return url.Values{"name": {"Mine now"}}
	case strings.HasSuffix(path, "/credentials"):
		return url.Values{"login": {"bob"}, "password": {"bobs-password"}}
	case strings.HasSuffix(path, "/category"):
		return url.Values{"category": {"restaurants"}, "apply": {"on"}}
	}
	return url.Values{}
}

// Every web page and form that takes an id, tried by another signed-in
// user with the owner's id and their own valid form token, answers the
// styled 404 page and changes nothing. The routes come from the handler
// itself, so a new route with an id and no rule here fails the test.
func TestEveryWebRouteWithAnIdIsScopedToItsOwner(t *testing.T) {
	t.Parallel()
	e, alice := site(t)
	ids := e.webAliceOwns(alice)
	before := e.snapshot(alice.ID)
	// The owner's ids are good: alice sees her own pages.
	for _, p := range []string{"/transactions/" + ids["/transactions/{id}"], "/accounts/" + ids["/accounts/{id}"] + "/delete",
		"/connections/" + ids["/connections/{id}/remove"] + "/remove"} {
		if status, _ := e.get(p); status != http.StatusOK {
			t.Fatalf("alice's own %s: %d, want 200", p, status)
		}
	}
	body(t, e.post("/signout", nil, nil))
	e.user("bob@example.com")
	e.signIn("bob@example.com")

	tried := 0
	for _, p := range e.patterns {
		method, path, ok := strings.Cut(p, " ")
		if !ok || !strings.Contains(strings.TrimSuffix(path, "{$}"), "{") || webNotOwned[path] {
			continue
		}
		id, ok := ids[path]
		if !ok {
			t.Errorf("web route %s takes an id but this test has no owner's id for it: add one", p)
			continue
		}
		target := strings.ReplaceAll(path, "{id}", id)
		var status int
		var page string
		switch method {
		case "GET":
			status, page = e.get(target)
		case "POST":
			res := e.post(target, webFormFor(path), nil)
			status, page = res.StatusCode, body(t, res)
		default:
			t.Errorf("web route %s: method %s not tried", p, method)
			continue
		}
		if status != http.StatusNotFound || !strings.Contains(page, "There is nothing of yours at this address") {
			t.Errorf("%s %s as another user: %d, want the 404 page; %.200s", method, path, status, pageText(page))
		}
		if strings.Contains(page, "Alice") || strings.Contains(page, "Blue Bottle") || strings.Contains(page, "Netflix") {
			t.Errorf("%s %s as another user shows alice's data", method, path)
		}
		tried++
	}
	if tried < 13 {
		t.Fatalf("tried %d web routes, want every route with an id", tried)
	}
	if after := e.snapshot(alice.ID); after != before {
		t.Errorf("another user's requests changed alice's data:\nbefore %s\nafter  %s", before, after)
	}
}

// snapshot describes what of a user's data the id routes could change.
func (e *env) snapshot(userID string) string {
	e.t.Helper()
	ctx := context.Background()
	var b strings.Builder
	accounts, err := e.store.Accounts(ctx, userID)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, a := range accounts {
		b.WriteString("account " + a.ID + " " + a.Name + " " + a.Status + ";")
	}
	conns, err := e.store.Connections(ctx, userID)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, c := range conns {
		b.WriteString("connection " + c.ID + " " + c.Login + " " + c.Status + ";")
	}
	rules, err := e.store.Rules(ctx, userID)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, r := range rules {
		b.WriteString("rule " + r.ID + " " + r.Category + ";")
	}
	series, err := e.store.RecurringSeries(ctx, userID)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, s := range series {
		b.WriteString("series " + s.ID + " " + s.UserStatus + ";")
	}
	ns, _, unread, err := e.store.Notifications(ctx, userID, "", 100)
	if err != nil {
		e.t.Fatal(err)
	}
	b.WriteString(strings.Repeat("n", len(ns)) + strings.Repeat("u", unread) + ";")
	tokens, err := e.store.APITokens(ctx, userID)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, tk := range tokens {
		b.WriteString("token " + tk.ID + ";")
	}
	for _, a := range accounts {
		txns, _, err := e.store.Transactions(ctx, userID, tally.TransactionFilter{AccountID: a.ID, Limit: 100})
		if err != nil {
			e.t.Fatal(err)
		}
		for _, x := range txns {
			b.WriteString("txn " + x.ID + " " + x.Category + " " + x.CategorySource + ";")
		}
	}
	return b.String()
}
