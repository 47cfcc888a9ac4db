package budget

import (
	"sort"

	"github.com/tallyhq/tally"
)

// Spending is a month's spending by expense category in the user's main
// currency. Amounts are positive for money spent; refunds reduce them.
type Spending struct {
	Month      string
	Currency   string
	Total      int64
	Categories []CategorySpending // largest first
}

// CategorySpending is the spending in one category.
type CategorySpending struct {
	Category string
	Amount   int64
	Count    int64
}

// DefaultCurrency is the main currency of a user with no spending.
const DefaultCurrency = "USD"

// SummarizeSpending turns a month's totals into spending: expense categories
// only (tally.IsSpending), amounts negated, in the currency with the most
// spending (DefaultCurrency when there is none), sorted by amount, largest
// first. The API and the web dashboard show the same figures.
func SummarizeSpending(month string, totals []tally.MonthlyTotal) Spending {
	byCurrency := map[string]int64{}
	for _, t := range totals {
		if tally.IsSpending(t.Category) {
			byCurrency[t.Currency] += -t.Amount
		}
	}
	sp := Spending{Month: month, Currency: DefaultCurrency, Categories: []CategorySpending{}}
	best, found := int64(0), false
	for cur, amount := range byCurrency {
		if !found || amount > best || amount == best && cur < sp.Currency {
			sp.Currency, best, found = cur, amount, true
		}
	}
	for _, t := range totals {
		if t.Currency != sp.Currency || !tally.IsSpending(t.Category) || t.Count == 0 && t.Amount == 0 {
			continue
		}
		sp.Categories = append(sp.Categories, CategorySpending{Category: t.Category, Amount: -t.Amount, Count: t.Count})
		sp.Total += -t.Amount
	}
	sort.Slice(sp.Categories, func(i, j int) bool {
		a, b := sp.Categories[i], sp.Categories[j]
		if a.Amount != b.Amount {
			return a.Amount > b.Amount
		}
		return a.Category < b.Category
	})
	return sp
}
