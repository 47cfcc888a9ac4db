package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/blob"
	"github.com/tallyhq/tally/internal/source"
	"github.com/tallyhq/tally/internal/source/ofxdirect"
	"github.com/tallyhq/tally/internal/source/simplefin"
)

// Result summarizes one sync.
type Result struct {
	Seen     int // transactions the institution sent
	Inserted int // of which new
}

// Sync extracts a connection's statements and stores what is new. A sync
// that dies part-way can simply run again: raw documents are
// content-addressed, and inserts skip transactions already stored.
func (s *Service) Sync(ctx context.Context, userID, connectionID string) (Result, error) {
	var res Result
	conn, err := s.Store.Connection(ctx, userID, connectionID)
	if err != nil {
		return res, err
	}
	sealed, err := s.Store.ConnectionSecret(ctx, userID, connectionID)
	if err != nil {
		return res, err
	}
	secret, err := s.Box.Open(sealed, []byte(conn.ID))
	if err != nil {
		return res, fmt.Errorf("ingest: connection %s: %w", conn.ID, err)
	}
	if err := s.Store.StartSync(ctx, userID, connectionID); err != nil {
		return res, err
	}
	accounts, err := s.Store.ConnectionAccounts(ctx, userID, connectionID)
	if err != nil {
		return res, err
	}
	var start time.Time
	if conn.LastSuccessAt != nil {
		start = conn.LastSuccessAt.Add(-s.overlap())
	}

	// Fetch from the source, keep the raw answer, then parse it.
	fetchCtx, cancel := context.WithTimeout(ctx, s.fetchTimeout())
	var raw []byte
	var ext string
	var parse func() ([]source.Statement, error)
	switch conn.Kind {
	case tally.ConnectionSimpleFIN:
		var set *simplefin.AccountSet
		set, raw, err = simplefin.Accounts(fetchCtx, s.client(), string(secret), start)
		ext = ".json"
		parse = func() ([]source.Statement, error) { return s.simpleFINStatements(ctx, conn, set), nil }
	default:
		ids := make([]string, len(accounts))
		for i, a := range accounts {
			ids[i] = a.ExternalID
		}
		raw, err = s.ofx().Fetch(fetchCtx, conn.URL, conn.Login, string(secret), ids, start)
		ext = ".ofx"
		parse = func() ([]source.Statement, error) { return ofxdirect.Parse(raw) }
	}
	cancel()
	if err != nil {
		return res, fmt.Errorf("ingest: fetch %s: %w", conn.URL, err)
	}
	key := blob.Key(blob.RawPrefix(userID), raw, ext)
	if err := s.Blobs.Put(ctx, key, bytes.NewReader(raw), int64(len(raw))); err != nil {
		return res, err
	}
	if err := s.Store.RecordRawDocument(ctx, userID, connectionID, key, int64(len(raw)), s.now()); err != nil {
		return res, err
	}
	statements, err := parse()
	if err != nil {
		return res, fmt.Errorf("ingest: parse %s: %w", key, err)
	}

	r, err := s.newRun(ctx, userID)
	if err != nil {
		return res, err
	}
	byExternal := make(map[string]*tally.Account, len(accounts))
	for _, a := range accounts {
		byExternal[a.ExternalID] = a
	}
	for i := range statements {
		st := &statements[i]
		acct := byExternal[st.Account.ExternalID]
		if acct == nil {
			a := newAccount(st.Account)
			a.UserID, a.ConnectionID = userID, connectionID
			if acct, err = s.Store.EnsureAccount(ctx, a); err != nil {
				return res, err
			}
			byExternal[acct.ExternalID] = acct
		}
		c, err := r.statement(ctx, acct, st)
		res.Seen += len(st.Transactions)
		res.Inserted += c.inserted
		if err != nil {
			return res, err
		}
	}
	if err := s.Store.FinishSync(ctx, userID, connectionID, tally.StatusActive, ""); err != nil {
		return res, err
	}
	s.logger().InfoContext(ctx, "sync done", "user_id", userID, "connection_id", connectionID, "kind", conn.Kind,
		"seen", res.Seen, "inserted", res.Inserted, "raw_key", key)
	return res, nil
}

// simpleFINStatements turns the bridge's answer into statements, logging
// the lines and bridge messages it cannot use.
func (s *Service) simpleFINStatements(ctx context.Context, conn *tally.Connection, set *simplefin.AccountSet) []source.Statement {
	if len(set.Errors) > 0 {
		// The bridge's messages are informational (an institution it
		// could not reach this time); what it did send is stored.
		s.logger().WarnContext(ctx, "simplefin errors", "user_id", conn.UserID, "connection_id", conn.ID, "errors", set.Errors)
	}
	out := make([]source.Statement, 0, len(set.Accounts))
	for _, a := range set.Accounts {
		st, skipped := simplefin.Statement(a, s.now())
		for _, err := range skipped {
			s.logger().WarnContext(ctx, "simplefin transaction skipped", "user_id", conn.UserID, "connection_id", conn.ID, "error", err)
		}
		out = append(out, st)
	}
	return out
}

// IsCredentialError reports whether err is the institution refusing the
// login, which retrying cannot fix.
func IsCredentialError(err error) bool {
	return ofxdirect.IsCredentialError(err) || errors.Is(err, simplefin.ErrAuth)
}

// Reason turns a sync error into the short explanation a user sees on a
// connection that needs attention.
func Reason(err error) string {
	if msg, ok := ofxdirect.Reason(err); ok {
		return msg
	}
	if errors.Is(err, simplefin.ErrAuth) {
		return "The SimpleFIN bridge revoked Tally's access. Connect again with a new setup token."
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "The institution did not answer in time."
	}
	return "Sync failed: " + tally.ErrorMessage(err)
}
