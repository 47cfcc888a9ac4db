// Package trends turns monthly totals into spending over time: per month,
// spending per top-level category (or per subcategory of one category) and
// income against spending. It is pure: the caller reads the totals of the
// range in one query, so a year of trends never scans transactions.
package trends

import (
	"fmt"
	"sort"
	"time"

	"github.com/tallyhq/tally"
)

// MaxMonths caps a report's range.
const MaxMonths = 120

// Report is spending over a range of months in one currency.
type Report struct {
	From, To   string // "YYYY-MM", inclusive
	Currency   string
	Category   string   // "" for every top-level category, else a top-level id whose subcategories are shown
	Categories []string // the report's category ids, largest total first
	Months     []Month  // every month of the range, oldest first
	Totals     map[string]int64
}

// Month is one month of a report. Spending amounts are positive for money
// spent; refunds reduce them.
type Month struct {
	Month      string
	Income     int64
	Spending   int64
	Categories map[string]int64 // by category id of the report
}

// Range checks a from/to pair and returns the months between them.
func Range(from, to string) ([]string, error) {
	f, err := time.Parse(tally.MonthLayout, from)
	if err != nil {
		return nil, tally.Errorf(tally.EINVALID, "from %q: want YYYY-MM", from)
	}
	t, err := time.Parse(tally.MonthLayout, to)
	if err != nil {
		return nil, tally.Errorf(tally.EINVALID, "to %q: want YYYY-MM", to)
	}
	if t.Before(f) {
		return nil, tally.Errorf(tally.EINVALID, "to %s is before from %s", to, from)
	}
	var out []string
	for m := f; !m.After(t); m = m.AddDate(0, 1, 0) {
		if len(out) == MaxMonths {
			return nil, tally.Errorf(tally.EINVALID, "from %s to %s spans more than %d months", from, to, MaxMonths)
		}
		out = append(out, m.Format(tally.MonthLayout))
	}
	return out, nil
}

// CheckCategory accepts "" or a top-level category id.
func CheckCategory(id string) error {
	if id == "" {
		return nil
	}
	c, ok := tally.LookupCategory(id)
	if !ok {
		return tally.Errorf(tally.EINVALID, "category %q is not a known category id", id)
	}
	if c.Parent != "" {
		return tally.Errorf(tally.EINVALID, "category %q is a subcategory; trends break down top-level categories", id)
	}
	return nil
}

// Build makes the report of months (from Range) from their totals. The
// currency is the one with the most spending over the range (USD when
// there is none).
func Build(months []string, totals []tally.MonthlyTotal, category string) Report {
	r := Report{Category: category, Currency: "USD", Totals: map[string]int64{}}
	if len(months) > 0 {
		r.From, r.To = months[0], months[len(months)-1]
	}
	byCurrency := map[string]int64{}
	for _, t := range totals {
		if tally.IsSpending(t.Category) {
			byCurrency[t.Currency] -= t.Amount
		}
	}
	best := int64(0)
	for cur, v := range byCurrency {
		if v > best || v == best && cur < r.Currency {
			r.Currency, best = cur, v
		}
	}
	index := map[string]int{}
	for i, m := range months {
		r.Months = append(r.Months, Month{Month: m, Categories: map[string]int64{}})
		index[m] = i
	}
	for _, t := range totals {
		i, ok := index[t.Month]
		if !ok || t.Currency != r.Currency {
			continue
		}
		m := &r.Months[i]
		c, known := tally.LookupCategory(t.Category)
		if known && c.Kind == tally.KindIncome {
			m.Income += t.Amount
			continue
		}
		if !tally.IsSpending(t.Category) {
			continue
		}
		m.Spending -= t.Amount
		key := tally.TopLevel(t.Category)
		if category != "" {
			if key != category {
				continue
			}
			key = t.Category
		}
		m.Categories[key] -= t.Amount
		r.Totals[key] -= t.Amount
	}
	for k := range r.Totals {
		r.Categories = append(r.Categories, k)
	}
	sort.Slice(r.Categories, func(i, j int) bool {
		a, b := r.Totals[r.Categories[i]], r.Totals[r.Categories[j]]
		if a != b {
			return a > b
		}
		return r.Categories[i] < r.Categories[j]
	})
	return r
}

// String is a short description for logs and tests.
func (r Report) String() string {
	return fmt.Sprintf("trends %s..%s %s %d categories", r.From, r.To, r.Currency, len(r.Categories))
}
