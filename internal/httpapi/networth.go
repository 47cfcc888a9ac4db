package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/networth"
)

// transferOf is the id of the other side of t's transfer pair, nil when it
// is in none (or the lookup failed: the field is a courtesy).
func (s *Server) transferOf(ctx context.Context, t *tally.Transaction) *string {
	other, err := s.Store.TransferOf(ctx, t.UserID, t.ID)
	if err != nil {
		s.logger().WarnContext(ctx, "transfer lookup", "user_id", t.UserID, "transaction_id", t.ID, "error", err)
		return nil
	}
	if other == "" {
		return nil
	}
	return &other
}

// setTransferPeers fills transfer_of on a page of transactions in one
// query (left empty if the lookup fails: the field is a courtesy).
func (s *Server) setTransferPeers(ctx context.Context, userID string, ts []transactionJSON) {
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	peers, err := s.Store.TransferPeers(ctx, userID, ids)
	if err != nil {
		s.logger().WarnContext(ctx, "transfer lookup", "user_id", userID, "error", err)
		return
	}
	for i := range ts {
		if p, ok := peers[ts[i].ID]; ok {
			ts[i].TransferOf = &p
		}
	}
}

// MaxNetWorthYears caps the range of GET /networth.
const MaxNetWorthYears = 10

// parseDay checks a YYYY-MM-DD parameter named name.
func parseDay(name, v string) (time.Time, error) {
	t, err := time.Parse(tally.DateLayout, v)
	if err != nil || t.Year() < 1900 || t.Year() > 9999 {
		return time.Time{}, tally.Errorf(tally.EINVALID, "%s %q: want a date YYYY-MM-DD", name, v)
	}
	return t, nil
}

type netWorthPointJSON struct {
	Date        string `json:"date"`
	Assets      string `json:"assets"`
	Liabilities string `json:"liabilities"`
	Net         string `json:"net"`
	// Partial: an investment account counts only its cash on this day, its
	// positions being first reported after it (see positions_from).
	Partial bool `json:"partial"`
}

// positionsFrom is the last of the days from which each investment
// account's positions are known: points before it are partial. Zero when
// no account reported positions.
func positionsFrom(s networth.Series) time.Time {
	var last time.Time
	for _, d := range s.PositionsFrom {
		if d.After(last) {
			last = d
		}
	}
	return last
}

// GET /api/v1/networth?from=YYYY-MM-DD&to=YYYY-MM-DD: assets, liabilities
// and net worth at the end of each day, or of each month when the range is
// a year or longer. to defaults to today, from to a year before to.
// The sum is networth.Compute: accounts in the main currency (the
// profile's, unless no account is in it; networth.MainCurrency) that are
// not hidden count; an investment account counts its cash and the market
// value of its latest positions on each day, and a day before its
// positions were first reported is marked partial.
func (s *Server) getNetWorth(w http.ResponseWriter, r *http.Request, u *tally.User) {
	y, m, d := s.now().In(u.Location()).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	to := today
	q := r.URL.Query()
	var err error
	if v := q.Get("to"); v != "" {
		if to, err = parseDay("to", v); err != nil {
			s.error(w, r, err)
			return
		}
	}
	from := to.AddDate(-1, 0, 1)
	if v := q.Get("from"); v != "" {
		if from, err = parseDay("from", v); err != nil {
			s.error(w, r, err)
			return
		}
	}
	if from.After(to) {
		s.error(w, r, tally.Errorf(tally.EINVALID, "from %s is after to %s", from.Format(tally.DateLayout), to.Format(tally.DateLayout)))
		return
	}
	if to.After(from.AddDate(MaxNetWorthYears, 0, 0)) {
		s.error(w, r, tally.Errorf(tally.EINVALID, "from %s to %s: the range may span at most %d years", from.Format(tally.DateLayout), to.Format(tally.DateLayout), MaxNetWorthYears))
		return
	}
	name := "networth:" + from.Format(tally.DateLayout) + ":" + to.Format(tally.DateLayout) + ":" + today.Format(tally.DateLayout)
	s.cachedJSON(w, r, u, name, func(ctx context.Context) (any, error) {
		series, currency, err := s.netWorth(ctx, u.ID, from, to, today)
		if err != nil {
			return nil, err
		}
		points := series.Points
		out := netWorthSeriesJSON{From: from.Format(tally.DateLayout), To: to.Format(tally.DateLayout), Currency: currency, Interval: "day", Points: make([]netWorthPointJSON, 0, len(points))}
		if pf := positionsFrom(series); !pf.IsZero() {
			out.PositionsFrom = pf.Format(tally.DateLayout)
		}
		if len(points) > 0 && int(to.Sub(from).Hours()/24) >= networth.MaxDailyDays {
			out.Interval = "month"
		}
		for _, p := range points {
			out.Points = append(out.Points, netWorthPointJSON{Date: p.Day.Format(tally.DateLayout), Assets: tally.FormatAmount(p.Assets, currency),
				Liabilities: tally.FormatAmount(p.Liabilities, currency), Net: tally.FormatAmount(p.Net(), currency), Partial: p.Partial})
		}
		return out, nil
	})
}

type netWorthSeriesJSON struct {
	From          string              `json:"from"`
	To            string              `json:"to"`
	Currency      string              `json:"currency"`
	Interval      string              `json:"interval"`
	PositionsFrom string              `json:"positions_from,omitempty"`
	Points        []netWorthPointJSON `json:"points"`
}

// netWorth reads the user's stored balances and positions in one query and
// sums them with networth.Compute, the sum the dashboard and the summary
// share.
func (s *Server) netWorth(ctx context.Context, userID string, from, to time.Time, today time.Time) (networth.Series, string, error) {
	p, err := s.Store.Profile(ctx, userID)
	if err != nil {
		return networth.Series{}, "", err
	}
	accounts, err := s.Store.Accounts(ctx, userID)
	if err != nil {
		return networth.Series{}, "", err
	}
	balances, values, err := s.Store.NetWorthInputs(ctx, userID, from, to)
	if err != nil {
		return networth.Series{}, "", err
	}
	currency := networth.MainCurrency(accounts, p.Currency)
	in := networth.Input{Accounts: accounts, Currency: currency, Balances: balances, Values: values, Today: today}
	return networth.Compute(in, networth.Days(from, to)), currency, nil
}

type holdingJSON struct {
	AccountID    string `json:"account_id"`
	SecurityID   string `json:"security_id"`
	IDType       string `json:"security_id_type"`
	PositionType string `json:"position_type"`
	Units        string `json:"units"`
	UnitPrice    string `json:"unit_price"`
	MarketValue  string `json:"market_value"`
	Currency     string `json:"currency"`
	AsOf         string `json:"as_of"`
}

// GET /api/v1/holdings: each investment account's positions on the last
// day a statement reported them.
func (s *Server) listHoldings(w http.ResponseWriter, r *http.Request, u *tally.User) {
	s.cachedJSON(w, r, u, "holdings", func(ctx context.Context) (any, error) {
		hs, err := s.Store.LatestHoldings(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		out := struct {
			Holdings []holdingJSON `json:"holdings"`
		}{Holdings: make([]holdingJSON, 0, len(hs))}
		for _, h := range hs {
			out.Holdings = append(out.Holdings, holdingJSON{AccountID: h.AccountID, SecurityID: h.SecurityID, IDType: h.IDType, PositionType: h.PositionType,
				Units: h.Units, UnitPrice: h.UnitPrice, MarketValue: tally.FormatAmount(h.MarketValue, h.Currency), Currency: h.Currency,
				AsOf: h.AsOf.Format(tally.DateLayout)})
		}
		return out, nil
	})
}
