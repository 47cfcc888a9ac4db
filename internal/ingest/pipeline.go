package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/maphash"
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
	engine   *categorize.Engine     // s.engine(), taken at the first line
	accounts map[string]*accountRun // by account id
	rows     []tally.Transaction
	batch    []*tally.Transaction
}

// accountRun is what the pipeline remembers of one account's lines within a
// run, so ids do not depend on where chunks split. It keeps a few bytes per
// line (hashes), never the lines themselves: a 100,000-line statement costs
// a few MB here.
type accountRun struct {
	acct        *tally.Account
	seed        maphash.Seed
	occurrences map[contentKey]int // content id (without occurrence) -> lines seen with it
	fitids      map[uint64]uint64  // hash of a FITID -> hash of the first line that carried it
	buf         []byte             // scratch for content ids
}

// contentKey is the part of a content id that the line's content decides.
type contentKey [12]byte

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
		ar = &accountRun{acct: acct, seed: maphash.MakeSeed(), occurrences: map[contentKey]int{}, fitids: map[uint64]uint64{}}
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
	sr, err := r.begin(ctx, acct, st)
	if err != nil {
		return counts{}, err
	}
	if err := sr.lines(ctx, st.Transactions); err != nil {
		return sr.counts, err
	}
	return sr.counts, sr.end(ctx, st)
}

// statementRun is one statement on its way through the pipeline, its lines
// arriving a chunk at a time.
type statementRun struct {
	r            *run
	acct         *tally.Account
	currency     string
	listsPending bool
	replaced     map[string]bool // pending lines whose posted twins are stored
	stillPending map[string]bool // pending lines the statement lists
	counts
}

// begin starts a statement; st need not hold its lines, but it carries its
// balance and holdings, and for a source that lists pending lines it names
// them (PendingIDs, else Transactions). A statement whose balance or
// holding values are beyond ±tally.MaxAmount is refused here, before any of
// it is stored.
func (r *run) begin(ctx context.Context, acct *tally.Account, st *source.Statement) (*statementRun, error) {
	if err := checkValues(st.Balance, st.Holdings, st.Currency); err != nil {
		return nil, err
	}
	sr := &statementRun{r: r, acct: acct, currency: st.Currency, listsPending: st.ListsPending}
	if !st.ListsPending {
		return sr, nil
	}
	pendingIDs := st.PendingIDs
	if pendingIDs == nil {
		for _, t := range st.Transactions {
			if t.Pending && t.FITID != "" {
				pendingIDs = append(pendingIDs, t.FITID)
			}
		}
	}
	replaced, err := r.s.Store.MatchedPending(ctx, r.userID, acct.ID, pendingIDs)
	if err != nil {
		return nil, err
	}
	sr.replaced, sr.stillPending = replaced, map[string]bool{}
	return sr, nil
}

// lines stores a chunk of the statement's lines.
func (sr *statementRun) lines(ctx context.Context, txs []source.Transaction) error {
	if sr.listsPending {
		for _, t := range txs {
			if t.Pending {
				sr.stillPending[t.FITID] = true
			}
		}
		if len(sr.replaced) > 0 {
			kept := make([]source.Transaction, 0, len(txs))
			for _, t := range txs {
				if !(t.Pending && sr.replaced[t.FITID]) {
					kept = append(kept, t)
				}
			}
			txs = kept
		}
	}
	c, err := sr.r.insert(ctx, sr.acct, sr.currency, txs)
	sr.seen += c.seen
	sr.inserted += c.inserted
	return err
}

// end finishes the statement: pending lines it no longer lists are replaced
// by their posted twins, then what st says after its lines is recorded.
func (sr *statementRun) end(ctx context.Context, st *source.Statement) error {
	r := sr.r
	if sr.listsPending {
		matches, err := r.s.Store.ReplacePending(ctx, r.userID, sr.acct.ID, sr.stillPending)
		if err != nil {
			return err
		}
		for _, m := range matches {
			r.s.logger().InfoContext(ctx, "pending transaction posted", "user_id", r.userID, "account_id", sr.acct.ID,
				"pending_id", m.PendingExternalID, "posted_id", m.PostedID, "pending_amount", m.PendingAmount, "posted_amount", m.PostedAmount)
		}
	}
	return r.finishStatement(ctx, sr.acct, st)
}

// finishStatement records what a statement says after its lines: the
// account's balance, and balances over time and holdings.
func (r *run) finishStatement(ctx context.Context, acct *tally.Account, st *source.Statement) error {
	if st.Balance != nil {
		if err := r.s.Store.SetAccountBalance(ctx, r.userID, acct.ID, *st.Balance); err != nil {
			return err
		}
	}
	return r.s.recordStatement(ctx, acct, st)
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
		ar.fitids = make(map[uint64]uint64, len(txs)) // no rehashing while a statement fills it
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
	if r.engine == nil {
		r.engine = r.s.engine()
	}
	res := r.engine.CategorizeWith(categorize.Input{Description: desc, Memo: l.Memo, Amount: l.Amount, Type: typ, MCC: l.MCC}, r.history)
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
// repeat ids within a statement): then it is a content id. Lines are told
// apart by their date, amount and description, compared by a 64-bit hash:
// two different lines taken for one would need a collision of both the
// FITID's and the line's hash.
func (ar *accountRun) externalID(l *source.Transaction) string {
	if l.FITID != "" {
		id := maphash.String(ar.seed, l.FITID)
		shape := ar.shape(l)
		first, seen := ar.fitids[id]
		if !seen {
			ar.fitids[id] = shape
			return l.FITID
		}
		if first == shape {
			return l.FITID // the same line twice: stored once
		}
	}
	return ar.contentID(l)
}

// shape hashes what tells two lines with one FITID apart.
func (ar *accountRun) shape(l *source.Transaction) uint64 {
	var h maphash.Hash
	h.SetSeed(ar.seed)
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], uint64(l.Date.Unix()))
	binary.LittleEndian.PutUint64(b[8:], uint64(l.Amount))
	h.Write(b[:])
	h.WriteString(l.Description)
	return h.Sum64()
}

// contentID identifies a line by its content plus an occurrence number, so
// two identical purchases on one day are both kept and importing the same
// document twice adds nothing: "h:" and the hex of the first 12 bytes of the
// SHA-256 of "account|date|amount|description|memo|checknum", then ":" and
// the occurrence. Stored ids depend on this exact form.
func (ar *accountRun) contentID(l *source.Transaction) string {
	b := ar.buf[:0]
	b = append(b, ar.acct.ID...)
	b = append(b, '|')
	b = l.Date.AppendFormat(b, tally.DateLayout)
	b = append(b, '|')
	b = strconv.AppendInt(b, l.Amount, 10)
	for _, f := range [...]string{l.Description, l.Memo, l.CheckNum} {
		b = append(b, '|')
		b = append(b, f...)
	}
	ar.buf = b
	sum := sha256.Sum256(b)
	key := contentKey(sum[:len(contentKey{})])
	ar.occurrences[key]++
	id := make([]byte, 0, 2+2*len(key)+1+4)
	id = append(id, "h:"...)
	id = hex.AppendEncode(id, key[:])
	id = append(id, ':')
	id = strconv.AppendInt(id, int64(ar.occurrences[key]), 10)
	return string(id)
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
