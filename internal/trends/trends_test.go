package trends

import (
	"testing"

	"github.com/tallyhq/tally"
)

func TestRange(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		from, to string
		n        int
		ok       bool
	}{
		{"2025-04", "2026-03", 12, true},
		{"2026-03", "2026-03", 1, true},
		{"2025-12", "2026-01", 2, true},
		{"2026-04", "2026-03", 0, false},
		{"2016-03", "2026-03", 0, false}, // 121 months
		{"2026-13", "2026-03", 0, false},
		{"2026-01", "soon", 0, false},
	} {
		got, err := Range(tc.from, tc.to)
		if (err == nil) != tc.ok || len(got) != tc.n {
			t.Errorf("Range(%s, %s): got %d months, %v; want %d, ok=%v", tc.from, tc.to, len(got), err, tc.n, tc.ok)
		}
	}
}

func TestBuild(t *testing.T) {
	t.Parallel()
	months := []string{"2026-01", "2026-02"}
	totals := []tally.MonthlyTotal{
		{Month: "2026-01", Category: "groceries", Currency: "USD", Amount: -10000, Count: 3},
		{Month: "2026-01", Category: "restaurants", Currency: "USD", Amount: -2500, Count: 1},
		{Month: "2026-01", Category: "paycheck", Currency: "USD", Amount: 300000, Count: 2},
		{Month: "2026-01", Category: "credit_card_payment", Currency: "USD", Amount: -50000, Count: 1},
		{Month: "2026-02", Category: "gas_fuel", Currency: "USD", Amount: -4000, Count: 1},
		{Month: "2026-02", Category: "groceries", Currency: "USD", Amount: 500, Count: 1}, // a refund
		{Month: "2026-02", Category: "groceries", Currency: "EUR", Amount: -100, Count: 1},
		{Month: "2025-12", Category: "groceries", Currency: "USD", Amount: -99999, Count: 1}, // outside the range
	}
	r := Build(months, totals, "")
	if r.Currency != "USD" || r.From != "2026-01" || r.To != "2026-02" || len(r.Months) != 2 {
		t.Fatalf("got %+v", r)
	}
	jan, feb := r.Months[0], r.Months[1]
	if jan.Income != 300000 || jan.Spending != 12500 || jan.Categories["food_dining"] != 12500 {
		t.Errorf("January: %+v (transfers are neither income nor spending)", jan)
	}
	if feb.Spending != 3500 || feb.Categories["auto_transport"] != 4000 || feb.Categories["food_dining"] != -500 {
		t.Errorf("February: %+v", feb)
	}
	if len(r.Categories) != 2 || r.Categories[0] != "food_dining" || r.Totals["food_dining"] != 12000 {
		t.Errorf("categories %v totals %v, want food_dining first with 120.00", r.Categories, r.Totals)
	}
	sub := Build(months, totals, "food_dining")
	if sub.Months[0].Categories["groceries"] != 10000 || sub.Months[0].Categories["restaurants"] != 2500 || len(sub.Categories) != 2 {
		t.Errorf("food_dining by subcategory: %+v", sub.Months[0])
	}
	if err := CheckCategory("groceries"); err == nil {
		t.Error("a subcategory can be broken down")
	}
	if err := CheckCategory("food_dining"); err != nil {
		t.Error(err)
	}
}
