package httpapi

import (
	"context"
	"net/http"
	"sort"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/recurring"
)

// routeInsight registers the recurring, transfer, net worth and holdings
// endpoints.
func (s *Server) routeInsight(mux *http.ServeMux) {
	s.handleAuth(mux, "GET /api/v1/recurring", s.listRecurring)
	s.handleAuth(mux, "PATCH /api/v1/recurring/{id}", s.patchRecurring)
	s.handleAuth(mux, "DELETE /api/v1/transactions/{id}/transfer", s.unlinkTransfer)
	s.handleAuth(mux, "GET /api/v1/networth", s.getNetWorth)
	s.handleAuth(mux, "GET /api/v1/holdings", s.listHoldings)
}

// recurringJSON is a recurring series as the API shows it. Status is
// active or ended as detected, or ignored when the user ignored it;
// confirmed says the user confirmed it.
type recurringJSON struct {
	ID           string `json:"id"`
	Merchant     string `json:"merchant"`
	Category     string `json:"category"`
	Cadence      string `json:"cadence"`
	Amount       string `json:"amount"`
	Usual        string `json:"usual_amount"`
	Currency     string `json:"currency"`
	LastDate     string `json:"last_date"`
	NextDate     string `json:"next_date"`
	Status       string `json:"status"`
	Confirmed    bool   `json:"confirmed"`
	Kind         string `json:"kind"`
	Transactions int    `json:"transactions"`
	Confidence   int    `json:"confidence"`
}

func newRecurringJSON(r *tally.RecurringSeries) recurringJSON {
	status := r.State
	if r.UserStatus == tally.RecurringIgnored {
		status = tally.RecurringIgnored
	}
	return recurringJSON{ID: r.ID, Merchant: r.Merchant, Category: r.Category, Cadence: r.Cadence,
		Amount: tally.FormatAmount(r.Amount, r.Currency), Usual: tally.FormatAmount(r.Usual, r.Currency), Currency: r.Currency,
		LastDate: r.LastDate.Format(tally.DateLayout), NextDate: r.NextDate.Format(tally.DateLayout), Status: status,
		Confirmed: r.UserStatus == tally.RecurringConfirmed, Kind: r.Kind, Transactions: r.Count, Confidence: r.Confidence}
}

// upcomingJSON is a charge expected in the next 30 days.
type upcomingJSON struct {
	RecurringID string `json:"recurring_id"`
	Merchant    string `json:"merchant"`
	Date        string `json:"date"`
	Amount      string `json:"amount"`
	Currency    string `json:"currency"`
	Kind        string `json:"kind"`
}

// UpcomingDays is how far ahead GET /recurring lists expected charges.
const UpcomingDays = 30

// upcoming lists the charges of active, not ignored bills and
// subscriptions expected from today to UpcomingDays ahead, by date: each
// series' next date and the ones after it at its cadence.
func upcoming(series []*tally.RecurringSeries, today time.Time) []upcomingJSON {
	end := today.AddDate(0, 0, UpcomingDays)
	out := []upcomingJSON{}
	for _, r := range series {
		if r.State != recurring.StateActive || r.UserStatus == tally.RecurringIgnored || r.Kind == recurring.KindIncome {
			continue
		}
		for i, d := 0, r.NextDate; !d.After(end) && i < 10; i++ {
			if !d.Before(today) {
				out = append(out, upcomingJSON{RecurringID: r.ID, Merchant: r.Merchant, Date: d.Format(tally.DateLayout),
					Amount: tally.FormatAmount(r.Amount, r.Currency), Currency: r.Currency, Kind: r.Kind})
			}
			d = recurring.After(r.Cadence, d)
		}
	}
	sortUpcoming(out)
	return out
}

func sortUpcoming(u []upcomingJSON) {
	sort.Slice(u, func(i, j int) bool {
		if u[i].Date != u[j].Date {
			return u[i].Date < u[j].Date
		}
		return u[i].Merchant < u[j].Merchant
	})
}

// GET /api/v1/recurring: the user's recurring series, soonest expected
// first, and the charges expected in the next 30 days.
func (s *Server) listRecurring(w http.ResponseWriter, r *http.Request, u *tally.User) {
	y, m, d := s.now().In(u.Location()).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	s.cachedJSON(w, r, u, "recurring:"+today.Format(tally.DateLayout), func(ctx context.Context) (any, error) {
		series, err := s.Store.RecurringSeries(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		out := struct {
			Recurring []recurringJSON `json:"recurring"`
			Upcoming  []upcomingJSON  `json:"upcoming"`
		}{Recurring: make([]recurringJSON, 0, len(series)), Upcoming: upcoming(series, today)}
		for _, x := range series {
			out.Recurring = append(out.Recurring, newRecurringJSON(x))
		}
		return out, nil
	})
}

// PATCH /api/v1/recurring/{id} {"status":"confirmed"|"ignored"}
func (s *Server) patchRecurring(w http.ResponseWriter, r *http.Request, u *tally.User) {
	var req struct {
		Status *string `json:"status"`
	}
	if err := decodeJSON(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	if req.Status == nil {
		s.error(w, r, tally.Errorf(tally.EINVALID, "status is required: confirmed or ignored"))
		return
	}
	if *req.Status != tally.RecurringConfirmed && *req.Status != tally.RecurringIgnored {
		s.error(w, r, tally.Errorf(tally.EINVALID, "status %q is not allowed: want confirmed or ignored", *req.Status))
		return
	}
	rs, err := s.Store.SetRecurringStatus(r.Context(), u.ID, r.PathValue("id"), *req.Status)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newRecurringJSON(rs))
}

// DELETE /api/v1/transactions/{id}/transfer: the two sides are not a
// transfer. Each goes back to the category it had before matching, and
// matching never pairs either again.
func (s *Server) unlinkTransfer(w http.ResponseWriter, r *http.Request, u *tally.User) {
	id := r.PathValue("id")
	if err := s.Store.UnlinkTransfer(r.Context(), u.ID, id); err != nil {
		s.error(w, r, err)
		return
	}
	t, err := s.Store.Transaction(r.Context(), u.ID, id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.newTransactionDetailJSON(r.Context(), t))
}
