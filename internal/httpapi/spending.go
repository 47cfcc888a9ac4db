package httpapi

import (
	"context"
	"net/http"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/budget"
)

type spendingJSON struct {
	Month      string                 `json:"month"`
	Currency   string                 `json:"currency"`
	Total      string                 `json:"total"`
	Categories []categorySpendingJSON `json:"categories"`
}

type categorySpendingJSON struct {
	Category string `json:"category"`
	Amount   string `json:"amount"`
	Count    int64  `json:"count"`
}

// GET /api/v1/spending?month=YYYY-MM; the month defaults to the current one
// in the user's time zone.
func (s *Server) getSpending(w http.ResponseWriter, r *http.Request, u *tally.User) {
	month := s.now().In(u.Location()).Format(tally.MonthLayout)
	if v := r.URL.Query().Get("month"); v != "" {
		m, err := parseMonth(v)
		if err != nil {
			s.error(w, r, err)
			return
		}
		month = m
	}
	s.cachedJSON(w, r, u, "spending:"+month, func(ctx context.Context) (any, error) {
		totals, err := s.Store.MonthlyTotals(ctx, u.ID, month)
		if err != nil {
			return nil, err
		}
		return newSpendingJSON(budget.SummarizeSpending(month, totals)), nil
	})
}

func newSpendingJSON(sp budget.Spending) spendingJSON {
	out := spendingJSON{
		Month:      sp.Month,
		Currency:   sp.Currency,
		Total:      tally.FormatAmount(sp.Total, sp.Currency),
		Categories: make([]categorySpendingJSON, 0, len(sp.Categories)),
	}
	for _, c := range sp.Categories {
		out.Categories = append(out.Categories, categorySpendingJSON{Category: c.Category, Amount: tally.FormatAmount(c.Amount, sp.Currency), Count: c.Count})
	}
	return out
}
