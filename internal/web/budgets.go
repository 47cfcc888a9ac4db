package web

import (
	"context"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/budget"
	"github.com/tallyhq/tally/internal/notify"
)

// dashboardAlerts is how many unread notifications the dashboard shows.
const dashboardAlerts = 5

type budgetRow struct {
	Category string
	Spent    string
	Amount   string
	Source   string // "from your history", "from your income", "set by you"
	Percent  int64
	Status   string // under, approaching, exceeded
	Width    int    // spent as a share of the budget, capped at 100, a multiple of 5
}

type alertRow struct {
	Message string
	Kind    string
}

var sourceLabels = map[string]string{
	budget.SourceHistory:  "from your history",
	budget.SourceTemplate: "from your income",
	budget.SourceManual:   "set by you",
}

func (h *Handler) notifier() *notify.Service {
	if h.Notify != nil {
		return h.Notify
	}
	return &notify.Service{Store: h.Store, Now: h.now}
}

// addBudgets fills the dashboard's budgets for month and its unread alerts.
func (h *Handler) addBudgets(ctx context.Context, u *tally.User, month string, page *dashboardPage) error {
	plan, err := h.notifier().Plan(ctx, u.ID, month)
	if err != nil {
		return err
	}
	for _, l := range plan.Lines {
		page.Budgets = append(page.Budgets, budgetRow{
			Category: categoryName(l.Category), Spent: formatMoney(l.Spent, plan.Currency), Amount: formatMoney(l.Amount, plan.Currency),
			Source: label(sourceLabels, l.Source), Percent: l.Percent, Status: l.Status, Width: barWidth(min(l.Spent, l.Amount), l.Amount),
		})
	}
	ns, _, _, err := h.Store.Notifications(ctx, u.ID, "", 20)
	if err != nil {
		return err
	}
	for _, n := range ns {
		if n.ReadAt == nil && len(page.Alerts) < dashboardAlerts {
			page.Alerts = append(page.Alerts, alertRow{Message: n.Message, Kind: n.Kind})
		}
	}
	return nil
}
