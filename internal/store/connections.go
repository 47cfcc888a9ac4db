package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/tallyhq/tally"
)

// CreateConnection stores a verified connection, its accounts and a sync job
// in one transaction: either all of it exists afterwards or none of it.
// secret is the encrypted credential.
func (s *Store) CreateConnection(ctx context.Context, c *tally.Connection, secret []byte, accounts []*tally.Account) error {
	now := s.now()
	if c.ID == "" {
		c.ID = tally.NewID()
	}
	c.CreatedAt = now
	if c.Status == "" {
		c.Status = tally.StatusSyncing
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, c.UserID)
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO connections (user_id, id, kind, url, login, secret, institution, fid, status, status_reason, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			c.UserID, c.ID, c.Kind, c.URL, c.Login, secret, c.Institution, c.FID, c.Status, c.StatusReason, now)
		if err != nil {
			return fmt.Errorf("store: create connection: %w", err)
		}
		for _, a := range accounts {
			a.UserID, a.ConnectionID = c.UserID, c.ID
			if err := s.insertAccount(ctx, tx, a); err != nil {
				return err
			}
		}
		if err := s.jobs.EnqueueSyncTx(ctx, tx, c.UserID, c.ID); err != nil {
			return fmt.Errorf("store: enqueue sync: %w", err)
		}
		return nil
	})
}

const connectionColumns = `user_id, id, kind, url, login, institution, fid, status, status_reason, last_synced_at, last_success_at, created_at, refresh_requested_at`

func scanConnection(row interface{ Scan(...any) error }) (*tally.Connection, error) {
	var c tally.Connection
	var synced, success, refresh sql.NullTime
	if err := row.Scan(&c.UserID, &c.ID, &c.Kind, &c.URL, &c.Login, &c.Institution, &c.FID, &c.Status, &c.StatusReason, &synced, &success, &c.CreatedAt, &refresh); err != nil {
		return nil, err
	}
	c.LastSyncedAt, c.LastSuccessAt, c.RefreshRequestedAt = nullTime(synced), nullTime(success), nullTime(refresh)
	c.CreatedAt = c.CreatedAt.UTC()
	return &c, nil
}

// Connections lists the user's connections, oldest first. A user has a
// handful; the list is capped all the same.
func (s *Store) Connections(ctx context.Context, userID string) ([]*tally.Connection, error) {
	rows, err := s.reader(ctx).QueryContext(ctx, s.q(`SELECT `+connectionColumns+` FROM connections WHERE user_id = ? ORDER BY id LIMIT 1000`), userID)
	if err != nil {
		return nil, fmt.Errorf("store: connections: %w", err)
	}
	defer rows.Close()
	var out []*tally.Connection
	for rows.Next() {
		c, err := scanConnection(rows)
		if err != nil {
			return nil, fmt.Errorf("store: connections: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: connections: %w", err)
	}
	return out, nil
}

// Connection returns one of the user's connections.
func (s *Store) Connection(ctx context.Context, userID, id string) (*tally.Connection, error) {
	c, err := scanConnection(s.reader(ctx).QueryRowContext(ctx, s.q(`SELECT `+connectionColumns+` FROM connections WHERE user_id = ? AND id = ?`), userID, id))
	if err != nil {
		return nil, notFound(err, "connection")
	}
	return c, nil
}

// ConnectionSecret returns the encrypted credential of a connection.
func (s *Store) ConnectionSecret(ctx context.Context, userID, id string) ([]byte, error) {
	var secret []byte
	err := s.reader(ctx).QueryRowContext(ctx, s.q(`SELECT secret FROM connections WHERE user_id = ? AND id = ?`), userID, id).Scan(&secret)
	if err != nil {
		return nil, notFound(err, "connection")
	}
	return secret, nil
}

// RequestSync enqueues a sync of one of the user's connections.
func (s *Store) RequestSync(ctx context.Context, userID, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, userID)
		var one int
		err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM connections WHERE user_id = ? AND id = ?`), userID, id).Scan(&one)
		if err != nil {
			return notFound(err, "connection")
		}
		if err := s.jobs.EnqueueSyncTx(ctx, tx, userID, id); err != nil {
			return fmt.Errorf("store: enqueue sync: %w", err)
		}
		return nil
	})
}

// StartSync marks a connection and its accounts as syncing.
func (s *Store) StartSync(ctx context.Context, userID, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, userID)
		// A sync retried after a crash finds the connection still syncing
		// and goes on counting; a new one starts from zero.
		res, err := tx.ExecContext(ctx, s.q(`UPDATE connections SET sync_inserted = CASE WHEN status = ? THEN sync_inserted ELSE 0 END,
			status = ?, status_reason = '' WHERE user_id = ? AND id = ?`), tally.StatusSyncing, tally.StatusSyncing, userID, id)
		if err != nil {
			return fmt.Errorf("store: start sync: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return tally.Errorf(tally.ENOTFOUND, "connection not found")
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE accounts SET status = ?, status_reason = '' WHERE user_id = ? AND connection_id = ?`), tally.StatusSyncing, userID, id)
		if err != nil {
			return fmt.Errorf("store: start sync: %w", err)
		}
		return nil
	})
}

// FinishSync records the outcome of a sync: on success (reason "") the
// connection and its accounts become active and last_success_at moves;
// otherwise they take the status and the reason. Budget checks wait for
// this: chunks of a running sync enqueue checks that raise nothing, and
// this transaction enqueues the check of the recent months.
func (s *Store) FinishSync(ctx context.Context, userID, id, status, reason string) error {
	now := s.now()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, userID)
		var err error
		if status == tally.StatusActive {
			_, err = tx.ExecContext(ctx, s.q(`UPDATE connections SET status = ?, status_reason = '', last_synced_at = ?, last_success_at = ? WHERE user_id = ? AND id = ?`),
				status, now, now, userID, id)
		} else {
			_, err = tx.ExecContext(ctx, s.q(`UPDATE connections SET status = ?, status_reason = ?, last_synced_at = ? WHERE user_id = ? AND id = ?`),
				status, reason, now, userID, id)
		}
		if err != nil {
			return fmt.Errorf("store: finish sync: %w", err)
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE accounts SET status = ?, status_reason = ?, last_synced_at = ? WHERE user_id = ? AND connection_id = ?`),
			status, reason, now, userID, id)
		if err != nil {
			return fmt.Errorf("store: finish sync: %w", err)
		}
		return s.enqueueBudgetChecks(ctx, tx, userID, []string{now.Format(tally.MonthLayout), now.AddDate(0, 0, -1).Format(tally.MonthLayout)})
	})
}

// UserSyncing reports whether any of the user's connections is in the
// middle of a sync.
func (s *Store) UserSyncing(ctx context.Context, userID string) (bool, error) {
	var syncing bool
	err := s.db.QueryRowContext(ctx, s.q(`SELECT EXISTS (SELECT 1 FROM connections WHERE user_id = ? AND status = ?)`), userID, tally.StatusSyncing).Scan(&syncing)
	if err != nil {
		return false, fmt.Errorf("store: user syncing: %w", err)
	}
	return syncing, nil
}

// DeleteConnection removes a connection with its accounts and transactions,
// taking their amounts out of the monthly totals in the same transaction,
// and the records of its raw documents and of files uploaded into its
// accounts. It returns the object-store keys that no remaining row names:
// delete those objects once it has returned.
func (s *Store) DeleteConnection(ctx context.Context, userID, id string) ([]string, error) {
	var orphans []string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, userID)
		orphans = nil
		var one int
		err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM connections WHERE user_id = ? AND id = ?`+s.forUpdate()), userID, id).Scan(&one)
		if err != nil {
			return notFound(err, "connection")
		}
		// Lock the accounts before reading their totals: a chunk being
		// inserted into one of them commits first and is counted, or
		// finds its account gone.
		if _, err := tx.ExecContext(ctx, s.q(`SELECT id FROM accounts WHERE user_id = ? AND connection_id = ?`+s.forUpdate()), userID, id); err != nil {
			return fmt.Errorf("store: delete connection: %w", err)
		}
		rows, err := tx.QueryContext(ctx, s.q(`SELECT `+s.monthOf("t.posted_on")+`, t.category, t.currency, SUM(t.amount), COUNT(*)
			FROM transactions t JOIN accounts a ON a.user_id = t.user_id AND a.id = t.account_id
			WHERE t.user_id = ? AND a.connection_id = ?
			GROUP BY 1, 2, 3`), userID, id)
		if err != nil {
			return fmt.Errorf("store: delete connection: %w", err)
		}
		deltas, err := scanTotals(rows)
		if err != nil {
			return fmt.Errorf("store: delete connection: %w", err)
		}
		for i := range deltas {
			deltas[i].Amount, deltas[i].Count = -deltas[i].Amount, -deltas[i].Count
		}
		if err := s.addTotals(ctx, tx, userID, deltas); err != nil {
			return err
		}
		if err := s.unpairConnection(ctx, tx, userID, id); err != nil {
			return err
		}
		if err := s.needFullInsight(ctx, tx, userID); err != nil {
			return err
		}
		keys, err := s.documentKeys(ctx, tx, userID, id, "")
		if err != nil {
			return err
		}
		// Children first, explicitly: the work is visible and does not
		// depend on foreign-key settings.
		for _, st := range []struct {
			query string
			args  []any
		}{
			{`DELETE FROM transactions WHERE user_id = ? AND account_id IN (SELECT id FROM accounts WHERE user_id = ? AND connection_id = ?)`, []any{userID, userID, id}},
			{`DELETE FROM transaction_matches WHERE user_id = ? AND account_id IN (SELECT id FROM accounts WHERE user_id = ? AND connection_id = ?)`, []any{userID, userID, id}},
			{`DELETE FROM account_balances WHERE user_id = ? AND account_id IN (SELECT id FROM accounts WHERE user_id = ? AND connection_id = ?)`, []any{userID, userID, id}},
			{`DELETE FROM holdings WHERE user_id = ? AND account_id IN (SELECT id FROM accounts WHERE user_id = ? AND connection_id = ?)`, []any{userID, userID, id}},
			{`DELETE FROM raw_documents WHERE user_id = ? AND connection_id = ?`, []any{userID, id}},
			{`DELETE FROM imports WHERE user_id = ? AND account_id IN (SELECT id FROM accounts WHERE user_id = ? AND connection_id = ?)`, []any{userID, userID, id}},
			{`DELETE FROM accounts WHERE user_id = ? AND connection_id = ?`, []any{userID, id}},
			{`DELETE FROM connections WHERE user_id = ? AND id = ?`, []any{userID, id}},
		} {
			if _, err := tx.ExecContext(ctx, s.q(st.query), st.args...); err != nil {
				return fmt.Errorf("store: delete connection: %w", err)
			}
		}
		orphans, err = s.unreferenced(ctx, tx, userID, keys)
		return err
	})
	if err != nil {
		return nil, err
	}
	return orphans, nil
}

// documentKeys returns the object-store keys of a connection's raw
// documents and of the files uploaded into its accounts (account, when not
// empty, narrows it to one account's uploads and no raw documents).
func (s *Store) documentKeys(ctx context.Context, tx *sql.Tx, userID, connectionID, account string) ([]string, error) {
	query := `SELECT blob_key FROM raw_documents WHERE user_id = ? AND connection_id = ?
		UNION SELECT blob_key FROM imports WHERE user_id = ? AND account_id IN (SELECT id FROM accounts WHERE user_id = ? AND connection_id = ?)`
	args := []any{userID, connectionID, userID, userID, connectionID}
	if account != "" {
		query, args = `SELECT blob_key FROM imports WHERE user_id = ? AND account_id = ?`, []any{userID, account}
	}
	return s.keys(ctx, tx, query, args...)
}

// unreferenced returns those of keys that no raw document or import of the
// user names any more.
func (s *Store) unreferenced(ctx context.Context, tx *sql.Tx, userID string, keys []string) ([]string, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	kept, err := s.keys(ctx, tx, `SELECT blob_key FROM raw_documents WHERE user_id = ? UNION SELECT blob_key FROM imports WHERE user_id = ?`, userID, userID)
	if err != nil {
		return nil, err
	}
	named := make(map[string]bool, len(kept))
	for _, k := range kept {
		named[k] = true
	}
	var out []string
	for _, k := range keys {
		if !named[k] {
			out = append(out, k)
		}
	}
	return out, nil
}

func (s *Store) keys(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("store: document keys: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("store: document keys: %w", err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: document keys: %w", err)
	}
	return out, nil
}

// RecordRawDocument notes that a raw institution response was stored under
// blobKey.
func (s *Store) RecordRawDocument(ctx context.Context, userID, connectionID, blobKey string, size int64, fetchedAt time.Time) error {
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO raw_documents (user_id, id, connection_id, blob_key, size, fetched_at) VALUES (?, ?, ?, ?, ?, ?)`),
		userID, tally.NewID(), connectionID, blobKey, size, fetchedAt.UTC())
	if err != nil {
		return fmt.Errorf("store: record raw document: %w", err)
	}
	return nil
}

// NoteSyncProblem shows why a sync that will be retried has not finished
// yet, on a connection still syncing.
func (s *Store) NoteSyncProblem(ctx context.Context, userID, id, reason string) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE connections SET status_reason = ? WHERE user_id = ? AND id = ? AND status = ?`),
		reason, userID, id, tally.StatusSyncing)
	if err != nil {
		return fmt.Errorf("store: note sync problem: %w", err)
	}
	return nil
}
