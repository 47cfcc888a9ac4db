// Package insight runs the passes that look across a user's transactions
// after they are stored: it matches transfers between the user's own
// accounts (package recurring), finds recurring series and raises their
// alerts (packages recurring and notify), and derives each account's
// balance per day for net worth over time (package networth). Jobs in
// internal/jobs run it after each sync or import and once a day; a pass
// reads only what changed since the last one (see Service.Run), and it is
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
	// FullEvery is how often a pass reads the whole history; the
	// package's FullEvery when 0.
	FullEvery time.Duration
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Result summarizes a pass.
type Result struct {
	Linked int  // transfer pairs linked now
	Series int  // recurring series stored
	Alerts int  // notifications raised
	Days   int  // daily balances written
	Full   bool // the pass read the whole history, not only what changed

	Pairs []*tally.TransferPair // the pairs linked now
	Found []recurring.Series    // the series detected, with their transactions
}

// FullEvery is how often a pass reads a user's whole history even when
// nothing asks it to: a pass otherwise reads only what changed since the
// last (see Run), and a whole read now and then takes in what no change
// row describes, such as many transactions re-filed at once by a rule or
// a seller's old charges leaving the HistoryMonths window.
const FullEvery = 7 * 24 * time.Hour

// Run matches transfers, detects recurring series and raises their alerts,
// and derives daily balances, for one user.
//
// A pass reads only what changed since the last one: the store records,
// with every write, which sellers and accounts it touched and on which
// days (store.InsightChange). Transfers are matched among the
// transactions within TransferWindow days of the new ones, a new one on
// at least one side; series are detected again for the sellers that
// changed, from all of their transactions of the last HistoryMonths, and
// every other stored series only has its state brought up to today;
// balances are derived again for the accounts that changed and carried
// to today for the others. The first pass, one after an account was
// deleted, and one every FullEvery read the whole history instead.
func (s *Service) Run(ctx context.Context, userID string) (Result, error) {
	return s.run(ctx, userID, false)
}

// RunAll is a pass that reads the user's whole history whatever changed.
func (s *Service) RunAll(ctx context.Context, userID string) (Result, error) {
	return s.run(ctx, userID, true)
}

func (s *Service) run(ctx context.Context, userID string, all bool) (Result, error) {
	var res Result
	version, err := s.Store.InsightVersion(ctx, userID)
	if err != nil {
		return res, err
	}
	// What changed is read before the transactions, so that every change
	// up to seq is in what the pass reads.
	seq, fullAt, err := s.Store.InsightState(ctx, userID)
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
	accounts, err := s.Store.Accounts(ctx, userID)
	if err != nil {
		return res, err
	}
	every := s.FullEvery
	if every == 0 {
		every = FullEvery
	}
	full := all || fullAt == nil || s.now().Sub(*fullAt) >= every
	if full {
		res, err = s.runAll(ctx, userID, accounts, today)
	} else {
		var changes []store.InsightChange
		if changes, err = s.Store.InsightChanges(ctx, userID, seq); err == nil {
			res, err = s.runChanges(ctx, userID, accounts, today, changes)
		}
	}
	if err != nil {
		return res, err
	}
	res.Full = full
	if err := s.Store.InsightRead(ctx, userID, seq, full); err != nil {
		return res, err
	}
	return res, s.Store.InsightRan(ctx, userID, version)
}

// runAll is a pass over the whole history.
func (s *Service) runAll(ctx context.Context, userID string, accounts []*tally.Account, today time.Time) (Result, error) {
	var res Result
	rows, err := s.Store.InsightTransactions(ctx, userID, today.AddDate(0, -HistoryMonths, 0))
	if err != nil {
		return res, err
	}
	txns := Txns(rows)
	if err := s.link(ctx, userID, accounts, txns, nil, &res); err != nil {
		return res, err
	}
	res.Found = recurring.Detect(txns, today)
	stored, isNew, err := s.Store.SaveRecurring(ctx, userID, Stored(res.Found))
	if err != nil {
		return res, err
	}
	if err := s.alerts(ctx, userID, stored, isNew, today, &res); err != nil {
		return res, err
	}
	res.Days, err = s.balances(ctx, userID, accounts, today)
	return res, err
}

// runChanges is a pass over what changed; see Run.
func (s *Service) runChanges(ctx context.Context, userID string, accounts []*tally.Account, today time.Time, changes []store.InsightChange) (Result, error) {
	var res Result
	oldest := today.AddDate(0, -HistoryMonths, 0)
	sellers := map[string]bool{}
	changed := map[string]time.Time{} // accounts, from the earliest day changed
	byKey := map[[2]string]store.InsightChange{}
	var lo, hi time.Time
	for _, c := range changes {
		if c.Merchant != "" {
			sellers[c.Merchant] = true
		}
		if c.AccountID == "" {
			continue
		}
		if d, ok := changed[c.AccountID]; !ok || c.First.Before(d) {
			changed[c.AccountID] = c.First
		}
		if c.Merchant == "" || c.First.IsZero() {
			continue
		}
		byKey[[2]string{c.AccountID, c.Merchant}] = c
		if lo.IsZero() || c.First.Before(lo) {
			lo = c.First
		}
		if c.Last.After(hi) {
			hi = c.Last
		}
	}

	// Transfers: among the days around the new transactions.
	if !lo.IsZero() {
		from := lo.AddDate(0, 0, -recurring.TransferWindow)
		if from.Before(oldest) {
			from = oldest
		}
		rows, err := s.Store.InsightWindow(ctx, userID, from, hi.AddDate(0, 0, recurring.TransferWindow))
		if err != nil {
			return res, err
		}
		isNew := func(t *recurring.Txn) bool {
			c, ok := byKey[[2]string{t.AccountID, t.Merchant}]
			return ok && !t.Date.Before(c.First) && !t.Date.After(c.Last)
		}
		if err := s.link(ctx, userID, accounts, Txns(rows), isNew, &res); err != nil {
			return res, err
		}
		// A side filed as a transfer now leaves its seller's series.
		if len(res.Pairs) > 0 {
			seller := make(map[string]string, len(rows))
			for _, t := range rows {
				seller[t.ID] = t.Merchant
			}
			for _, p := range res.Pairs {
				sellers[seller[p.OutID]], sellers[seller[p.InID]] = true, true
			}
			delete(sellers, "")
		}
	}

	// Series: the changed sellers' again, the others' state as of today.
	var txns []recurring.Txn
	if len(sellers) > 0 {
		list := make([]string, 0, len(sellers))
		for m := range sellers {
			list = append(list, m)
		}
		rows, err := s.Store.InsightSellerTransactions(ctx, userID, list, oldest)
		if err != nil {
			return res, err
		}
		txns = Txns(rows)
	}
	res.Found = recurring.Detect(txns, today)
	stored, isNew, err := s.Store.SaveRecurringOf(ctx, userID, Stored(res.Found), sellers, func(r *tally.RecurringSeries) string {
		return recurring.StateOn(r.Cadence, r.NextDate, today)
	})
	if err != nil {
		return res, err
	}
	if err := s.alerts(ctx, userID, stored, isNew, today, &res); err != nil {
		return res, err
	}
	res.Days, err = s.balancesSince(ctx, userID, accounts, today, changed)
	return res, err
}

// link matches transfers among txns not yet in a pair (a new one on at
// least one side, when isNew is set), links them and files the sides in
// txns under their transfer categories.
func (s *Service) link(ctx context.Context, userID string, accounts []*tally.Account, txns []recurring.Txn, isNew func(*recurring.Txn) bool, res *Result) error {
	// Transfers first: a matched side leaves spending and is no series.
	paired, err := s.Store.PairedTransactionIDs(ctx, userID)
	if err != nil {
		return err
	}
	cands := make([]recurring.Txn, 0, len(txns))
	for _, t := range txns {
		if !paired[t.ID] {
			cands = append(cands, t)
		}
	}
	matched := recurring.MatchTransfers(cands)
	if isNew != nil {
		kept := matched[:0]
		for _, p := range matched {
			if isNew(p.Out) || isNew(p.In) {
				kept = append(kept, p)
			}
		}
		matched = kept
	}
	links := Links(matched, accounts)
	pairs, err := s.Store.LinkTransfers(ctx, userID, links)
	if err != nil {
		return err
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
	return nil
}

// alerts raises the alerts the stored series call for.
func (s *Service) alerts(ctx context.Context, userID string, stored []*tally.RecurringSeries, isNew map[string]bool, today time.Time, res *Result) error {
	res.Series = len(stored)
	if s.Notify == nil {
		return nil
	}
	added, err := s.Notify.RecurringAlerts(ctx, userID, stored, isNew, today)
	if err != nil {
		return err
	}
	res.Alerts = len(added)
	return nil
}

// balances derives each account's balance per day from its first
// transaction or statement (at most HistoryMonths back) to today.
func (s *Service) balances(ctx context.Context, userID string, accounts []*tally.Account, today time.Time) (int, error) {
	flows, anchors, err := s.Store.BalanceInputs(ctx, userID)
	if err != nil {
		return 0, err
	}
	var rows []tally.AccountBalance
	for _, a := range accounts {
		rows = append(rows, derive(a, flows[a.ID], anchors[a.ID], today)...)
	}
	return s.saveBalances(ctx, userID, rows)
}

// derive is an account's balance per day from its first transaction or
// statement (at most HistoryMonths back) to today.
func derive(a *tally.Account, f map[time.Time]int64, anchors []tally.AccountBalance, today time.Time) []tally.AccountBalance {
	var as []networth.Anchor
	first := today
	for d := range f {
		if d.Before(first) {
			first = d
		}
	}
	for _, b := range anchors {
		as = append(as, networth.Anchor{Day: b.Day, Balance: b.Balance})
		if b.Day.Before(first) {
			first = b.Day
		}
	}
	if len(f) == 0 && len(as) == 0 {
		return nil
	}
	// The day before the first transaction holds the opening balance.
	first = first.AddDate(0, 0, -1)
	if oldest := today.AddDate(0, -HistoryMonths, 0); first.Before(oldest) {
		first = oldest
	}
	return dayRows(a, networth.Daily(f, as, first, today), time.Time{})
}

// dayRows stores days of account a, those on or before skip left out.
func dayRows(a *tally.Account, days []networth.Day, skip time.Time) []tally.AccountBalance {
	out := make([]tally.AccountBalance, 0, len(days))
	for _, d := range days {
		if !d.Day.After(skip) {
			continue
		}
		src := tally.BalanceDerived
		if d.Statement {
			src = tally.BalanceStatement
		}
		out = append(out, tally.AccountBalance{AccountID: a.ID, Day: d.Day, Balance: d.Balance, Currency: a.Currency, Source: src})
	}
	return out
}

// balancesSince derives again the days of the accounts in since that a
// change on or after its day can move, and carries every other account's
// last stored balance forward to today. A change on day x moves the days
// after the last statement balance before x (each day before x up to the
// statement after it is that statement less the lines between); with no
// statement at all, the days from x on, which start from the stored
// balance of the day before. An account with only later statements, or
// no stored balance for that day, is derived whole.
func (s *Service) balancesSince(ctx context.Context, userID string, accounts []*tally.Account, today time.Time, since map[string]time.Time) (int, error) {
	ids := make([]string, 0, len(since))
	lo := today
	for id, x := range since {
		ids = append(ids, id)
		if x.Before(lo) {
			lo = x
		}
	}
	anchors, err := s.Store.StatementBalances(ctx, userID, ids)
	if err != nil {
		return 0, err
	}
	// Stored balances from the day before the earliest change, each
	// account led by its last before: the bases, and the last days to
	// carry forward.
	stored, err := s.Store.Balances(ctx, userID, lo.AddDate(0, 0, -1), today)
	if err != nil {
		return 0, err
	}
	type plan struct {
		after time.Time // read flows after this day; zero: all
		from  time.Time // derive from this day
		as    []networth.Anchor
		skip  time.Time // leave out this day and before (a stored base)
		whole bool
	}
	plans := map[string]*plan{}
	after := map[string]time.Time{}
	var rows []tally.AccountBalance
	for _, a := range accounts {
		x, ok := since[a.ID]
		if !ok {
			bs := stored[a.ID]
			if len(bs) == 0 {
				continue
			}
			b := bs[len(bs)-1]
			for d := b.Day.AddDate(0, 0, 1); !d.After(today); d = d.AddDate(0, 0, 1) {
				rows = append(rows, tally.AccountBalance{AccountID: a.ID, Day: d, Balance: b.Balance, Currency: a.Currency, Source: tally.BalanceDerived})
			}
			continue
		}
		p := &plan{}
		as := anchors[a.ID]
		prev := -1
		for i, b := range as {
			if b.Day.Before(x) {
				prev = i
			}
		}
		switch {
		case prev >= 0:
			p.after, p.from = as[prev].Day, as[prev].Day
			for _, b := range as[prev:] {
				p.as = append(p.as, networth.Anchor{Day: b.Day, Balance: b.Balance})
			}
		case len(as) == 0:
			base := x.AddDate(0, 0, -1)
			var found *tally.AccountBalance
			for i := range stored[a.ID] {
				if stored[a.ID][i].Day.Equal(base) {
					found = &stored[a.ID][i]
				}
			}
			if found == nil {
				p.whole = true
				break
			}
			p.after, p.from, p.skip = base, base, base
			p.as = []networth.Anchor{{Day: base, Balance: found.Balance}}
		default:
			p.whole = true
		}
		if p.whole {
			after[a.ID] = time.Time{}
		} else {
			after[a.ID] = p.after
		}
		plans[a.ID] = p
	}
	flows, err := s.Store.AccountFlows(ctx, userID, after)
	if err != nil {
		return 0, err
	}
	var whole []string
	for _, a := range accounts {
		p := plans[a.ID]
		switch {
		case p == nil:
		case p.whole:
			whole = append(whole, a.ID)
		default:
			from := p.from
			if oldest := today.AddDate(0, -HistoryMonths, 0); from.Before(oldest) {
				from = oldest
			}
			rows = append(rows, dayRows(a, networth.Daily(flows[a.ID], p.as, from, today), p.skip)...)
		}
	}
	if len(whole) > 0 {
		all, err := s.Store.StatementBalances(ctx, userID, whole)
		if err != nil {
			return 0, err
		}
		for _, a := range accounts {
			if p := plans[a.ID]; p != nil && p.whole {
				rows = append(rows, derive(a, flows[a.ID], all[a.ID], today)...)
			}
		}
	}
	return s.saveBalances(ctx, userID, rows)
}

func (s *Service) saveBalances(ctx context.Context, userID string, rows []tally.AccountBalance) (int, error) {
	if len(rows) == 0 {
		return 0, nil
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
