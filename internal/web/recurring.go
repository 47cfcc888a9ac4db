package web

import (
	"net/http"
	"sort"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/recurring"
)

// upcomingDays is how far ahead /recurring lists expected charges.
const upcomingDays = 30

// recurringPage lists the user's recurring series and the bills expected
// in the next 30 days.
type recurringPage struct {
	layout
	Series   []recurringRow
	Upcoming []upcomingRow
}

type recurringRow struct {
	ID, Merchant, Kind, Cadence, Amount, Last, Next, Status, StatusLabel string
	Link                                                                 string
	Confirmed, Ignored, Negative                                         bool
}

type upcomingRow struct {
	Date, Merchant, Kind, Amount string
	Negative                     bool
}

var recurringStatusLabels = map[string]string{
	recurring.StateActive:  "Active",
	recurring.StateEnded:   "Ended",
	tally.RecurringIgnored: "Ignored",
}

// GET /recurring: one query for the series besides the layout's.
func (h *Handler) recurringList(w http.ResponseWriter, r *http.Request, u *tally.User) {
	series, err := h.Store.RecurringSeries(r.Context(), u.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	page := recurringPage{layout: h.page(w, r, u, "Recurring", "recurring")}
	y, m, d := h.now().In(u.Location()).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	for _, s := range series {
		status := s.State
		if s.UserStatus == tally.RecurringIgnored {
			status = tally.RecurringIgnored
		}
		page.Series = append(page.Series, recurringRow{ID: s.ID, Merchant: s.Merchant, Kind: s.Kind, Cadence: s.Cadence,
			Amount: formatMoney(s.Amount, s.Currency), Negative: s.Amount < 0,
			Last: s.LastDate.Format("Jan 2, 2006"), Next: s.NextDate.Format("Jan 2, 2006"),
			Status: status, StatusLabel: label(recurringStatusLabels, status), Link: "/transactions?q=" + urlQuery(s.Merchant),
			Confirmed: s.UserStatus == tally.RecurringConfirmed, Ignored: s.UserStatus == tally.RecurringIgnored})
	}
	page.Upcoming = upcomingBills(series, today)
	h.render(w, r, http.StatusOK, "recurring", page)
}

// upcomingBills lists the charges of active, not ignored bills and
// subscriptions expected from today to upcomingDays ahead, by date.
func upcomingBills(series []*tally.RecurringSeries, today time.Time) []upcomingRow {
	type due struct {
		day time.Time
		s   *tally.RecurringSeries
	}
	end := today.AddDate(0, 0, upcomingDays)
	var all []due
	for _, s := range series {
		if s.State != recurring.StateActive || s.UserStatus == tally.RecurringIgnored || s.Kind == recurring.KindIncome {
			continue
		}
		for i, d := 0, s.NextDate; !d.After(end) && i < 10; i++ {
			if !d.Before(today) {
				all = append(all, due{d, s})
			}
			d = recurring.After(s.Cadence, d)
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if !all[i].day.Equal(all[j].day) {
			return all[i].day.Before(all[j].day)
		}
		return all[i].s.Merchant < all[j].s.Merchant
	})
	out := make([]upcomingRow, 0, len(all))
	for _, x := range all {
		out = append(out, upcomingRow{Date: x.day.Format("Mon, Jan 2"), Merchant: x.s.Merchant, Kind: x.s.Kind,
			Amount: formatMoney(x.s.Amount, x.s.Currency), Negative: x.s.Amount < 0})
	}
	return out
}

// POST /recurring/{id}/confirm and /recurring/{id}/ignore
func (h *Handler) setRecurring(status string) userHandler {
	return func(w http.ResponseWriter, r *http.Request, u *tally.User) {
		s, err := h.Store.SetRecurringStatus(r.Context(), u.ID, r.PathValue("id"), status)
		if err != nil {
			h.failed(w, r, u, err)
			return
		}
		msg := s.Merchant + " is confirmed as recurring."
		if status == tally.RecurringIgnored {
			msg = s.Merchant + " is ignored: it leaves upcoming bills and recurring alerts."
		}
		redirect(w, r, "/recurring", msg)
	}
}
