package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
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

	// Fetch from the source and keep the raw answer, streamed to a
	// temporary file (never whole in memory), then parse it from there.
	fetchCtx, cancel := context.WithTimeout(ctx, s.fetchTimeout())
	var body io.ReadCloser
	ext := ".ofx"
	switch conn.Kind {
	case tally.ConnectionSimpleFIN:
		body, err = simplefin.Fetch(fetchCtx, s.client(), string(secret), start)
		ext = ".json"
	default:
		ids := make([]string, len(accounts))
		for i, a := range accounts {
			ids[i] = a.ExternalID
		}
		body, err = s.ofx().Fetch(fetchCtx, conn.URL, conn.Login, string(secret), ids, start)
	}
	var raw *blob.Spool
	if err == nil {
		raw, err = blob.NewSpool(body)
		body.Close()
	}
	cancel()
	if err != nil {
		return res, fmt.Errorf("ingest: fetch %s: %w", conn.URL, err)
	}
	defer raw.Close()
	key := raw.Key(blob.RawPrefix(userID), ext)
	if err := s.Blobs.Put(ctx, key, raw, raw.Size()); err != nil {
		return res, err
	}
	if err := s.Store.RecordRawDocument(ctx, userID, connectionID, key, raw.Size(), s.now()); err != nil {
		return res, err
	}
	if _, err := raw.Seek(0, io.SeekStart); err != nil {
		return res, err
	}

	r, err := s.newRun(ctx, userID)
	if err != nil {
		return res, err
	}
	byExternal := make(map[string]*tally.Account, len(accounts))
	for _, a := range accounts {
		byExternal[a.ExternalID] = a
	}
	account := func(st *source.Statement) (*tally.Account, error) {
		if acct := byExternal[st.Account.ExternalID]; acct != nil {
			return acct, nil
		}
		a := newAccount(st.Account)
		a.UserID, a.ConnectionID = userID, connectionID
		acct, err := s.Store.EnsureAccount(ctx, a)
		if err != nil {
			return nil, err
		}
		byExternal[acct.ExternalID] = acct
		return acct, nil
	}
	// The answer streams through the pipeline a chunk at a time; each
	// source's reader checks the whole answer before it hands anything out.
	var cur *statementRun
	var feedErr error
	feed := func(st *source.Statement, txs []source.Transaction, done bool) error {
		feedErr = func() error {
			if cur == nil {
				acct, err := account(st)
				if err != nil {
					return err
				}
				if cur, err = r.begin(ctx, acct, st); err != nil {
					return err
				}
			}
			err := cur.lines(ctx, txs)
			res.Seen += len(txs)
			res.Inserted += cur.inserted
			cur.inserted = 0
			if err != nil || !done {
				return err
			}
			err = cur.end(ctx, st)
			cur = nil
			return err
		}()
		return feedErr
	}
	if conn.Kind == tally.ConnectionSimpleFIN {
		var errs []string
		var skipped []error
		errs, skipped, err = simplefin.Read(raw, s.chunkSize(), s.now(), feed)
		if len(errs) > 0 {
			// The bridge's messages are informational (an institution it
			// could not reach this time); what it did send is stored.
			s.logger().WarnContext(ctx, "simplefin errors", "user_id", userID, "connection_id", conn.ID, "errors", errs)
		}
		for _, e := range skipped {
			s.logger().WarnContext(ctx, "simplefin transaction skipped", "user_id", userID, "connection_id", conn.ID, "error", e)
		}
	} else {
		err = ofxdirect.Read(raw, s.chunkSize(), feed)
	}
	if err != nil && err == feedErr {
		return res, err
	}
	if err != nil {
		return res, fmt.Errorf("ingest: parse %s: %w", key, err)
	}
	if err := s.Store.FinishSync(ctx, userID, connectionID, tally.StatusActive, ""); err != nil {
		return res, err
	}
	s.logger().InfoContext(ctx, "sync done", "user_id", userID, "connection_id", connectionID, "kind", conn.Kind,
		"seen", res.Seen, "inserted", res.Inserted, "raw_key", key)
	return res, nil
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
