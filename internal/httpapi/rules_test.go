package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/tallyhq/tally"
)

func TestRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aliceID, alice := e.signUp("alice@example.com")
	bobID, bob := e.signUp("bob@example.com")
	_, ids := e.link(alice)
	_, bobIDs := e.link(bob)
	txns := e.seed(aliceID,
		txn{account: ids[0], date: "2026-03-02", category: "groceries", merchant: "Whole Foods Market", amount: -8412},
		txn{account: ids[1], date: "2026-03-03", category: "restaurants", merchant: "Chipotle", amount: -1250},
		txn{account: ids[1], date: "2026-03-04", category: "groceries", merchant: "Trader Joe's", amount: -3000},
		txn{account: ids[1], date: "2026-03-06", category: "groceries", merchant: "Trader Joe's", amount: 500}, // a refund
		txn{account: ids[1], date: "2026-03-07", category: "groceries", merchant: "Trader Joe's", amount: -700},
	)
	e.seed(bobID, txn{account: bobIDs[0], date: "2026-03-02", category: "groceries", merchant: "Trader Joe's", amount: -100})
	spending := func(token string) map[string]string {
		t.Helper()
		res := e.do("GET", "/api/v1/spending?month=2026-03", token, nil).want(t, http.StatusOK)
		out := map[string]string{"total": res.str("total")}
		for _, c := range res.list("categories") {
			out[c["category"].(string)] = c["amount"].(string)
		}
		return out
	}
	get := func(id string) response {
		t.Helper()
		return e.do("GET", "/api/v1/transactions/"+id, alice, nil).want(t, http.StatusOK)
	}

	// The last Trader Joe's one is set by hand first: no rule may move it.
	e.do("PATCH", "/api/v1/transactions/"+txns[4].ID, alice, map[string]any{"category": "alcohol_bars"}).want(t, http.StatusOK)

	// Filing one by hand with apply_to_merchant makes a rule that re-files
	// the others, and spending follows.
	res := e.do("PATCH", "/api/v1/transactions/"+txns[2].ID, alice, map[string]any{"category": "restaurants", "apply_to_merchant": true}).want(t, http.StatusOK)
	if res.str("category_source") != tally.SourceManual {
		t.Fatalf("got %s, want the patched transaction manual", res.raw)
	}
	rule, _ := res.body["rule"].(map[string]any)
	if rule == nil || rule["merchant"] != "Trader Joe's" || rule["category"] != "restaurants" {
		t.Fatalf("got rule %v, want Trader Joe's -> restaurants", res.body["rule"])
	}
	refund := get(txns[3].ID)
	if refund.str("category") != "restaurants" || refund.str("category_source") != tally.SourceRule {
		t.Fatalf("the refund is %s/%s, want restaurants/rule", refund.str("category"), refund.str("category_source"))
	}
	x := refund.body["category_explanation"].(map[string]any)
	if x["matched"] != "user_rule" || x["rule_id"] != rule["id"] || x["merchant_key"] != rule["merchant_key"] {
		t.Fatalf("got explanation %v, want the rule %v", x, rule)
	}
	if got := get(txns[4].ID); got.str("category") != "alcohol_bars" || got.str("category_source") != tally.SourceManual {
		t.Fatalf("a rule moved a transaction set by hand to %s/%s", got.str("category"), got.str("category_source"))
	}
	want := map[string]string{"total": "128.62", "groceries": "84.12", "restaurants": "37.50", "alcohol_bars": "7.00"}
	if got := spending(alice); !reflect.DeepEqual(got, want) {
		t.Fatalf("spending after the rule: got %v, want %v", got, want)
	}
	if got := spending(bob); got["groceries"] != "1.00" {
		t.Fatalf("alice's rule moved bob's spending: %v", got)
	}

	// A rule from a raw descriptor names the seller the engine finds.
	res = e.do("POST", "/api/v1/rules", alice, map[string]string{"merchant": "WHOLEFDS HOU 10236 02124201320", "category": "shopping"}).want(t, http.StatusCreated)
	if res.str("merchant") != "Whole Foods Market" || res.body["applied"] != float64(1) {
		t.Fatalf("got %s, want a Whole Foods Market rule that re-filed 1", res.raw)
	}
	wfRule := res.str("id")
	if got := get(txns[0].ID); got.str("category") != "shopping" {
		t.Fatalf("Whole Foods is %s after the rule, want shopping", got.str("category"))
	}
	res = e.do("GET", "/api/v1/rules", alice, nil).want(t, http.StatusOK)
	if n := len(res.list("rules")); n != 2 {
		t.Fatalf("got %d rules, want 2: %s", n, res.raw)
	}
	if n := len(e.do("GET", "/api/v1/rules", bob, nil).want(t, http.StatusOK).list("rules")); n != 0 {
		t.Fatalf("bob sees %d rules, want 0", n)
	}

	for _, tc := range []struct {
		body     map[string]string
		contains string
	}{
		{map[string]string{"category": "shopping"}, "merchant"},
		{map[string]string{"merchant": "Costco"}, "category"},
		{map[string]string{"merchant": "Costco", "category": "pizza"}, "pizza"},
		{map[string]string{"merchant": "#### 1234", "category": "shopping"}, "seller"},
	} {
		e.do("POST", "/api/v1/rules", alice, tc.body).wantError(t, http.StatusBadRequest, "invalid_argument", tc.contains)
	}

	// Another user's rule is not found; deleting keeps past categories.
	e.do("DELETE", "/api/v1/rules/"+wfRule, bob, nil).wantError(t, http.StatusNotFound, "not_found", "rule")
	e.do("DELETE", "/api/v1/rules/"+wfRule, alice, nil).want(t, http.StatusNoContent)
	e.do("DELETE", "/api/v1/rules/"+wfRule, alice, nil).wantError(t, http.StatusNotFound, "not_found")
	if got := get(txns[0].ID); got.str("category") != "shopping" {
		t.Fatalf("deleting the rule moved Whole Foods to %s, want it to stay in shopping", got.str("category"))
	}
	for _, u := range []string{aliceID, bobID} {
		if d, err := e.store.ReconcileUser(context.Background(), u, false); err != nil || len(d) != 0 {
			t.Fatalf("reconcile %s: %v, drift %+v", u, err, d)
		}
	}
}

func TestCategoryExplanation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aliceID, alice := e.signUp("alice@example.com")
	_, ids := e.link(alice)
	txns := e.seed(aliceID, txn{account: ids[0], date: "2026-03-02", category: "groceries", merchant: "Whole Foods Market", amount: -8412})
	res := e.do("GET", "/api/v1/transactions/"+txns[0].ID, alice, nil).want(t, http.StatusOK)
	x := res.body["category_explanation"].(map[string]any)
	if x["source"] != "dictionary" || x["matched"] != "seller:whole_foods" || x["merchant_key"] != "whole_foods" || x["merchant"] != "Whole Foods Market" {
		t.Fatalf("got explanation %v, want the dictionary's whole_foods", x)
	}
	res = e.do("PATCH", "/api/v1/transactions/"+txns[0].ID, alice, map[string]any{"category": "restaurants"}).want(t, http.StatusOK)
	if x := res.body["category_explanation"].(map[string]any); x["matched"] != "manual" || x["source"] != "manual" {
		t.Fatalf("got explanation %v after a manual change, want manual", x)
	}
	if _, ok := res.body["rule"]; ok {
		t.Fatalf("got a rule without apply_to_merchant: %s", res.raw)
	}
	// A line that names no seller cannot have a rule.
	transfer := e.seed(aliceID, txn{account: ids[0], date: "2026-03-05", category: "account_transfer", merchant: "####", amount: -100})
	e.do("PATCH", "/api/v1/transactions/"+transfer[0].ID, alice, map[string]any{"category": "gift", "apply_to_merchant": true}).
		wantError(t, http.StatusBadRequest, "invalid_argument", "apply_to_merchant", "seller")
	if got := e.do("GET", "/api/v1/transactions/"+transfer[0].ID, alice, nil).want(t, http.StatusOK); got.str("category") != "account_transfer" {
		t.Fatalf("a refused PATCH changed the category to %s", got.str("category"))
	}
}

// Filing a seller the dictionary does not know by hand is a vote; three
// users agreeing move a fourth user's transactions, but not the ones they
// set by hand, and one user voting again and again counts once.
func TestCrowdVotesThroughTheAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	type user struct {
		id, token string
		txns      []*tally.Transaction
	}
	var users []user
	// Accounts older than a week, so their votes count.
	e.store.Now = func() time.Time { return now.Add(-8 * 24 * time.Hour) }
	for i := range 4 {
		id, token := e.signUp(fmt.Sprintf("u%d@example.com", i))
		_, ids := e.link(token)
		txns := e.seed(id,
			txn{account: ids[0], date: "2026-03-02", category: "uncategorized", source: tally.SourceNone, merchant: "Zebra Kiosk", amount: -1500},
			txn{account: ids[0], date: "2026-03-03", category: "uncategorized", source: tally.SourceNone, merchant: "Zebra Kiosk", amount: -500},
			txn{account: ids[0], date: "2026-03-04", category: "groceries", merchant: "Whole Foods Market", amount: -900},
		)
		users = append(users, user{id, token, txns})
	}
	e.store.Now = func() time.Time { return now }
	patch := func(u user, i int, category string) {
		t.Helper()
		e.do("PATCH", "/api/v1/transactions/"+u.txns[i].ID, u.token, map[string]any{"category": category}).want(t, http.StatusOK)
	}
	get := func(u user, i int) response {
		t.Helper()
		return e.do("GET", "/api/v1/transactions/"+u.txns[i].ID, u.token, nil).want(t, http.StatusOK)
	}
	// A known seller's manual change is no vote: Whole Foods stays put.
	for _, u := range users[:3] {
		patch(u, 2, "shopping")
	}
	if got := get(users[3], 2); got.str("category") != "groceries" {
		t.Fatalf("votes on a dictionary seller moved it to %s", got.str("category"))
	}
	for range 4 {
		patch(users[0], 0, "hobbies")
	}
	if got := get(users[3], 0); got.str("category") != "uncategorized" {
		t.Fatalf("one user's votes moved another's transaction to %s", got.str("category"))
	}
	patch(users[3], 1, "gift") // the 4th user's own choice for one of them
	patch(users[1], 0, "hobbies")
	patch(users[2], 0, "hobbies")
	e.applyCrowd()
	// A voter who agrees gets their other transactions filed by the crowd.
	got := get(users[0], 1)
	if got.str("category") != "hobbies" || got.str("category_source") != tally.SourceCrowd {
		t.Fatalf("after three voters: %s/%s, want hobbies/crowd", got.str("category"), got.str("category_source"))
	}
	x := got.body["category_explanation"].(map[string]any)
	if x["matched"] != "crowd" || x["voters"] != float64(3) {
		t.Fatalf("got explanation %v, want crowd with 3 voters", x)
	}
	if got := get(users[3], 1); got.str("category") != "gift" || got.str("category_source") != tally.SourceManual {
		t.Fatalf("the crowd moved a transaction set by hand to %s/%s", got.str("category"), got.str("category_source"))
	}
	// The 4th user chose otherwise for this seller: their own choice wins,
	// and the crowd leaves their other transaction of it alone.
	if got := get(users[3], 0); got.str("category_source") == tally.SourceCrowd {
		t.Fatalf("the crowd overrode the choice of a user who voted otherwise: %s/%s", got.str("category"), got.str("category_source"))
	}
	for _, u := range users {
		if d, err := e.store.ReconcileUser(context.Background(), u.id, false); err != nil || len(d) != 0 {
			t.Fatalf("reconcile %s: %v, drift %+v", u.id, err, d)
		}
	}
}

// A transaction a sync filed after the user's own earlier filing of the
// seller, without a rule, says so.
func TestCategoryExplanationOfTheUsersHistory(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aliceID, alice := e.signUp("alice@example.com")
	_, ids := e.link(alice)
	txns := e.seed(aliceID, txn{account: ids[0], date: "2026-03-02", category: "gift", source: tally.SourceRule, merchant: "Hollow Oak Framing", amount: -2500})
	x := e.do("GET", "/api/v1/transactions/"+txns[0].ID, alice, nil).want(t, http.StatusOK).body["category_explanation"].(map[string]any)
	if x["source"] != tally.SourceRule || x["matched"] != "history" || x["rule_id"] != nil {
		t.Fatalf("got explanation %v, want the user's history without a rule", x)
	}
}
