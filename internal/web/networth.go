package web

import (
	"context"
	"html/template"
	"sort"
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
}

type netWorthRow struct {
	Month, Assets, Liabilities, Net string
	Negative                        bool
}

// netWorthHistory sums, at the end of each of the last twelve months, the
// stored daily balances of the visible accounts in currency plus the market
// value of their latest reported positions, the way GET /api/v1/networth
// does, in one query.
func (h *Handler) netWorthHistory(ctx context.Context, u *tally.User, accounts []*tally.Account, currency string) (netWorthHistory, error) {
	y, m, d := h.now().In(u.Location()).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	days := monthEnds(today, netWorthMonths)
	balances, values, err := h.Store.NetWorthInputs(ctx, u.ID, days[0], today)
	if err != nil {
		return netWorthHistory{}, err
	}
	series := map[string][]networth.Day{}
	for _, a := range accounts {
		if a.Hidden || a.Currency != currency {
			continue
		}
		rows := dayRows(balances[a.ID])
		if hv := values[a.ID]; len(hv) > 0 {
			rows = networth.AddValues(rows, dayRows(hv))
		}
		if len(rows) > 0 {
			series[a.ID] = rows
		}
	}
	var out netWorthHistory
	if len(series) == 0 {
		return out, nil
	}
	var points []linePoint
	for _, p := range networth.Sum(series, days) {
		if p.Assets == 0 && p.Liabilities == 0 {
			continue // before the first stored balance
		}
		out.NetHistory = append(out.NetHistory, netWorthRow{Month: p.Day.Format("Jan 2006"), Assets: formatMoney(p.Assets, currency),
			Liabilities: formatMoney(p.Liabilities, currency), Net: formatMoney(p.Net(), currency), Negative: p.Net() < 0})
		points = append(points, linePoint{Label: p.Day.Format("Jan"), Value: p.Net()})
	}
	out.NetChart = lineChart("Net worth at the end of each month", points)
	return out, nil
}

func dayRows(bs []tally.AccountBalance) []networth.Day {
	out := make([]networth.Day, len(bs))
	for i, b := range bs {
		out[i] = networth.Day{Day: b.Day, Balance: b.Balance, Statement: b.Source == tally.BalanceStatement}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Day.Before(out[j].Day) })
	return out
}
