// Package demobank is a simulated financial institution that speaks OFX
// Direct Connect (1.x SGML and 2.x XML requests), so that newcomers, tests and
// load generators exercise Tally's real extraction path without a real bank.
//
// Any login is accepted with any non-empty password except "wrong". Each
// login owns a checking, a savings, a credit-card and an investment account
// whose history (24 months up to today, a few lines a day, raw descriptors of
// real merchants, payroll, rent, card payments, transfers, interest and
// dividends) is derived deterministically from the login and the date: the
// same window always answers the same lines, and new lines appear as days
// pass. Logins beginning "slow-" answer after a delay, "flaky-" fail every
// other request with HTTP 503, and "locked-" answer sign-on error 15501.
package demobank

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/ofx"
)

// Defaults of the Bank's knobs.
const (
	DefaultSlowDelay    = 5 * time.Second
	DefaultMaxBodyBytes = 4 << 20
)

// Bank is the demo institution: an http.Handler answering OFX requests
// POSTed to it, and the generator behind it. The zero value is ready to use;
// its exported fields may be set before the first request.
type Bank struct {
	// Now is the bank's clock; nil means time.Now. Tests pin it.
	Now func() time.Time
	// SlowDelay is how long "slow-" logins wait; 0 means DefaultSlowDelay.
	SlowDelay time.Duration
	// MaxBodyBytes bounds a request body; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64

	mu    sync.Mutex
	flaky map[string]uint64 // requests seen per flaky login
}

// New returns a Bank with the default settings.
func New() *Bank { return &Bank{} }

func (b *Bank) now() time.Time {
	if b.Now != nil {
		return b.Now().UTC()
	}
	return time.Now().UTC()
}

// ServeHTTP answers one OFX request in the request's own version: SGML for
// 1.x, XML for 2.x.
func (b *Bank) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "demobank: OFX requests must be POSTed", http.StatusMethodNotAllowed)
		return
	}
	limit := b.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, fmt.Sprintf("demobank: request body over %d bytes", limit), http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "demobank: read request: "+err.Error(), http.StatusBadRequest)
		return
	}
	req, err := ofx.ParseRequest(bytes.NewReader(body))
	if err != nil {
		http.Error(w, "demobank: "+err.Error(), http.StatusBadRequest)
		return
	}

	login := strings.ToLower(req.SignOn.UserID)
	if strings.HasPrefix(login, "flaky-") && b.flakyFails(req.SignOn.UserID) {
		http.Error(w, "demobank: service unavailable, try again", http.StatusServiceUnavailable)
		return
	}
	if strings.HasPrefix(login, "slow-") {
		delay := b.SlowDelay
		if delay <= 0 {
			delay = DefaultSlowDelay
		}
		t := time.NewTimer(delay)
		select {
		case <-r.Context().Done():
			t.Stop()
			return
		case <-t.C:
		}
	}

	resp := b.Respond(req)
	w.Header().Set("Content-Type", "application/x-ofx")
	if err := ofx.WriteResponse(w, resp); err != nil {
		// Headers are gone; the client sees a truncated document.
		return
	}
}

// flakyFails counts a request of a flaky login and reports whether it is to
// fail: the first, the third and so on.
func (b *Bank) flakyFails(login string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.flaky == nil {
		b.flaky = map[string]uint64{}
	}
	n := b.flaky[login]
	b.flaky[login] = n + 1
	return n%2 == 0
}

// Respond is the bank's answer to a parsed request, without the network
// and the slow and flaky behaviours: the sign-on status, then the account
// list and statements asked for.
func (b *Bank) Respond(req *ofx.Request) *ofx.Response {
	now := b.now()
	resp := &ofx.Response{
		Version: req.Version,
		SignOn: ofx.SignOnResponse{
			Status:     ofx.Status{Code: ofx.StatusSuccess, Severity: "INFO"},
			ServerTime: now,
			Language:   "ENG",
			Org:        Org,
			FID:        FID,
		},
		AccountsTrnUID: req.AccountInfoTrnUID,
	}
	if resp.Version == 0 {
		resp.Version = 102
	}
	so := &req.SignOn
	switch {
	case so.UserID == "" || so.UserPass == "" || so.UserPass == "wrong":
		resp.SignOn.Status = ofx.Status{Code: ofx.StatusInvalidSignOn, Severity: "ERROR", Message: "Invalid user ID or password"}
		return resp
	case strings.HasPrefix(strings.ToLower(so.UserID), "locked-"):
		resp.SignOn.Status = ofx.Status{Code: ofx.StatusAccountLocked, Severity: "ERROR", Message: "This account is locked; call customer service"}
		return resp
	}

	g := newGen(so.UserID)
	if req.AccountInfo {
		resp.Accounts = accountInfos(g.p)
	}
	for _, sr := range req.Statements {
		k, ok := g.p.accountIndex(sr.Account.AccountID)
		if !ok || (sr.Account.Kind != "" && sr.Account.Kind != g.p.account(k).Kind) {
			resp.Statements = append(resp.Statements, ofx.Statement{
				TrnUID:  sr.TrnUID,
				Account: sr.Account,
				Status:  ofx.Status{Code: ofx.StatusAccountNotFound, Severity: "ERROR", Message: "No such account"},
			})
			continue
		}
		start, end := b.window(now, sr.Start, sr.End)
		st := g.statement(k, start, end, sr.IncludeTransactions)
		if IsInsightLogin(so.UserID) {
			st = insightStatement(so.UserID, k, now, start, end, sr.IncludeTransactions)
		}
		st.TrnUID = sr.TrnUID
		resp.Statements = append(resp.Statements, st)
	}
	return resp
}

func accountInfos(p *profile) []ofx.AccountInfo {
	out := make([]ofx.AccountInfo, numAccounts)
	for k := range out {
		out[k] = ofx.AccountInfo{Account: p.account(k), Currency: Currency}
	}
	return out
}

// Accounts returns the login's four accounts: checking, savings, credit card
// and investment, as the account-information response lists them.
func (b *Bank) Accounts(login string) []ofx.AccountInfo {
	return accountInfos(newProfile(login))
}

// HistoryStart is the first instant of the history the bank keeps at time
// now: midnight UTC, History months back.
func HistoryStart(now time.Time) time.Time {
	return time.Unix(int64(dayOf(now.AddDate(0, -History, 0)))*86400, 0).UTC()
}

// window clamps a requested range to the history kept: a zero or earlier
// start is the history's start, a zero or later end is now.
func (b *Bank) window(now, start, end time.Time) (time.Time, time.Time) {
	if first := HistoryStart(now); start.IsZero() || start.Before(first) {
		start = first
	}
	if end.IsZero() || end.After(now) {
		end = now
	}
	return start.UTC(), end.UTC()
}

// Statement returns what the bank answers for the login's account acct
// (matched on its AccountID) between start and end, both inclusive: zero
// start means the whole history, zero end means now. Its Ledger is the
// balance at the statement's End, which equals the Balance just before
// Start plus the sum of the transactions.
func (b *Bank) Statement(login string, acct ofx.Account, start, end time.Time) (ofx.Statement, error) {
	g := newGen(login)
	k, ok := g.p.accountIndex(acct.AccountID)
	if !ok {
		return ofx.Statement{}, tally.Errorf(tally.ENOTFOUND, "demo bank: login %q has no account %q", login, acct.AccountID)
	}
	start, end = b.window(b.now(), start, end)
	return g.statement(k, start, end, true), nil
}

// Statements returns the statements of all four of the login's accounts,
// in the order of Accounts, between start and end as Statement does. It is
// cheaper than four calls of Statement.
func (b *Bank) Statements(login string, start, end time.Time) []ofx.Statement {
	g := newGen(login)
	start, end = b.window(b.now(), start, end)
	out := make([]ofx.Statement, numAccounts)
	for k := range out {
		out[k] = g.statement(k, start, end, true)
	}
	return out
}

// Balance returns the balance of the login's account acct after every line
// posted at or before at: for a credit card, minus what is owed; for the
// investment account, its cash.
func (b *Bank) Balance(login string, acct ofx.Account, at time.Time) (int64, error) {
	g := newGen(login)
	k, ok := g.p.accountIndex(acct.AccountID)
	if !ok {
		return 0, tally.Errorf(tally.ENOTFOUND, "demo bank: login %q has no account %q", login, acct.AccountID)
	}
	return g.balance(k, at.UTC()), nil
}

// statement builds account k's statement for [start, end].
func (g *gen) statement(k int, start, end time.Time, withTransactions bool) ofx.Statement {
	st := ofx.Statement{Account: g.p.account(k), Currency: Currency, Start: start, End: end}
	if withTransactions && !end.Before(start) {
		first, last := dayOf(start).month(), dayOf(end).month()
		n := 0
		for mk := first; mk <= last; mk++ {
			n += len(g.month(k, mk).txns)
		}
		st.Transactions = make([]ofx.Transaction, 0, n)
		for mk := first; mk <= last; mk++ {
			for _, tx := range g.month(k, mk).txns {
				if !tx.Posted.Before(start) && !tx.Posted.After(end) {
					st.Transactions = append(st.Transactions, tx)
				}
			}
		}
	}
	bal := g.balance(k, end)
	st.Ledger = &ofx.Balance{Amount: bal, AsOf: end}
	switch k {
	case kChecking, kSavings:
		st.Available = &ofx.Balance{Amount: bal, AsOf: end}
	case kCard:
		st.Available = &ofx.Balance{Amount: g.p.creditLimit + bal, AsOf: end}
	case kInvestment:
		st.Positions = g.positions(end)
	}
	return st
}

// SyntheticStatement returns a checking-account statement of n transactions
// for benchmarks: demo merchants, a few paychecks, unique FITIDs, about
// max(5, n/3650) lines a day ending on 2026-01-01, the ledger balance the sum
// of the lines. The same n and seed always give the same statement.
func SyntheticStatement(n int, seed int64) ofx.Statement {
	g := newGen(fmt.Sprintf("synthetic-%d", seed))
	perDay := max(5, n/3650)
	end := dayOf(time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC))
	first := end - civil((n-1)/perDay)
	st := ofx.Statement{
		Account:      g.p.account(kChecking),
		Currency:     Currency,
		Start:        time.Unix(int64(first)*86400, 0).UTC(),
		End:          end.postedAt(),
		Transactions: make([]ofx.Transaction, 0, n),
	}
	var sum int64
	r := newRng(uint64(seed), 13)
	for i := range n {
		d := first + civil(i/perDay)
		var tx ofx.Transaction
		if r.intn(40) == 0 {
			tx = g.line(kChecking, d, mPayroll, g.p.payroll, "DIRECTDEP", g.p.pay, &r, seedOf(g.p.seed, uint64(mPayroll)), -1)
		} else {
			mi := purchaseIndexes[r.intn(len(purchaseIndexes))]
			tx = g.purchase(kChecking, d, mi, &r, r.intn(50) == 0)
		}
		tx.FITID = fmt.Sprintf("SYN%d-%09d", seed, i)
		sum += tx.Amount
		st.Transactions = append(st.Transactions, tx)
	}
	st.Ledger = &ofx.Balance{Amount: sum, AsOf: st.End}
	st.Available = &ofx.Balance{Amount: sum, AsOf: st.End}
	return st
}
