package tally_test

import (
	"testing"

	"github.com/tallyhq/tally"
)

func TestTaxonomyWellFormed(t *testing.T) {
	t.Parallel()
	cats := tally.Categories()
	if len(cats) < 100 {
		t.Fatalf("got %d categories, want the whole taxonomy (100+)", len(cats))
	}
	seen := make(map[string]bool)
	var parent tally.Category
	for i, c := range cats {
		if c.ID == "" || c.Name == "" {
			t.Errorf("category %d: empty id or name: %+v", i, c)
		}
		for _, r := range c.ID {
			if (r < 'a' || r > 'z') && r != '_' {
				t.Errorf("%q: id must be lowercase [a-z_]", c.ID)
				break
			}
		}
		if seen[c.ID] {
			t.Errorf("%q: duplicate id", c.ID)
		}
		seen[c.ID] = true
		switch c.Kind {
		case tally.KindExpense, tally.KindIncome, tally.KindTransfer:
		default:
			t.Errorf("%q: got kind %q", c.ID, c.Kind)
		}
		if c.Parent == "" {
			parent = c
			continue
		}
		// Stable order: children follow their parent.
		if c.Parent != parent.ID {
			t.Errorf("%q: got parent %q, want the preceding top level %q", c.ID, c.Parent, parent.ID)
		}
		if c.Kind != parent.Kind {
			t.Errorf("%q: got kind %q, want its parent's %q", c.ID, c.Kind, parent.Kind)
		}
	}
	for _, c := range cats {
		if c.Parent == "" {
			continue
		}
		p, ok := tally.LookupCategory(c.Parent)
		if !ok {
			t.Errorf("%q: parent %q does not exist", c.ID, c.Parent)
		} else if p.Parent != "" {
			t.Errorf("%q: parent %q is not top-level", c.ID, c.Parent)
		}
	}
}

func TestTaxonomyRequired(t *testing.T) {
	t.Parallel()
	tops := []string{"auto_transport", "bills_utilities", "business_services", "education",
		"entertainment", "fees_charges", "financial", "food_dining", "gifts_donations",
		"health_fitness", "home", "income", "investments", "kids", "personal_care", "pets",
		"shopping", "taxes", "transfer", "travel", tally.Uncategorized}
	for _, id := range tops {
		c, ok := tally.LookupCategory(id)
		if !ok || c.Parent != "" {
			t.Errorf("top level %q: got %+v, %v", id, c, ok)
		}
	}
	subs := map[string]string{
		"groceries": "food_dining", "restaurants": "food_dining", "fast_food": "food_dining",
		"coffee_shops": "food_dining", "gas_fuel": "auto_transport", "rent_mortgage": "home",
		"paycheck": "income", "credit_card_payment": "transfer", "account_transfer": "transfer",
		"interest_income": "income", "dividends": "income", "cash_atm": tally.Uncategorized,
		"streaming": "entertainment", "atm_fee": "fees_charges",
	}
	for id, top := range subs {
		if got := tally.TopLevel(id); got != top {
			t.Errorf("TopLevel(%q): got %q, want %q", id, got, top)
		}
	}
}

func TestTaxonomyKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id       string
		kind     string
		spending bool
	}{
		{"groceries", tally.KindExpense, true},
		{"food_dining", tally.KindExpense, true},
		{"paycheck", tally.KindIncome, false},
		{"dividends", tally.KindIncome, false},
		{"credit_card_payment", tally.KindTransfer, false},
		{"account_transfer", tally.KindTransfer, false},
		{"investment_buy", tally.KindTransfer, false},
		{"cash_atm", tally.KindExpense, true},
		{tally.Uncategorized, tally.KindExpense, true},
	}
	for _, tt := range tests {
		c, ok := tally.LookupCategory(tt.id)
		if !ok {
			t.Errorf("LookupCategory(%q): not found", tt.id)
			continue
		}
		if c.Kind != tt.kind {
			t.Errorf("%q: got kind %q, want %q", tt.id, c.Kind, tt.kind)
		}
		if got := tally.IsSpending(tt.id); got != tt.spending {
			t.Errorf("IsSpending(%q): got %v, want %v", tt.id, got, tt.spending)
		}
	}
	if tally.IsSpending("no_such_category") {
		t.Error("IsSpending(unknown): got true, want false")
	}
	if _, ok := tally.LookupCategory("no_such_category"); ok {
		t.Error("LookupCategory(unknown): got ok")
	}
	if got := tally.TopLevel("no_such_category"); got != "no_such_category" {
		t.Errorf("TopLevel(unknown): got %q, want it unchanged", got)
	}
}

func TestTaxonomyCategoriesIsACopy(t *testing.T) {
	t.Parallel()
	a := tally.Categories()
	a[0].ID = "changed"
	if b := tally.Categories(); b[0].ID == "changed" {
		t.Error("Categories returned shared storage")
	}
}
