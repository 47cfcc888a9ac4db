package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/categorize"
	"github.com/tallyhq/tally/internal/metrics"
	"github.com/tallyhq/tally/internal/source"
)

// run is one sync's or import's pass through the pipeline for one user: the
// user's overrides and manual filings, loaded once, and per account the state that spans
// chunks (content-id occurrences, FITIDs seen).
type run struct {
	s        *Service
	userID   string
	ov       overrides
	history  *categorize.History
	accounts map[string]*accountRun // by account id
	rows     []tally.Transaction
	batch    []*tally.Transaction
}

// accountRun is what the pipeline remembers of one account's lines within a
// run, so ids do not depend on where chunks split.
type accountRun struct {
	acct        *tally.Account
	occurrences map[string]int       // content hash -> lines seen with it
	fitids      map[string]lineShape // FITID -> the first line that carried it
}

// lineShape tells two lines with one FITID apart.
type lineShape struct {
	date        int64
	amount      int64
	description string
}

func (s *Service) newRun(ctx context.Context, userID string) (*run, error) {
	ov, err := s.overridesFor(ctx, userID)
	if err != nil {
		return nil, err
	}
	manual, err := s.Store.ManualCategories(ctx, userID)
	if err != nil {
		return nil, err
	}
	return &run{s: s, userID: userID, ov: ov, history: categorize.NewHistory(manual), accounts: map[string]*accountRun{}}, nil
}

func (r *run) account(acct *tally.Account) *accountRun {
	ar := r.accounts[acct.ID]
	if ar == nil {
		ar = &accountRun{acct: acct, occurrences: map[string]int{}, fitids: map[string]lineShape{}}
		r.accounts[acct.ID] = ar
	}
	return ar
}

// checkValues refuses a statement whose balance or holding values are
// beyond ±tally.MaxAmount before any of it is stored (the store refuses
// them too, but only after the statement's lines were inserted).
func checkValues(balance *int64, holdings []tally.Holding, currency string) error {
	if balance != nil {
		if err := tally.CheckAmount("balance", *balance, currency); err != nil {
			return err
		}
	}
	for _, h := range holdings {
		if err := tally.CheckAmount("market value", h.MarketValue, currency); err != nil {
			return fmt.Errorf("holding %s: %w", h.SecurityID, err)
		}
	}
	return nil
}

// counts is what the pipeline did with some lines.
type counts struct {
	seen     int // lines handed to the pipeline
	inserted int // of which new
}

// statement stores a whole statement of a source that fetched it: for a
// source that lists pending lines, those already replaced by their posted
// twins are dropped, and after the insert the pending lines it no longer
// lists are replaced; then the balance is recorded.
func (r *run) statement(ctx context.Context, acct *tally.Account, st *source.Statement) (counts, error) {
	if err := checkValues(st.Balance, st.Holdings, st.Currency); err != nil {
		return counts{}, err
	}
	txs := st.Transactions
	if st.ListsPending {
		var pendingIDs []string
		for _, t := range txs {
			if t.Pending && t.FITID != "" {
				pendingIDs = append(pendingIDs, t.FITID)
			}
		}
		replaced, err := r.s.Store.MatchedPending(ctx, r.userID, acct.ID, pendingIDs)
		if err != nil {
			return counts{}, err
		}
		if len(replaced) > 0 {
			kept := make([]source.Transaction, 0, len(txs))
			for _, t := range txs {
				if !(t.Pending && replaced[t.FITID]) {
					kept = append(kept, t)
				}
			}
			txs = kept
		}
	}
	c, err := r.insert(ctx, acct, st.Currency, txs)
	if err != nil {
		return c, err
	}
	if st.ListsPending {
		stillPending := map[string]bool{}
		for _, t := range st.Transactions {
			if t.Pending {
				stillPending[t.FITID] = true
			}
		}
		matches, err := r.s.Store.ReplacePending(ctx, r.userID, acct.ID, stillPending)
		if err != nil {
			return c, err
		}
		for _, m := range matches {
			r.s.logger().InfoContext(ctx, "pending transaction posted", "user_id", r.userID, "account_id", acct.ID,
				"pending_id", m.PendingExternalID, "posted_id", m.PostedID, "pending_amount", m.PendingAmount, "posted_amount", m.PostedAmount)
		}
	}
	if st.Balance != nil {
		if err := r.s.Store.SetAccountBalance(ctx, r.userID, acct.ID, *st.Balance); err != nil {
			return c, err
		}
	}
	if err := r.s.recordStatement(ctx, acct, st); err != nil { // balances over time and holdings
		return c, err
	}
	return c, nil
}

// insert is the pipeline's one chunked insert loop: it turns lines into
// categorized transactions of acct and stores them a chunk at a time, each
// chunk one database transaction that skips lines already stored and adds
// the new ones to the monthly totals. currency is the lines' (the
// account's when empty).
func (r *run) insert(ctx context.Context, acct *tally.Account, currency string, txs []source.Transaction) (counts, error) {
	var c counts
	if currency == "" {
		currency = acct.Currency
	}
	ar := r.account(acct)
	if len(ar.fitids) == 0 && len(txs) > 64 {
		ar.fitids = make(map[string]lineShape, len(txs)) // no rehashing while a statement fills it
	}
	size := r.s.chunkSize()
	for i := 0; i < len(txs); i += size {
		part := txs[i:min(i+size, len(txs))]
		if cap(r.rows) < len(part) {
			r.rows = make([]tally.Transaction, len(part))
		}
		rows := r.rows[:len(part)]
		r.batch = r.batch[:0]
		for j := range part {
			r.convert(&rows[j], ar, &part[j], currency)
			r.batch = append(r.batch, &rows[j])
		}
		n, err := r.s.Store.InsertTransactions(ctx, r.userID, r.batch)
		if err != nil {
			return c, err
		}
		c.seen += len(r.batch)
		c.inserted += n
		metrics.TransactionsSeen.Add(float64(len(r.batch)))
		metrics.TransactionsInserted.Add(float64(n))
	}
	return c, nil
}

// convert fills t from the line: normalized merchant and its key,
// categorized by the engine with the user's manual filings, then the crowd,
// then the user's rules; its
// external id; and the line's own fields.
func (r *run) convert(t *tally.Transaction, ar *accountRun, l *source.Transaction, currency string) {
	cur := currency
	if l.Currency != "" {
		cur = l.Currency
	}
	typ := l.Type
	if typ == "" {
		typ = "DEBIT"
		if l.Amount > 0 {
			typ = "CREDIT"
		}
	}
	desc := strings.TrimSpace(l.Description)
	if desc == "" {
		desc = strings.TrimSpace(l.Memo)
	}
	res := r.s.Categorize.CategorizeWith(categorize.Input{Description: desc, Memo: l.Memo, Amount: l.Amount, Type: typ, MCC: l.MCC}, r.history)
	*t = tally.Transaction{
		AccountID:      ar.acct.ID,
		ExternalID:     ar.externalID(l),
		PostedOn:       l.Date,
		Amount:         l.Amount,
		Currency:       cur,
		Description:    desc,
		Merchant:       res.Merchant,
		MerchantKey:    res.Key,
		Category:       res.Category,
		CategorySource: res.Source,
		Pending:        l.Pending,
	}
	r.ov.apply(t, res.Key)
}

// externalID is the line's FITID, unless it has none or an earlier line of
// the run carried the same FITID for a different transaction (some banks
// repeat ids within a statement): then it is a content id.
func (ar *accountRun) externalID(l *source.Transaction) string {
	if l.FITID != "" {
		shape := lineShape{date: l.Date.Unix(), amount: l.Amount, description: l.Description}
		first, seen := ar.fitids[l.FITID]
		if !seen {
			ar.fitids[l.FITID] = shape
			return l.FITID
		}
		if first == shape {
			return l.FITID // the same line twice: stored once
		}
	}
	return contentID(ar.acct.ID, l, ar.occurrences)
}

// contentID identifies a line by its content plus an occurrence number, so
// two identical purchases on one day are both kept and importing the same
// document twice adds nothing.
func contentID(accountID string, l *source.Transaction, occurrences map[string]int) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%d|%s|%s|%s", accountID, l.Date.Format(tally.DateLayout), l.Amount, l.Description, l.Memo, l.CheckNum)
	sum := hex.EncodeToString(h.Sum(nil)[:12])
	occurrences[sum]++
	return "h:" + sum + ":" + strconv.Itoa(occurrences[sum])
}

// ImportStatement feeds one statement that a source already fetched and
// parsed into acct through the pipeline, and returns how many of its
// transactions were new.
func (s *Service) ImportStatement(ctx context.Context, acct *tally.Account, st *source.Statement) (int, error) {
	r, err := s.newRun(ctx, acct.UserID)
	if err != nil {
		return 0, err
	}
	c, err := r.statement(ctx, acct, st)
	return c.inserted, err
}
