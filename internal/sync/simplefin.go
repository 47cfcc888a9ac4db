package sync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/blob"
	"github.com/tallyhq/tally/internal/metrics"
	"github.com/tallyhq/tally/internal/ofx"
	"github.com/tallyhq/tally/internal/source/simplefin"
)

// simpleFINError maps a bridge failure to what the user sees.
func simpleFINError(err error) error {
	var se *simplefin.StatusError
	var ne net.Error
	switch {
	case errors.Is(err, simplefin.ErrAuth):
		return tally.Errorf(tally.EUNPROCESSABLE, "the SimpleFIN bridge refused the setup token (a token can be claimed only once; create a new one)")
	case errors.Is(err, context.DeadlineExceeded):
		return tally.Errorf(tally.EUPSTREAM, "the SimpleFIN bridge did not answer in time")
	case errors.As(err, &se):
		return tally.Errorf(tally.EUPSTREAM, "the SimpleFIN bridge answered HTTP %d", se.Status)
	case errors.As(err, &ne):
		return tally.Errorf(tally.EUPSTREAM, "could not reach the SimpleFIN bridge")
	}
	return tally.Errorf(tally.EINVALID, "%s", strings.TrimPrefix(err.Error(), "simplefin: "))
}

// connectSimpleFIN claims the setup token, reads the account list and
// stores the connection with the access URL sealed as its secret.
func (s *Service) connectSimpleFIN(ctx context.Context, userID string, req ConnectRequest) (*tally.Connection, []*tally.Account, error) {
	if strings.TrimSpace(req.SetupToken) == "" {
		return nil, nil, tally.Errorf(tally.EINVALID, "setup_token is required")
	}
	timeout := s.ConnectTimeout
	if timeout == 0 {
		timeout = DefaultConnectTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	access, err := simplefin.Claim(ctx, s.HTTP, req.SetupToken)
	if err != nil {
		return nil, nil, simpleFINError(err)
	}
	// Only the account list is needed now; the first sync reads history.
	set, _, err := simplefin.Accounts(ctx, s.HTTP, access, s.now())
	if err != nil {
		return nil, nil, simpleFINError(err)
	}
	if len(set.Accounts) == 0 {
		return nil, nil, tally.Errorf(tally.EUNPROCESSABLE, "the SimpleFIN bridge reports no accounts%s", bridgeErrors(set))
	}
	u, _ := url.Parse(access)
	conn := &tally.Connection{
		ID:          tally.NewID(),
		UserID:      userID,
		Kind:        tally.ConnectionSimpleFIN,
		URL:         simplefin.Redact(access),
		Login:       u.User.Username(),
		Institution: set.Accounts[0].Org.Name,
		Status:      tally.StatusSyncing,
	}
	if conn.Institution == "" {
		conn.Institution = "SimpleFIN"
	}
	accounts := make([]*tally.Account, 0, len(set.Accounts))
	for _, a := range set.Accounts {
		accounts = append(accounts, simpleFINAccount(a))
	}
	sealed := s.Box.Seal([]byte(access), []byte(conn.ID))
	if err := s.Store.CreateConnection(ctx, conn, sealed, accounts); err != nil {
		return nil, nil, err
	}
	s.logger().InfoContext(ctx, "connection created", "user_id", userID, "connection_id", conn.ID, "kind", conn.Kind, "accounts", len(accounts))
	return conn, accounts, nil
}

func bridgeErrors(set *simplefin.AccountSet) string {
	if len(set.Errors) == 0 {
		return ""
	}
	return ": " + strings.Join(set.Errors, "; ")
}

func simpleFINCurrency(c string) string {
	c = strings.ToUpper(strings.TrimSpace(c))
	if len(c) != 3 {
		return "USD" // custom currencies are URLs; Tally keeps ISO codes
	}
	return c
}

func simpleFINAccount(a simplefin.Account) *tally.Account {
	cur := simpleFINCurrency(a.Currency)
	name := strings.ToLower(a.Name)
	typ := tally.AccountOther
	switch {
	case strings.Contains(name, "credit") || strings.Contains(name, "card") || strings.Contains(name, "visa"):
		typ = tally.AccountCreditCard
	case strings.Contains(name, "saving"):
		typ = tally.AccountSavings
	case strings.Contains(name, "checking"):
		typ = tally.AccountChecking
	}
	mask := a.ID
	if len(mask) > 4 {
		mask = mask[len(mask)-4:]
	}
	bal, _ := tally.ParseAmount(a.Balance, cur)
	return &tally.Account{ExternalID: "sfin:" + a.ID, Name: a.Name, Type: typ, Mask: mask, Currency: cur, Balance: bal, Status: tally.StatusSyncing}
}

// syncSimpleFIN reads a SimpleFIN connection's accounts and transactions
// since its last success minus the overlap window.
func (s *Service) syncSimpleFIN(ctx context.Context, conn *tally.Connection, access string) (Result, error) {
	var res Result
	userID := conn.UserID
	if err := s.Store.StartSync(ctx, userID, conn.ID); err != nil {
		return res, err
	}
	accounts, err := s.Store.ConnectionAccounts(ctx, userID, conn.ID)
	if err != nil {
		return res, err
	}
	byExternal := make(map[string]*tally.Account, len(accounts))
	for _, a := range accounts {
		byExternal[a.ExternalID] = a
	}
	var start time.Time
	if conn.LastSuccessAt != nil {
		overlap := s.Overlap
		if overlap == 0 {
			overlap = DefaultOverlap
		}
		start = conn.LastSuccessAt.Add(-overlap)
	}
	timeout := s.FetchTimeout
	if timeout == 0 {
		timeout = DefaultFetchTimeout
	}
	fetchCtx, cancel := context.WithTimeout(ctx, timeout)
	set, raw, err := simplefin.Accounts(fetchCtx, s.HTTP, access, start)
	cancel()
	if err != nil {
		return res, fmt.Errorf("sync: fetch %s: %w", conn.URL, err)
	}
	key := blob.Key("raw/"+userID, raw, ".json")
	if err := s.Blobs.Put(ctx, key, bytes.NewReader(raw), int64(len(raw))); err != nil {
		return res, err
	}
	if err := s.Store.RecordRawDocument(ctx, userID, conn.ID, key, int64(len(raw)), s.now()); err != nil {
		return res, err
	}
	for _, sa := range set.Accounts {
		na := simpleFINAccount(sa)
		acct := byExternal[na.ExternalID]
		if acct == nil {
			na.UserID, na.ConnectionID = userID, conn.ID
			if acct, err = s.Store.EnsureAccount(ctx, na); err != nil {
				return res, err
			}
		}
		n, err := s.insertSimpleFIN(ctx, acct, sa)
		res.Seen += len(sa.Transactions)
		res.Inserted += n
		if err != nil {
			return res, err
		}
		stillPending := map[string]bool{}
		for _, t := range sa.Transactions {
			if t.Pending {
				stillPending[t.ID] = true
			}
		}
		matches, err := s.Store.ReplacePending(ctx, userID, acct.ID, stillPending)
		if err != nil {
			return res, err
		}
		for _, m := range matches {
			s.logger().InfoContext(ctx, "pending transaction posted", "user_id", userID, "account_id", acct.ID,
				"pending_id", m.PendingExternalID, "posted_id", m.PostedID, "pending_amount", m.PendingAmount, "posted_amount", m.PostedAmount)
		}
		if err := s.Store.SetAccountBalance(ctx, userID, acct.ID, na.Balance); err != nil {
			return res, err
		}
	}
	if len(set.Errors) > 0 {
		// The bridge's messages are informational (an institution it
		// could not reach this time); what it did send is stored.
		s.logger().WarnContext(ctx, "simplefin errors", "user_id", userID, "connection_id", conn.ID, "errors", set.Errors)
	}
	if err := s.Store.FinishSync(ctx, userID, conn.ID, tally.StatusActive, ""); err != nil {
		return res, err
	}
	s.logger().InfoContext(ctx, "sync done", "user_id", userID, "connection_id", conn.ID, "seen", res.Seen, "inserted", res.Inserted, "raw_key", key)
	return res, nil
}

func (s *Service) insertSimpleFIN(ctx context.Context, acct *tally.Account, sa simplefin.Account) (int, error) {
	chunk := s.ChunkSize
	if chunk <= 0 {
		chunk = DefaultChunkSize
	}
	cur := simpleFINCurrency(sa.Currency)
	ov, err := s.overridesFor(ctx, acct.UserID)
	if err != nil {
		return 0, err
	}
	inserted := 0
	occ := map[string]int{}
	// A pending transaction already replaced by its posted twin is not
	// stored again if the bridge repeats it.
	var pendingIDs []string
	for _, t := range sa.Transactions {
		if t.Pending {
			pendingIDs = append(pendingIDs, t.ID)
		}
	}
	replaced, err := s.Store.MatchedPending(ctx, acct.UserID, acct.ID, pendingIDs)
	if err != nil {
		return 0, err
	}
	for i := 0; i < len(sa.Transactions); i += chunk {
		part := sa.Transactions[i:min(i+chunk, len(sa.Transactions))]
		rows := make([]tally.Transaction, 0, len(part))
		for _, st := range part {
			if st.Pending && replaced[st.ID] {
				continue
			}
			amt, err := tally.ParseAmount(st.Amount, cur)
			if err != nil {
				s.logger().WarnContext(ctx, "simplefin transaction skipped", "user_id", acct.UserID, "account_id", acct.ID, "transaction", st.ID, "error", err)
				continue
			}
			when := st.Posted
			if when == 0 {
				when = st.TransactedAt
			}
			posted := s.now().UTC()
			if when != 0 {
				posted = time.Unix(when, 0).UTC()
			}
			typ := "DEBIT"
			if amt > 0 {
				typ = "CREDIT"
			}
			name := st.Payee
			if name == "" {
				name = st.Description
			}
			ot := ofx.Transaction{Type: typ, Posted: posted, Amount: amt, FITID: st.ID, Name: name, Memo: st.Memo}
			if st.Payee != "" && st.Memo == "" {
				ot.Memo = st.Description
			}
			var t tally.Transaction
			ov.apply(&t, s.convert(&t, acct, &ot, cur, occ))
			t.Pending = st.Pending
			rows = append(rows, t)
		}
		batch := make([]*tally.Transaction, len(rows))
		for j := range rows {
			batch[j] = &rows[j]
		}
		n, err := s.Store.InsertTransactions(ctx, acct.UserID, batch)
		if err != nil {
			return inserted, err
		}
		inserted += n
		metrics.TransactionsSeen.Add(float64(len(batch)))
		metrics.TransactionsInserted.Add(float64(n))
	}
	return inserted, nil
}
