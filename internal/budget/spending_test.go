package budget_test

import (
	"reflect"
	"testing"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/budget"
)

func TestSummarizeSpending(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		totals []tally.MonthlyTotal
		want   budget.Spending
	}{
		{"empty", nil, budget.Spending{Month: "2026-03", Currency: "USD", Categories: []budget.CategorySpending{}}},
		{
			"main currency has the most spending",
			[]tally.MonthlyTotal{
				{Category: "groceries", Currency: "USD", Amount: -1000, Count: 1},
				{Category: "groceries", Currency: "EUR", Amount: -5000, Count: 2},
				{Category: "paycheck", Currency: "USD", Amount: 900000, Count: 1},
				{Category: "restaurants", Currency: "EUR", Amount: -7000, Count: 3},
			},
			budget.Spending{Month: "2026-03", Currency: "EUR", Total: 12000, Categories: []budget.CategorySpending{
				{Category: "restaurants", Amount: 7000, Count: 3}, {Category: "groceries", Amount: 5000, Count: 2},
			}},
		},
		{
			"refunds reduce spending; transfers and income are not spending",
			[]tally.MonthlyTotal{
				{Category: "shopping", Currency: "USD", Amount: -2000, Count: 3}, // 30 spent, 10 refunded
				{Category: "credit_card_payment", Currency: "USD", Amount: -50000, Count: 1},
				{Category: "clothing", Currency: "USD", Amount: 1500, Count: 1}, // a refund alone
			},
			budget.Spending{Month: "2026-03", Currency: "USD", Total: 500, Categories: []budget.CategorySpending{
				{Category: "shopping", Amount: 2000, Count: 3}, {Category: "clothing", Amount: -1500, Count: 1},
			}},
		},
	} {
		if got := budget.SummarizeSpending("2026-03", tc.totals); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
