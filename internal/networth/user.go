package networth

import (
	"sort"
	"time"

	"github.com/tallyhq/tally"
)

// The one rule for which accounts make up net worth, and the one sum that
// the dashboard, GET /api/v1/networth and the summary service all call.
//
// An account counts when it is in the currency asked for and is not hidden.
// Hiding an account is how a user says "this is not mine to count" (a
// closed card, a parent's account shared for convenience, a duplicate
// linked twice), the way Mint's "hide from net worth" worked: so a hidden
// account is left out of net worth everywhere, today and in the past, and
// its balance is still shown on /accounts and in GET /api/v1/accounts.

// Counts reports whether account a counts toward net worth in currency.
func Counts(a *tally.Account, currency string) bool {
	return !a.Hidden && a.Currency == currency
}

// MainCurrency is the currency a single net worth figure is shown in: the
// profile's when an account that counts is in it, else the first counting
// account's (a user who never set a currency and imported only euro
// statements sees euros, not a zero in dollars), else the profile's.
func MainCurrency(accounts []*tally.Account, profile string) string {
	first := ""
	for _, a := range accounts {
		if !Counts(a, a.Currency) {
			continue
		}
		if a.Currency == profile {
			return profile
		}
		if first == "" {
			first = a.Currency
		}
	}
	if first == "" {
		return profile
	}
	return first
}

// Input is everything a user's net worth in one currency is made of.
type Input struct {
	Accounts []*tally.Account
	Currency string
	// Balances are the stored balances per account at the end of a day,
	// by day: each account led by its last balance before the first day
	// wanted, so it carries into the range.
	Balances map[string][]tally.AccountBalance
	// Values are the market value of each account's positions on each day
	// a statement reported them, by day, from the first report on.
	Values map[string][]tally.AccountBalance
	// Today is the user's today. An account with no stored balance yet
	// (linked, or imported, before the pass that derives daily balances
	// has run) counts its current balance from today on.
	Today time.Time
}

// Series is a user's net worth on the days asked for.
type Series struct {
	Points []Point
	// Accounts is each counting account's value on the last day asked
	// for: its balance plus the market value of its positions.
	Accounts map[string]int64
	// PositionsFrom is, for each counting account that has reported
	// investment positions, the first day it did. Before that day only
	// its cash is known, and the points say so (Point.Partial).
	PositionsFrom map[string]time.Time
}

// Compute sums the accounts that count (see Counts) on each of days, in
// order: on each day an account's balance is its stored balance on or
// before that day plus the market value of the positions last reported on
// or before it; a positive value is an asset, a negative one (a card or a
// loan owed) a liability. A point before an account's first positions is
// marked Partial: that account counts only its cash there.
func Compute(in Input, days []time.Time) Series {
	out := Series{Accounts: map[string]int64{}, PositionsFrom: map[string]time.Time{}}
	series := map[string][]Day{}
	for _, a := range in.Accounts {
		if !Counts(a, in.Currency) {
			continue
		}
		rows := dayRows(in.Balances[a.ID])
		if len(rows) == 0 && !in.Today.IsZero() {
			rows = []Day{{Day: in.Today, Balance: a.Balance}}
		}
		if hv := dayRows(in.Values[a.ID]); len(hv) > 0 {
			rows = AddValues(rows, hv)
			out.PositionsFrom[a.ID] = hv[0].Day
		}
		if len(rows) > 0 {
			series[a.ID] = rows
		}
	}
	out.Points = Sum(series, days)
	if len(days) > 0 {
		last := days[len(days)-1]
		for id, rows := range series {
			if v, ok := valueOn(rows, last); ok {
				out.Accounts[id] = v
			}
		}
	}
	for i := range out.Points {
		for _, from := range out.PositionsFrom {
			if out.Points[i].Day.Before(from) {
				out.Points[i].Partial = true
				break
			}
		}
	}
	return out
}

// valueOn is the last of rows on or before day.
func valueOn(rows []Day, day time.Time) (int64, bool) {
	i := sort.Search(len(rows), func(i int) bool { return rows[i].Day.After(day) })
	if i == 0 {
		return 0, false
	}
	return rows[i-1].Balance, true
}

func dayRows(bs []tally.AccountBalance) []Day {
	out := make([]Day, len(bs))
	for i, b := range bs {
		out[i] = Day{Day: b.Day, Balance: b.Balance, Statement: b.Source == tally.BalanceStatement}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Day.Before(out[j].Day) })
	return out
}
