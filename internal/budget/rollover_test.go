package budget_test

import (
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/budget"
)

func TestRollover(t *testing.T) {
	t.Parallel()
	// A $300 manual dining budget: September spent 250, October 380.
	past := []tally.MonthlyTotal{tot("2026-09", "restaurants", -25000, 5), tot("2026-10", "restaurants", -38000, 6)}
	cases := []struct {
		mode      string
		since     string
		carried   int64
		available int64
		status    string
	}{
		{tally.RolloverNone, "2026-09", 0, 30000, budget.StatusApproaching},
		// Surplus: September leaves 50, October spends 380 of 350, which
		// carries nothing rather than a deficit.
		{tally.RolloverSurplus, "2026-09", 0, 30000, budget.StatusApproaching},
		// Surplus and deficit: +50 then 350-380 = -30.
		{tally.RolloverSurplusAndDeficit, "2026-09", -3000, 27000, budget.StatusApproaching},
		// From October only: October's 300-380 = -80.
		{tally.RolloverSurplusAndDeficit, "2026-10", -8000, 22000, budget.StatusExceeded},
	}
	for _, c := range cases {
		t.Run(c.mode+"/"+c.since, func(t *testing.T) {
			lines := budget.Plan(budget.Input{
				Month: "2026-11", Currency: "USD", Today: time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC),
				Manual: map[string]int64{"food_dining": 30000}, Past: past,
				Totals:   []tally.MonthlyTotal{tot("2026-11", "restaurants", -24000, 2)},
				Rollover: map[string]budget.Rollover{"food_dining": {Mode: c.mode, Since: c.since}},
			})
			l := find(t, lines, "food_dining")
			if l.Carried != c.carried || l.Available != c.available || l.Status != c.status {
				t.Errorf("got carried %d available %d status %s, want %d %d %s", l.Carried, l.Available, l.Status, c.carried, c.available, c.status)
			}
		})
	}
	// A surplus carried makes room: September and October left 100 each.
	lines := budget.Plan(budget.Input{
		Month: "2026-11", Currency: "USD", Today: time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC),
		Manual:   map[string]int64{"food_dining": 30000},
		Past:     []tally.MonthlyTotal{tot("2026-09", "restaurants", -20000, 5), tot("2026-10", "restaurants", -20000, 6)},
		Totals:   []tally.MonthlyTotal{tot("2026-11", "restaurants", -30000, 2)},
		Rollover: map[string]budget.Rollover{"food_dining": {Mode: tally.RolloverSurplus, Since: "2026-09"}},
	})
	if l := find(t, lines, "food_dining"); l.Available != 50000 || l.Status != budget.StatusUnder || len(l.Alerts()) != 0 {
		t.Errorf("got available %d status %s alerts %v, want 50000 under none", l.Available, l.Status, l.Alerts())
	}
}

// The rent paid on the first at its usual amount, against a budget made
// from the months of that same rent, is no alert; an unusual charge on top
// still is.
func TestExpectedBillsDoNotCryWolf(t *testing.T) {
	t.Parallel()
	var history []tally.MonthlyTotal
	var months []string
	for _, m := range []string{"2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"} {
		history = append(history, tot(m, "rent_mortgage", -180000, 1))
		months = append(months, m)
	}
	in := budget.Input{
		Month: "2026-11", Currency: "USD", Today: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		History: history, Months: months,
		Totals: []tally.MonthlyTotal{tot("2026-11", "rent_mortgage", -180000, 1)},
	}
	// Without knowing the rent is expected: the alert the user complained of.
	l := find(t, budget.Plan(in), "rent_mortgage")
	if l.Amount != 180000 || l.Source != budget.SourceHistory || l.Status != budget.StatusExceeded {
		t.Fatalf("got %d %s %s, want 180000 history exceeded", l.Amount, l.Source, l.Status)
	}
	if msg := budget.Message(budget.KindExceeded, l, "2026-11", "USD"); msg != "You've reached your $1,800 Mortgage & Rent budget for November (100 %)." {
		t.Errorf("got %q", msg)
	}
	in.Paid = []budget.Payment{{Category: "rent_mortgage", Currency: "USD", Amount: 180000}}
	l = find(t, budget.Plan(in), "rent_mortgage")
	if l.Status != budget.StatusPaid || l.Paid != 180000 || len(l.Alerts()) != 0 {
		t.Errorf("expected rent: got status %s paid %d alerts %v, want paid 180000 none", l.Status, l.Paid, l.Alerts())
	}
	// A late fee on top is news.
	in.Totals = []tally.MonthlyTotal{tot("2026-11", "rent_mortgage", -185000, 2)}
	l = find(t, budget.Plan(in), "rent_mortgage")
	if l.Status != budget.StatusExceeded || len(l.Alerts()) != 1 {
		t.Errorf("rent plus a fee: got status %s alerts %v, want exceeded and one alert", l.Status, l.Alerts())
	}
	// A manual budget is the user's own: the bill counts as spending.
	in.Totals = []tally.MonthlyTotal{tot("2026-11", "rent_mortgage", -180000, 1)}
	in.Manual = map[string]int64{"rent_mortgage": 180000}
	if l := find(t, budget.Plan(in), "rent_mortgage"); l.Status != budget.StatusExceeded {
		t.Errorf("manual budget: got %s, want exceeded", l.Status)
	}
}
