package web

import (
	"context"
	"html/template"
	"sort"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/networth"
)

// netWorthMonths is how many month ends the dashboard's net worth chart
// shows.
const netWorthMonths = 12

// netWorthHistory is the dashboard's net worth over the last twelve
// months: a chart and the table of its figures.
type netWorthHistory struct {
	NetChart   template.HTML
	NetHistory []netWorthRow
	// NetPartial explains the months whose figures count only an
	// investment account's cash, its positions being reported later.
	NetPartial string
}

type netWorthRow struct {
	Month, Assets, Liabilities, Net string
	Negative, Partial               bool
}

// dashboardNetWorth is the dashboard's net worth: today's figure, by
// account type, and at the end of each of the last twelve months. It is
// networth.Compute over the stored balances and positions, read in one
// query: the sum (and the rule that hidden accounts never count) that
// GET /api/v1/networth and the summary service use as well.
type dashboardNetWorth struct {
	Net    int64
	ByType map[string]int64
	netWorthHistory
}

func (h *Handler) netWorth(ctx context.Context, u *tally.User, accounts []*tally.Account, currency string) (dashboardNetWorth, error) {
	y, m, d := h.now().In(u.Location()).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	days := monthEnds(today, netWorthMonths)
	balances, values, err := h.Store.NetWorthInputs(ctx, u.ID, days[0], today)
	if err != nil {
		return dashboardNetWorth{}, err
	}
	s := networth.Compute(networth.Input{Accounts: accounts, Currency: currency, Balances: balances, Values: values, Today: today}, days)
	out := dashboardNetWorth{ByType: map[string]int64{}}
	if n := len(s.Points); n > 0 {
		out.Net = s.Points[n-1].Net()
	}
	for _, a := range accounts {
		if v, ok := s.Accounts[a.ID]; ok {
			out.ByType[a.Type] += v
		}
	}
	var points []linePoint
	for _, p := range s.Points {
		if p.Assets == 0 && p.Liabilities == 0 {
			continue // before the first stored balance
		}
		out.NetHistory = append(out.NetHistory, netWorthRow{Month: p.Day.Format("Jan 2006"), Assets: formatMoney(p.Assets, currency),
			Liabilities: formatMoney(p.Liabilities, currency), Net: formatMoney(p.Net(), currency), Negative: p.Net() < 0, Partial: p.Partial})
		points = append(points, linePoint{Label: p.Day.Format("Jan"), Value: p.Net(), Partial: p.Partial})
	}
	if len(points) > 0 {
		out.NetChart = lineChart("Net worth at the end of each month", points)
		out.NetPartial = partialNote(s, accounts, out.NetHistory)
	}
	return out, nil
}

// partialNote says which investment accounts count only their cash in
// the months shown, and from when their positions are known; "" when no
// month shown is partial.
func partialNote(s networth.Series, accounts []*tally.Account, rows []netWorthRow) string {
	partial := false
	for _, r := range rows {
		partial = partial || r.Partial
	}
	if !partial {
		return ""
	}
	var names []string
	var from time.Time
	for _, a := range accounts {
		if d, ok := s.PositionsFrom[a.ID]; ok && len(rows) > 0 {
			names = append(names, a.Name)
			if d.After(from) {
				from = d
			}
		}
	}
	sort.Strings(names)
	return "Months marked * count only the cash in " + strings.Join(names, ", ") +
		": investment positions were first reported on " + from.Format("Jan 2, 2006") + ", and their value before then is not known."
}
