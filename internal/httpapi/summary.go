package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/cache"
	"github.com/tallyhq/tally/internal/httpx"
	"github.com/tallyhq/tally/internal/summary"
)

// summaries returns the service behind GET /api/v1/summary.
func (s *Server) summaries() *summary.Service {
	if s.Summary != nil {
		return s.Summary
	}
	return &summary.Service{Store: s.Store, Notify: s.notifier(), Cache: s.Cache, Now: s.now}
}

// readPath prepares a GET request's reads: the user's cache state, read
// once, and the database that serves them, a replica that has replayed the
// user's last write or else the primary. Other methods read the primary.
func (s *Server) readPath(r *http.Request, u *tally.User, st cache.State) *http.Request {
	return r.WithContext(s.readFrom(cache.WithState(r.Context(), u.ID, st), st))
}

// readFrom routes ctx's reads to a replica that has replayed the user's
// last write (st.Mark), or to the primary.
func (s *Server) readFrom(ctx context.Context, st cache.State) context.Context {
	if s.Store.HasReplica() {
		ctx = s.Store.ReadFrom(ctx, st.Mark, st.Known())
	}
	return ctx
}

// cachedJSON answers 200 with the user's cache entry name, which build
// makes on a miss, or 304 when the request names it (see writeEntry). name carries everything the answer depends on besides
// the user (the month, the date, the query); the user's next write makes
// every entry of theirs stale. Without a cache it builds every time.
//
// GET /spending, /budgets and /summary answer through it; a trends handler
// does the same with a name such as "trends:"+from+":"+to+":"+category.
func (s *Server) cachedJSON(w http.ResponseWriter, r *http.Request, u *tally.User, name string, build func(ctx context.Context) (any, error)) {
	load := func(ctx context.Context) ([]byte, error) {
		v, err := build(ctx)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		return append(b, '\n'), nil
	}
	if s.Cache == nil {
		b, err := load(r.Context())
		if err != nil {
			s.error(w, r, err)
			return
		}
		writeJSONBytes(w, b)
		return
	}
	e, err := s.Cache.GetEntry(r.Context(), u.ID, name, load)
	if errors.Is(err, errReauthenticate) {
		return // authed serves the request again
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.writeEntry(w, r, u.ID, name, e)
}

// writeJSONBytes answers 200 with b, a JSON document.
func writeJSONBytes(w http.ResponseWriter, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	// With its length known the answer is sent whole, not in chunks.
	h.Set("Content-Length", strconv.Itoa(len(b)))
	httpx.WholeResponse(w, len(b))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

type netWorthJSON struct {
	Currency    string `json:"currency"`
	Assets      string `json:"assets"`
	Liabilities string `json:"liabilities"`
	Total       string `json:"total"`
}

type summaryJSON struct {
	Month               string            `json:"month"`
	Currency            string            `json:"currency"`
	Accounts            []accountJSON     `json:"accounts"`
	NetWorth            []netWorthJSON    `json:"net_worth"`
	Spending            spendingJSON      `json:"spending"`
	Budgets             []budgetLineJSON  `json:"budgets"`
	RecentTransactions  []transactionJSON `json:"recent_transactions"`
	UnreadNotifications int               `json:"unread_notifications"`
}

func newSummaryJSON(sum *summary.Summary) summaryJSON {
	out := summaryJSON{
		Month: sum.Month, Currency: sum.Currency,
		Accounts:            newAccountsJSON(sum.Accounts),
		NetWorth:            make([]netWorthJSON, 0, len(sum.NetWorth)),
		Spending:            newSpendingJSON(sum.Spending),
		Budgets:             make([]budgetLineJSON, 0, len(sum.Budgets)),
		RecentTransactions:  make([]transactionJSON, 0, len(sum.Recent)),
		UnreadNotifications: sum.Unread,
	}
	for _, nw := range sum.NetWorth {
		out.NetWorth = append(out.NetWorth, netWorthJSON{Currency: nw.Currency, Assets: tally.FormatAmount(nw.Assets, nw.Currency),
			Liabilities: tally.FormatAmount(nw.Liabilities, nw.Currency), Total: tally.FormatAmount(nw.Total, nw.Currency)})
	}
	for _, l := range sum.Budgets {
		out.Budgets = append(out.Budgets, newBudgetLineJSON(l, sum.Currency))
	}
	for _, t := range sum.Recent {
		out.RecentTransactions = append(out.RecentTransactions, newTransactionJSON(t))
	}
	return out
}

// GET /api/v1/summary: the home screen in one answer, cached until the
// user's next write.
func (s *Server) getSummary(w http.ResponseWriter, r *http.Request, u *tally.User) {
	s.cachedJSON(w, r, u, summary.CacheName("summary-json", u, s.now()), func(ctx context.Context) (any, error) {
		sum, err := s.summaries().Load(ctx, u)
		if err != nil {
			return nil, err
		}
		return newSummaryJSON(sum), nil
	})
}
