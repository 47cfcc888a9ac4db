// Package networth turns what institutions report into balances over time:
// an account's balance at the end of every day, from the ledger balances
// statements gave and the transactions between them, and a user's assets,
// liabilities and net worth per day or per month. Compute is the one sum
// of a user's net worth (and Counts the one rule for which accounts it
// counts) that the dashboard, the API and the summary service share. It is
// pure: the caller reads the daily sums, stored balances and positions,
// and stores or shows the result.
package networth

import (
	"sort"
	"time"
)

// Anchor is a balance an institution reported at the end of a day.
type Anchor struct {
	Day     time.Time
	Balance int64
}

// Day is an account's balance at the end of a day, and whether an
// institution reported it (true) or it was derived from transactions.
type Day struct {
	Day       time.Time
	Balance   int64
	Statement bool
}

// Daily returns an account's balance at the end of every day from from to
// to (inclusive). flows maps a day (midnight UTC) to the net amount of the
// transactions posted on it; anchors are reported balances. A day's balance
// is the next anchor on or after it minus the flows in between, or, after
// the last anchor, the last anchor plus the flows since. Without anchors
// the account starts at zero before its first flow.
func Daily(flows map[time.Time]int64, anchors []Anchor, from, to time.Time) []Day {
	if to.Before(from) {
		return nil
	}
	as := append([]Anchor(nil), anchors...)
	sort.Slice(as, func(i, j int) bool { return as[i].Day.Before(as[j].Day) })
	n := int(to.Sub(from).Hours()/24) + 1
	// prefix[i] is the sum of flows on days before days[i] (from the
	// earliest flow or anchor on), so the flows in (a, b] are
	// prefix[b+1]-prefix[a+1].
	start := from
	for d := range flows {
		if d.Before(start) {
			start = d
		}
	}
	for _, a := range as {
		if a.Day.Before(start) {
			start = a.Day
		}
	}
	end := to
	for _, a := range as {
		if a.Day.After(end) {
			end = a.Day
		}
	}
	total := int(end.Sub(start).Hours()/24) + 1
	cum := make([]int64, total+1) // cum[i] = flows on days start..start+i-1
	for i := range total {
		d := start.AddDate(0, 0, i)
		cum[i+1] = cum[i] + flows[d]
	}
	idx := func(t time.Time) int { return int(t.Sub(start).Hours() / 24) }
	upto := func(t time.Time) int64 { return cum[idx(t)+1] } // flows on or before t

	out := make([]Day, 0, n)
	next := 0
	for i := range n {
		d := from.AddDate(0, 0, i)
		for next < len(as) && as[next].Day.Before(d) {
			next++
		}
		var bal int64
		statement := false
		switch {
		case next < len(as):
			a := as[next]
			bal = a.Balance - (upto(a.Day) - upto(d))
			statement = a.Day.Equal(d)
		case len(as) > 0:
			a := as[len(as)-1]
			bal = a.Balance + upto(d) - upto(a.Day)
		default:
			bal = upto(d)
		}
		out = append(out, Day{Day: d, Balance: bal, Statement: statement})
	}
	return out
}

// Point is a user's assets and liabilities at the end of a day.
type Point struct {
	Day         time.Time
	Assets      int64
	Liabilities int64 // owed, as a positive amount
	// Partial says an investment account counted only its cash on this
	// day: its positions were first reported later (see Compute).
	Partial bool
}

// Net is assets minus liabilities.
func (p Point) Net() int64 { return p.Assets - p.Liabilities }

// Sum adds the balances of several accounts per day: a positive balance is
// an asset, a negative one (a card or loan owed) a liability. Each account's
// last balance before a day it has no row for carries forward; an account
// counts from its first row. days lists the days wanted, in order.
func Sum(accounts map[string][]Day, days []time.Time) []Point {
	out := make([]Point, len(days))
	for i, d := range days {
		out[i].Day = d
	}
	for _, rows := range accounts {
		j := -1
		for i, d := range days {
			for j+1 < len(rows) && !rows[j+1].Day.After(d) {
				j++
			}
			if j < 0 {
				continue
			}
			if b := rows[j].Balance; b >= 0 {
				out[i].Assets += b
			} else {
				out[i].Liabilities -= b
			}
		}
	}
	return out
}

// MaxDailyDays is the longest range answered day by day; longer ranges get
// one point per month.
const MaxDailyDays = 366

// Days returns the days a range is shown at: every day up to MaxDailyDays,
// otherwise the last day of each month and to itself.
func Days(from, to time.Time) []time.Time {
	var out []time.Time
	if int(to.Sub(from).Hours()/24) < MaxDailyDays {
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			out = append(out, d)
		}
		return out
	}
	for d := from; !d.After(to); {
		monthEnd := time.Date(d.Year(), d.Month()+1, 0, 0, 0, 0, 0, time.UTC)
		if monthEnd.After(to) {
			monthEnd = to
		}
		out = append(out, monthEnd)
		d = monthEnd.AddDate(0, 0, 1)
	}
	return out
}

// AddValues adds to each day of balances the latest of values on or before
// it (the market value of an account's positions as last reported), and
// adds a row for each value day balances lack. Both are by day.
func AddValues(balances, values []Day) []Day {
	byDay := map[time.Time]bool{}
	for _, b := range balances {
		byDay[b.Day] = true
	}
	all := append([]Day(nil), balances...)
	// A value day without a balance row carries the balance before it.
	for _, v := range values {
		if byDay[v.Day] {
			continue
		}
		var bal int64
		for _, b := range balances {
			if b.Day.After(v.Day) {
				break
			}
			bal = b.Balance
		}
		all = append(all, Day{Day: v.Day, Balance: bal})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Day.Before(all[j].Day) })
	j := -1
	for i := range all {
		for j+1 < len(values) && !values[j+1].Day.After(all[i].Day) {
			j++
		}
		if j >= 0 {
			all[i].Balance += values[j].Balance
		}
	}
	return all
}
