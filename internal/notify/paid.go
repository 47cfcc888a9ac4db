package notify

import (
	"context"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/budget"
	"github.com/tallyhq/tally/internal/recurring"
	"github.com/tallyhq/tally/internal/store"
)

// rolloverFrom is the first month a rollover carries from for month start:
// the earliest Since, at most budget.MaxRolloverMonths back; month itself
// when nothing rolls over.
func rolloverFrom(rs map[string]store.BudgetRollover, start time.Time) string {
	month := start.Format(tally.MonthLayout)
	oldest := start.AddDate(0, -budget.MaxRolloverMonths, 0).Format(tally.MonthLayout)
	from := month
	for _, r := range rs {
		if r.Mode != tally.RolloverNone && r.Since < from {
			from = max(r.Since, oldest)
		}
	}
	return from
}

// mayBePaid reports whether any budget made from history is approaching or
// exceeded: only those can turn out to be expected bills paid.
func mayBePaid(lines []budget.Line) bool {
	for _, l := range lines {
		if l.Source == budget.SourceHistory && (l.Status == budget.StatusApproaching || l.Status == budget.StatusExceeded) {
			return true
		}
	}
	return false
}

// perMonth is how many charges of a cadence a month expects at most.
func perMonth(cadence string) int {
	switch cadence {
	case recurring.Weekly:
		return 5
	case recurring.Biweekly, recurring.Semimonthly:
		return 3
	}
	return 1
}

// expectedPaid returns the month's charges of the user's recurring bills
// and subscriptions (active or confirmed, not ignored) paid at their usual
// amount (the series' median, so a charge that raised the latest price is
// still unusual), up to the number of charges their cadence expects in a month.
func (s *Service) expectedPaid(ctx context.Context, userID, month string) ([]budget.Payment, error) {
	series, err := s.Store.RecurringSeries(ctx, userID)
	if err != nil || len(series) == 0 {
		return nil, err
	}
	byMerchant := map[string][]*tally.RecurringSeries{}
	var merchants []string
	for _, r := range series {
		if r.UserStatus == tally.RecurringIgnored || r.Kind == recurring.KindIncome || r.Amount >= 0 {
			continue
		}
		if r.State != recurring.StateActive && r.UserStatus != tally.RecurringConfirmed {
			continue
		}
		if byMerchant[r.Merchant] == nil {
			merchants = append(merchants, r.Merchant)
		}
		byMerchant[r.Merchant] = append(byMerchant[r.Merchant], r)
	}
	txns, err := s.Store.MonthTransactionsOf(ctx, userID, month, merchants)
	if err != nil {
		return nil, err
	}
	used := map[string]int{}
	var out []budget.Payment
	for _, t := range txns {
		if t.Amount >= 0 {
			continue
		}
		for _, r := range byMerchant[t.Merchant] {
			if r.Currency != t.Currency || used[r.ID] >= perMonth(r.Cadence) || !recurring.IsUsual(t.Amount, r.Usual, r.Usual, r.Currency) {
				continue
			}
			used[r.ID]++
			out = append(out, budget.Payment{Category: t.Category, Currency: t.Currency, Amount: -t.Amount})
			break
		}
	}
	return out, nil
}
