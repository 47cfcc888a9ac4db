package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The budget form sets a rollover; an unknown one is refused next to its
// field and changes nothing.
func TestBudgetRolloverForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	alice := e.user("alice@example.com")
	ctx := t.Context()
	if err := e.store.SetBudget(ctx, alice.ID, "coffee_shops", 4000, "USD", "2026-03"); err != nil {
		t.Fatal(err)
	}
	e.signIn("alice@example.com")

	_, page := e.get("/budgets")
	if !strings.Contains(page, `id="rollover-coffee_shops" name="rollover"`) || !strings.Contains(page, `<option value="none" selected>`) {
		t.Fatalf("/budgets lacks the rollover choice")
	}

	res := e.post("/budgets/coffee_shops", url.Values{"amount": {"50.00"}, "rollover": {"surplus"}, "month": {"2026-03"}}, nil)
	body(t, res)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set rollover: %d, want 303", res.StatusCode)
	}
	manual, rollovers, err := e.store.BudgetSettings(ctx, alice.ID)
	if err != nil || manual["coffee_shops"] != 5000 || rollovers["coffee_shops"].Mode != "surplus" {
		t.Fatalf("after the form: budget %d, rollover %+v (%v); want 5000 and surplus", manual["coffee_shops"], rollovers["coffee_shops"], err)
	}
	_, page = e.get("/budgets")
	if !strings.Contains(page, `<option value="surplus" selected>`) || !strings.Contains(page, "available this month: <span class=\"num\">$50.00</span>") {
		t.Errorf("/budgets does not show the surplus rollover and what is available")
	}

	res = e.post("/budgets/coffee_shops", url.Values{"amount": {"60.00"}, "rollover": {"forever"}, "month": {"2026-03"}}, nil)
	page = body(t, res)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("unknown rollover: %d, want 422", res.StatusCode)
	}
	if !strings.Contains(page, `id="rollover-coffee_shops" name="rollover" aria-invalid="true"`) || !strings.Contains(page, "Choose a rollover from the list") || !strings.Contains(page, `value="60.00"`) {
		t.Errorf("the refused form lacks the message next to the rollover field or the typed amount")
	}
	manual, rollovers, _ = e.store.BudgetSettings(ctx, alice.ID)
	if manual["coffee_shops"] != 5000 || rollovers["coffee_shops"].Mode != "surplus" {
		t.Errorf("a refused form changed the budget to %d / %+v", manual["coffee_shops"], rollovers["coffee_shops"])
	}

	body(t, e.post("/budgets/coffee_shops", url.Values{"amount": {"50.00"}, "rollover": {"none"}}, nil))
	if _, rollovers, _ = e.store.BudgetSettings(ctx, alice.ID); len(rollovers) != 0 {
		t.Errorf("choosing none kept %+v", rollovers)
	}
}
