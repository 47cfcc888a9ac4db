package web

import (
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/tallyhq/tally"
)

// investmentsPage shows the latest positions of the user's investment
// accounts and the accounts' market value at the end of each of the last
// twelve months.
type investmentsPage struct {
	layout
	Holdings []holdingRow
	Accounts []string // column heads of the value table
	Months   []valueRow
	Chart    template.HTML
	Total    string
}

type holdingRow struct {
	Account, Security, IDType, Units, Price, Value, AsOf string
}

type valueRow struct {
	Month  string
	Values []string // one per account, "" when the account had no value yet
	Total  string
}

// investmentMonths is how many month ends /investments charts.
const investmentMonths = 12

// GET /investments: three queries besides the layout's (accounts, latest
// holdings, holdings' value per day).
func (h *Handler) investments(w http.ResponseWriter, r *http.Request, u *tally.User) {
	ctx := r.Context()
	accounts, err := h.Store.Accounts(ctx, u.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	names := map[string]string{}
	for _, a := range accounts {
		names[a.ID] = a.Name
	}
	holdings, err := h.Store.LatestHoldings(ctx, u.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	y, m, d := h.now().In(u.Location()).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	values, err := h.Store.HoldingValues(ctx, u.ID, today)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	page := investmentsPage{layout: h.page(w, r, u, "Investments", "accounts")}
	var latest int64
	currency := ""
	for _, x := range holdings {
		page.Holdings = append(page.Holdings, holdingRow{Account: names[x.AccountID], Security: x.SecurityID, IDType: x.IDType,
			Units: x.Units, Price: x.UnitPrice, Value: formatMoney(x.MarketValue, x.Currency), AsOf: x.AsOf.Format("Jan 2, 2006")})
		if currency == "" {
			currency = x.Currency
		}
		if x.Currency == currency {
			latest += x.MarketValue
		}
	}
	if currency != "" {
		page.Total = formatMoney(latest, currency)
	}
	page.Accounts, page.Months, page.Chart = accountValues(values, names, monthEnds(today, investmentMonths))
	h.render(w, r, http.StatusOK, "investments", page)
}

// monthEnds returns the last day of each of the n months up to today's,
// today itself standing for the current month, oldest first.
func monthEnds(today time.Time, n int) []time.Time {
	out := make([]time.Time, 0, n)
	for i := n - 1; i >= 1; i-- {
		first := time.Date(today.Year(), today.Month()-time.Month(i), 1, 0, 0, 0, 0, time.UTC)
		out = append(out, first.AddDate(0, 1, -1))
	}
	return append(out, today)
}

// accountValues tabulates each account's latest reported value on or
// before each day, and charts their sum.
func accountValues(values map[string][]tally.AccountBalance, names map[string]string, days []time.Time) ([]string, []valueRow, template.HTML) {
	ids := make([]string, 0, len(values))
	for id := range values {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		return names[ids[i]] < names[ids[j]] || names[ids[i]] == names[ids[j]] && ids[i] < ids[j]
	})
	if len(ids) == 0 {
		return nil, nil, ""
	}
	heads := make([]string, len(ids))
	for i, id := range ids {
		heads[i] = names[id]
	}
	currency := values[ids[0]][0].Currency
	var rows []valueRow
	var points []linePoint
	for _, d := range days {
		row := valueRow{Month: d.Format("Jan 2006"), Values: make([]string, len(ids))}
		var total int64
		any := false
		for i, id := range ids {
			var v *tally.AccountBalance
			for k := range values[id] {
				if values[id][k].Day.After(d) {
					break
				}
				v = &values[id][k]
			}
			if v == nil {
				continue
			}
			any = true
			row.Values[i] = formatMoney(v.Balance, v.Currency)
			if v.Currency == currency {
				total += v.Balance
			}
		}
		if !any {
			continue
		}
		row.Total = formatMoney(total, currency)
		rows = append(rows, row)
		points = append(points, linePoint{Label: d.Format("Jan"), Value: total})
	}
	return heads, rows, lineChart("Investment value at the end of each month", points)
}

// linePoint is one point of a line chart.
type linePoint struct {
	Label string
	Value int64
	// Partial draws the point hollow: its figure is known to be
	// incomplete (the chart's caption says why).
	Partial bool
}

// lineChart draws values as a line over evenly spaced labels, scaled
// between the smallest (or zero) and the largest value. The line sits in
// a nested SVG stretched to the plot, so it spans any width while labels
// keep their size.
func lineChart(title string, data []linePoint) template.HTML {
	if len(data) == 0 {
		return ""
	}
	const plotH, top, w = 160, 8, 1000
	lo, hi := int64(0), int64(0)
	for _, p := range data {
		lo, hi = min(lo, p.Value), max(hi, p.Value)
	}
	if hi == lo {
		hi = lo + 1
	}
	x := func(i int) float64 {
		if len(data) == 1 {
			return w / 2
		}
		return float64(i) * w / float64(len(data)-1)
	}
	y := func(v int64) float64 { return float64(plotH) - float64(v-lo)*plotH/float64(hi-lo) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart line" width="100%%" height="%d" role="img" aria-labelledby="%s"><title id="%[2]s">%s</title>`,
		plotH+top+24, chartID(title), esc(title))
	fmt.Fprintf(&b, `<svg x="0" y="%d" width="100%%" height="%d" viewBox="0 0 %d %d" preserveAspectRatio="none" aria-hidden="true">`, top, plotH, w, plotH)
	if lo < 0 {
		fmt.Fprintf(&b, `<line class="axis" x1="0" x2="%d" y1="%.1f" y2="%.1f" vector-effect="non-scaling-stroke"></line>`, w, y(0), y(0))
	}
	b.WriteString(`<polyline class="trend" fill="none" vector-effect="non-scaling-stroke" points="`)
	for i, p := range data {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%.1f,%.1f", x(i), y(p.Value))
	}
	b.WriteString(`"></polyline></svg>`)
	for i, p := range data {
		class := "dot"
		if p.Partial {
			class = "dot partial"
		}
		fmt.Fprintf(&b, `<circle class="%s" cx="%.2f%%" cy="%.1f" r="3"></circle>`, class, x(i)/w*100, y(p.Value)+top)
	}
	fmt.Fprintf(&b, `<line class="axis" x1="0" x2="100%%" y1="%d" y2="%[1]d"></line>`, plotH+top)
	step := 1
	if len(data) > 6 {
		step = 2 // every other label, so a phone's width holds them
	}
	for i, p := range data {
		if i%step != (len(data)-1)%step {
			continue
		}
		anchor := "middle"
		switch {
		case i == 0 && len(data) > 1:
			anchor = "start"
		case i == len(data)-1 && len(data) > 1:
			anchor = "end"
		}
		fmt.Fprintf(&b, `<text class="tick" x="%.2f%%" y="%d" text-anchor="%s">%s</text>`, x(i)/w*100, plotH+top+18, anchor, esc(p.Label))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
