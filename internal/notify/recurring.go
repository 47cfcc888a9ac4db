package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/recurring"
)

// RecurringAlerts creates the alerts the user's stored series call for on
// today (in the user's time zone), each at most once, and enqueues their
// delivery in the same transaction: a subscription detected for the first
// time that started recently, a charge more than 5 % and more than one unit
// above the one before, and an expected charge that did not come. Ignored
// series raise nothing; nor does old news (an increase or a gap from before
// the latest charge), so a first sync of two years raises few. isNew names
// the series keys stored for the first time.
func (s *Service) RecurringAlerts(ctx context.Context, userID string, series []*tally.RecurringSeries, isNew map[string]bool, today time.Time) ([]*tally.Notification, error) {
	ns := RecurringNotifications(series, isNew, today)
	if len(ns) == 0 {
		return nil, nil
	}
	p, err := s.Store.Profile(ctx, userID)
	if err != nil {
		return nil, err
	}
	return s.Store.AddNotifications(ctx, userID, ns, p.ChannelsFor)
}

// RecurringNotifications lists the alerts series call for on today; see
// RecurringAlerts.
func RecurringNotifications(series []*tally.RecurringSeries, isNew map[string]bool, today time.Time) []*tally.Notification {
	var ns []*tally.Notification
	for _, r := range series {
		if r.UserStatus == tally.RecurringIgnored || r.Kind == recurring.KindIncome {
			continue
		}
		period := periodDays(r.Cadence)
		grace := recurring.Grace(r.Cadence)
		data := map[string]any{
			"recurring_id": r.ID, "merchant": r.Merchant, "cadence": r.Cadence, "currency": r.Currency,
			"amount": tally.FormatAmount(-r.Amount, r.Currency), "next_date": r.NextDate.Format(tally.DateLayout),
		}
		name := r.Merchant
		if isNew[r.Key] && r.Kind == recurring.KindSubscription && r.State == recurring.StateActive &&
			!r.FirstDate.Before(today.AddDate(0, 0, -(4*period+grace))) {
			ns = append(ns, &tally.Notification{
				Kind: tally.NotifyRecurringNew, Category: r.Category, Key: r.Key,
				Message: fmt.Sprintf("New subscription: %s charges you %s %s; next charge around %s.", name,
					exact(-r.Amount, r.Currency), cadenceWords(r.Cadence), r.NextDate.Format("January 2")),
				Data: data,
			})
		}
		if r.Count >= 2 && recurring.IsPriceIncrease(r.Previous, r.Amount, r.Currency) &&
			!r.LastDate.Before(today.AddDate(0, 0, -(period+grace))) {
			d := copyData(data)
			d["previous"] = tally.FormatAmount(-r.Previous, r.Currency)
			ns = append(ns, &tally.Notification{
				Kind: tally.NotifyRecurringPriceIncrease, Category: r.Category, Month: r.LastDate.Format(tally.MonthLayout),
				Key: r.Key + "@" + r.LastDate.Format(tally.DateLayout),
				Message: fmt.Sprintf("%s went up from %s to %s on %s.", name, exact(-r.Previous, r.Currency),
					exact(-r.Amount, r.Currency), r.LastDate.Format("January 2")),
				Data: d,
			})
		}
		if r.State == recurring.StateActive && recurring.IsMissing(r.Cadence, r.NextDate, today) {
			ns = append(ns, &tally.Notification{
				Kind: tally.NotifyRecurringMissing, Category: r.Category, Month: r.NextDate.Format(tally.MonthLayout),
				Key:     r.Key + "@" + r.NextDate.Format(tally.DateLayout),
				Message: fmt.Sprintf("%s usually charges you %s around %s, and nothing has come yet.", name, exact(-r.Usual, r.Currency), r.NextDate.Format("January 2")),
				Data:    data,
			})
		}
	}
	return ns
}

// exact renders an amount with its cents, as a price reads: "$12.99",
// "12.99 EUR".
func exact(minor int64, currency string) string {
	s := tally.FormatAmount(minor, currency)
	if currency == "USD" {
		if strings.HasPrefix(s, "-") {
			return "-$" + s[1:]
		}
		return "$" + s
	}
	return s + " " + currency
}

func copyData(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func periodDays(cadence string) int {
	switch cadence {
	case recurring.Weekly:
		return 7
	case recurring.Biweekly, recurring.Semimonthly:
		return 15
	case recurring.Monthly:
		return 31
	case recurring.Quarterly:
		return 92
	}
	return 366
}

func cadenceWords(cadence string) string {
	switch cadence {
	case recurring.Weekly:
		return "every week"
	case recurring.Biweekly:
		return "every two weeks"
	case recurring.Semimonthly:
		return "twice a month"
	case recurring.Monthly:
		return "every month"
	case recurring.Quarterly:
		return "every quarter"
	}
	return "every year"
}
