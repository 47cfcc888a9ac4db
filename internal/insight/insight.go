// Package insight runs the passes that look across a user's transactions
// after they are stored: it matches transfers between the user's own
// accounts (package recurring), finds recurring series and raises their
// alerts (packages recurring and notify), and derives each account's
// balance per day for net worth over time (package networth). Jobs in
// internal/jobs run it after each sync or import and once a day; it is
// safe to run twice.
package insight

import (
	"context"
	"fmt"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/networth"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/recurring"
	"github.com/tallyhq/tally/internal/store"
)

// HistoryMonths is how far back a pass reads: two years and a margin, so a
// yearly series is seen twice.
const HistoryMonths = 26

// Service runs the passes.
type Service struct {
	Store  *store.Store
	Notify *notify.Service  // raises recurring alerts; nil raises none
	Now    func() time.Time // time.Now when nil
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Result summarizes a pass.
type Result struct {
	Linked int // transfer pairs linked now
	Series int // recurring series stored
	Alerts int // notifications raised
	Days   int // daily balances written

	Pairs []*tally.TransferPair // the pairs linked now
	Found []recurring.Series    // the series detected, with their transactions
}

// Run matches transfers, detects recurring series and raises their alerts,
// and derives daily balances, for one user.
func (s *Service) Run(ctx context.Context, userID string) (Result, error) {
	var res Result
	version, err := s.Store.InsightVersion(ctx, userID)
	if err != nil {
		return res, err
	}
	p, err := s.Store.Profile(ctx, userID)
	if err != nil {
		return res, err
	}
	u := tally.User{TimeZone: p.TimeZone}
	y, m, d := s.now().In(u.Location()).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)

	rows, err := s.Store.InsightTransactions(ctx, userID, today.AddDate(0, -HistoryMonths, 0))
	if err != nil {
		return res, err
	}
	accounts, err := s.Store.Accounts(ctx, userID)
	if err != nil {
		return res, err
	}
	txns := Txns(rows)

	// Transfers first: a matched side leaves spending and is no series.
	paired, err := s.Store.PairedTransactionIDs(ctx, userID)
	if err != nil {
		return res, err
	}
	cands := make([]recurring.Txn, 0, len(txns))
	for _, t := range txns {
		if !paired[t.ID] {
			cands = append(cands, t)
		}
	}
	links := Links(recurring.MatchTransfers(cands), accounts)
	pairs, err := s.Store.LinkTransfers(ctx, userID, links)
	if err != nil {
		return res, err
	}
	res.Linked, res.Pairs = len(pairs), pairs
	if len(pairs) > 0 {
		moved := map[string]string{}
		for _, l := range links {
			moved[l.OutID], moved[l.InID] = l.OutCategory, l.InCategory
		}
		for i := range txns {
			if c, ok := moved[txns[i].ID]; ok {
				txns[i].Category = c
			}
		}
	}

	found := recurring.Detect(txns, today)
	res.Found = found
	stored, isNew, err := s.Store.SaveRecurring(ctx, userID, Stored(found))
	if err != nil {
		return res, err
	}
	res.Series = len(stored)
	if s.Notify != nil {
		added, err := s.Notify.RecurringAlerts(ctx, userID, stored, isNew, today)
		if err != nil {
			return res, err
		}
		res.Alerts = len(added)
	}

	if res.Days, err = s.balances(ctx, userID, accounts, today); err != nil {
		return res, err
	}
	return res, s.Store.InsightRan(ctx, userID, version)
}

// balances derives each account's balance per day from its first
// transaction or statement (at most HistoryMonths back) to today.
func (s *Service) balances(ctx context.Context, userID string, accounts []*tally.Account, today time.Time) (int, error) {
	flows, anchors, err := s.Store.BalanceInputs(ctx, userID)
	if err != nil {
		return 0, err
	}
	oldest := today.AddDate(0, -HistoryMonths, 0)
	var rows []tally.AccountBalance
	for _, a := range accounts {
		f := flows[a.ID]
		var as []networth.Anchor
		first := today
		for d := range f {
			if d.Before(first) {
				first = d
			}
		}
		for _, b := range anchors[a.ID] {
			as = append(as, networth.Anchor{Day: b.Day, Balance: b.Balance})
			if b.Day.Before(first) {
				first = b.Day
			}
		}
		if len(f) == 0 && len(as) == 0 {
			continue
		}
		// The day before the first transaction holds the opening balance.
		first = first.AddDate(0, 0, -1)
		if first.Before(oldest) {
			first = oldest
		}
		for _, d := range networth.Daily(f, as, first, today) {
			src := tally.BalanceDerived
			if d.Statement {
				src = tally.BalanceStatement
			}
			rows = append(rows, tally.AccountBalance{AccountID: a.ID, Day: d.Day, Balance: d.Balance, Currency: a.Currency, Source: src})
		}
	}
	if err := s.Store.SaveDailyBalances(ctx, userID, rows); err != nil {
		return 0, fmt.Errorf("insight: %w", err)
	}
	return len(rows), nil
}

// Txns converts stored transactions for detection and matching.
func Txns(rows []*tally.Transaction) []recurring.Txn {
	out := make([]recurring.Txn, len(rows))
	for i, t := range rows {
		out[i] = recurring.Txn{ID: t.ID, AccountID: t.AccountID, Date: t.PostedOn, Amount: t.Amount, Currency: t.Currency,
			Merchant: t.Merchant, Description: t.Description, Category: t.Category, Manual: t.CategorySource == tally.SourceManual}
	}
	return out
}

// Links turns matched pairs into links, each side filed under a transfer
// category: a payment into a card or loan account is a credit card
// payment, anything else an account transfer (a side already under a
// transfer category keeps it).
func Links(pairs []recurring.Pair, accounts []*tally.Account) []store.TransferLink {
	types := map[string]string{}
	for _, a := range accounts {
		types[a.ID] = a.Type
	}
	out := make([]store.TransferLink, 0, len(pairs))
	for _, p := range pairs {
		intoCard := types[p.In.AccountID] == tally.AccountCreditCard
		out = append(out, store.TransferLink{OutID: p.Out.ID, InID: p.In.ID,
			OutCategory: recurring.TransferCategory(p.Out, intoCard), InCategory: recurring.TransferCategory(p.In, intoCard)})
	}
	return out
}

// Stored converts detected series for the store.
func Stored(found []recurring.Series) []tally.RecurringSeries {
	out := make([]tally.RecurringSeries, len(found))
	for i, f := range found {
		out[i] = tally.RecurringSeries{Key: f.Key, Merchant: f.Merchant, Category: f.Category, Currency: f.Currency, Cadence: f.Cadence,
			Kind: f.Kind, Amount: f.Amount, Previous: f.Previous, Usual: f.Usual, FirstDate: f.FirstDate, LastDate: f.LastDate,
			NextDate: f.NextDate, Count: f.Count(), Confidence: f.Confidence, State: f.State}
	}
	return out
}
