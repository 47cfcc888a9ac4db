package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/trends"
)

type trendsJSON struct {
	From       string           `json:"from"`
	To         string           `json:"to"`
	Currency   string           `json:"currency"`
	Category   string           `json:"category,omitempty"`
	Categories []string         `json:"categories"`
	Months     []trendMonthJSON `json:"months"`
}

type trendMonthJSON struct {
	Month      string            `json:"month"`
	Income     string            `json:"income"`
	Spending   string            `json:"spending"`
	Categories map[string]string `json:"categories"`
}

// GET /api/v1/trends?from=YYYY-MM&to=YYYY-MM[&category=]: every month of the
// range with its income, spending and spending per top-level category (or
// per subcategory of category), from the monthly totals in one read. The
// range defaults to the last 12 months. Answers are cached until the
// user's next write.
func (s *Server) getTrends(w http.ResponseWriter, r *http.Request, u *tally.User) {
	q := r.URL.Query()
	now := s.now().In(u.Location())
	from, to := q.Get("from"), q.Get("to")
	if to == "" {
		to = now.Format(tally.MonthLayout)
	}
	if from == "" {
		if t, err := time.Parse(tally.MonthLayout, to); err == nil {
			from = t.AddDate(0, -11, 0).Format(tally.MonthLayout)
		}
	}
	months, err := trends.Range(from, to)
	if err != nil {
		s.error(w, r, err)
		return
	}
	category := q.Get("category")
	if err := trends.CheckCategory(category); err != nil {
		s.error(w, r, err)
		return
	}
	s.cachedJSON(w, r, u, "trends:"+months[0]+":"+months[len(months)-1]+":"+category, func(ctx context.Context) (any, error) {
		totals, err := s.Store.TotalsBetween(ctx, u.ID, months[0], months[len(months)-1])
		if err != nil {
			return nil, err
		}
		rep := trends.Build(months, totals, category)
		out := trendsJSON{From: rep.From, To: rep.To, Currency: rep.Currency, Category: rep.Category, Categories: rep.Categories, Months: []trendMonthJSON{}}
		if out.Categories == nil {
			out.Categories = []string{}
		}
		for _, m := range rep.Months {
			mj := trendMonthJSON{Month: m.Month, Income: tally.FormatAmount(m.Income, rep.Currency), Spending: tally.FormatAmount(m.Spending, rep.Currency), Categories: map[string]string{}}
			for k, v := range m.Categories {
				mj.Categories[k] = tally.FormatAmount(v, rep.Currency)
			}
			out.Months = append(out.Months, mj)
		}
		return out, nil
	})
}
