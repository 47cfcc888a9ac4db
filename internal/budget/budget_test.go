package budget_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/budget"
)

func tot(month, cat string, amount, count int64) tally.MonthlyTotal {
	return tally.MonthlyTotal{Month: month, Category: cat, Currency: "USD", Amount: amount, Count: count}
}

func find(t *testing.T, lines []budget.Line, cat string) budget.Line {
	t.Helper()
	for _, l := range lines {
		if l.Category == cat {
			return l
		}
	}
	t.Fatalf("no budget for %s in %+v", cat, lines)
	return budget.Line{}
}

func TestRound(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want int64 }{
		{0, 0}, {-5, 0}, {1, 500}, {4100, 4500}, {9999, 10000}, {10000, 10000}, {41234, 42000}, {99999, 100000}, {100001, 102500}, {250000, 250000},
	} {
		if got := budget.Round(c.in); got != c.want {
			t.Errorf("Round(%d) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestTemplateFromIncome(t *testing.T) {
	t.Parallel()
	lines := budget.Plan(budget.Input{
		Month: "2026-11", Currency: "USD", Today: time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC),
		Income: 500000,
		Totals: []tally.MonthlyTotal{tot("2026-11", "groceries", -4000, 2), tot("2026-11", "pharmacy", -1000, 1), tot("2026-11", "streaming", -1500, 1), tot("2026-11", "paycheck", 250000, 1)},
	})
	want := map[string]int64{"rent_mortgage": 200000, "food_dining": 100000, "gas_fuel": 50000, "shopping": 100000, "health_fitness": 25000, "entertainment": 25000}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines %+v, want %d", len(lines), lines, len(want))
	}
	for c, amount := range want {
		l := find(t, lines, c)
		if l.Amount != amount || l.Source != budget.SourceTemplate {
			t.Errorf("%s: got %d %s, want %d template", c, l.Amount, l.Source, amount)
		}
	}
	if l := find(t, lines, "food_dining"); l.Spent != 4000 || l.Status != budget.StatusUnder {
		t.Errorf("food_dining: got spent %d status %s, want 4000 under", l.Spent, l.Status)
	}
}

func TestDetectIncome(t *testing.T) {
	t.Parallel()
	months := []string{"2026-08", "2026-09", "2026-10"}
	h := []tally.MonthlyTotal{tot("2026-08", "paycheck", 600000, 2), tot("2026-09", "paycheck", 900000, 3), tot("2026-10", "paycheck", 610000, 2), tot("2026-10", "bonus", 100000, 1)}
	if got := budget.DetectIncome(h, months, "USD"); got != 610000 {
		t.Errorf("got %d, want 610000 (the median month)", got)
	}
	// Two months are not history yet: the template uses the detected income.
	lines := budget.Plan(budget.Input{Month: "2026-11", Currency: "USD", History: h[:2], Months: months[:2]})
	if l := find(t, lines, "rent_mortgage"); l.Amount != 300000 || l.Source != budget.SourceTemplate {
		t.Errorf("rent: got %d %s, want 300000 template (40 %% of the 750000 median)", l.Amount, l.Source)
	}
}

func TestHistoryIsRobustToSpikes(t *testing.T) {
	t.Parallel()
	months := []string{"2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"}
	var h []tally.MonthlyTotal
	for i, m := range months {
		g := int64(-41000)
		if i == 3 {
			g = -300000 // one huge party
		}
		h = append(h, tot(m, "groceries", g, 8), tot(m, "restaurants", -9000, 3))
		if i%2 == 0 {
			h = append(h, tot(m, "hair", -3000, 1))
		}
	}
	lines := budget.Plan(budget.Input{Month: "2026-11", Currency: "USD", History: h, Months: months, Income: 999999,
		Manual: map[string]int64{"groceries": 30000}})
	if l := find(t, lines, "food_dining"); l.Amount != 9000 || l.Source != budget.SourceHistory {
		t.Errorf("food_dining: got %d %s, want 9000 history (restaurants only: groceries has its own budget)", l.Amount, l.Source)
	}
	if l := find(t, lines, "groceries"); l.Amount != 30000 || l.Source != budget.SourceManual {
		t.Errorf("groceries: got %d %s, want 30000 manual", l.Amount, l.Source)
	}
	if l := find(t, lines, "personal_care"); l.Amount != 1500 {
		t.Errorf("personal_care: got %d, want 1500 (median of 3000,0,3000,0,3000,0)", l.Amount)
	}
	// Without the override, the median ignores the spike.
	lines = budget.Plan(budget.Input{Month: "2026-11", Currency: "USD", History: h, Months: months})
	if l := find(t, lines, "food_dining"); l.Amount != 50000 {
		t.Errorf("food_dining: got %d, want 50000 (median 41000+9000)", l.Amount)
	}
}

func TestStatus(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name      string
		spent     int64
		count     int64
		day       int
		threshold int
		status    string
		projected bool
		alerts    int
	}{
		{"under", 10000, 2, 3, 0, budget.StatusUnder, false, 0},
		{"just under the threshold", 39900, 2, 3, 0, budget.StatusUnder, false, 0},
		{"approaching at 80 %", 40000, 2, 3, 0, budget.StatusApproaching, false, 1},
		{"a chosen threshold", 35000, 2, 3, 70, budget.StatusApproaching, false, 1},
		{"exceeded at 100 %", 50000, 2, 3, 0, budget.StatusExceeded, false, 1},
		{"projected by pace", 20000, 5, 10, 0, budget.StatusUnder, true, 1},
		{"no pace from one payment", 20000, 1, 10, 0, budget.StatusUnder, false, 0},
		{"no pace in the first week", 15000, 5, 6, 0, budget.StatusUnder, false, 0},
		{"approaching and projected", 45000, 5, 20, 0, budget.StatusApproaching, true, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			lines := budget.Plan(budget.Input{Month: "2026-11", Currency: "USD", Today: time.Date(2026, 11, c.day, 0, 0, 0, 0, time.UTC),
				Totals: []tally.MonthlyTotal{tot("2026-11", "groceries", -c.spent, c.count)}, Manual: map[string]int64{"groceries": 50000},
				ApproachingPercent: c.threshold})
			l := find(t, lines, "groceries")
			if l.Status != c.status || l.Projected != c.projected || len(l.Alerts()) != c.alerts {
				t.Errorf("got %s projected=%v alerts=%v, want %s projected=%v %d alerts", l.Status, l.Projected, l.Alerts(), c.status, c.projected, c.alerts)
			}
			if c.status == budget.StatusExceeded && l.Alerts()[0] != budget.KindExceeded {
				t.Errorf("an exceeded budget alerts %v, want only %s", l.Alerts(), budget.KindExceeded)
			}
			if l.Remaining != 50000-c.spent {
				t.Errorf("remaining: got %d, want %d", l.Remaining, 50000-c.spent)
			}
		})
	}
}

func TestMessage(t *testing.T) {
	t.Parallel()
	l := budget.Line{Category: "groceries", Amount: 50000, Spent: 41200, Remaining: 8800, Percent: 82}
	if got, want := budget.Message(budget.KindApproaching, l, "2026-11", "USD"), "You've spent $412 of your $500 Groceries budget for November (82 %)."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	l = budget.Line{Category: "groceries", Amount: 50000, Spent: 53000, Remaining: -3000, Percent: 106}
	if got, want := budget.Message(budget.KindExceeded, l, "2026-11", "USD"), "You've spent $530 of your $500 Groceries budget for November (106 %): $30 over."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := budget.Money(412, "USD"), "$4.12"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := budget.Money(41250, "EUR"), "413 EUR"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	for minor, want := range map[int64]string{180000: "$1,800", -123456789: "-$1,234,568", 99999: "$1,000", 100000000: "$1,000,000"} {
		if got := budget.Money(minor, "USD"); got != want {
			t.Errorf("Money(%d) = %q, want %q", minor, got, want)
		}
	}
	l = budget.Line{Category: "rent_mortgage", Amount: 180000, Spent: 180000, Remaining: 0, Percent: 100}
	if got, want := budget.Message(budget.KindExceeded, l, "2026-11", "USD"), "You've reached your $1,800 Mortgage & Rent budget for November (100 %)."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func ExamplePlan() {
	lines := budget.Plan(budget.Input{
		Month: "2026-11", Currency: "USD", Today: time.Date(2026, 11, 12, 0, 0, 0, 0, time.UTC),
		Totals: []tally.MonthlyTotal{{Month: "2026-11", Category: "groceries", Currency: "USD", Amount: -41200, Count: 6}},
		Manual: map[string]int64{"groceries": 50000},
	})
	for _, l := range lines {
		fmt.Println(l.Category, l.Source, l.Status, l.Projected)
		for _, kind := range l.Alerts() {
			fmt.Println(budget.Message(kind, l, "2026-11", "USD"))
		}
	}
	// Output:
	// groceries manual approaching true
	// You've spent $412 of your $500 Groceries budget for November (82 %).
	// At this pace you will spend about $1,030 of your $500 Groceries budget for November; so far $412 (82 %).
}
