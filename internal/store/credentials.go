package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tallyhq/tally"
)

// UpdateCredentials stores a connection's new login and encrypted secret,
// clears a needs-attention status and enqueues a sync, in one transaction.
func (s *Store) UpdateCredentials(ctx context.Context, userID, id, login string, secret []byte) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, userID)
		res, err := tx.ExecContext(ctx, s.q(`UPDATE connections SET login = ?, secret = ?, status = ?, status_reason = '', credentials_refused_at = NULL WHERE user_id = ? AND id = ? AND kind <> ?`),
			login, secret, tally.StatusSyncing, userID, id, tally.ConnectionFile)
		if err != nil {
			return fmt.Errorf("store: update credentials: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return tally.Errorf(tally.ENOTFOUND, "connection not found")
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE accounts SET status = ?, status_reason = '' WHERE user_id = ? AND connection_id = ?`),
			tally.StatusSyncing, userID, id); err != nil {
			return fmt.Errorf("store: update credentials: %w", err)
		}
		if err := s.jobs.EnqueueSyncTx(ctx, tx, userID, id); err != nil {
			return fmt.Errorf("store: enqueue sync: %w", err)
		}
		return nil
	})
}

// MarkCredentialsRefused records that the institution refused the stored
// login: the connection is not synced again, not even on request, until
// UpdateCredentials.
func (s *Store) MarkCredentialsRefused(ctx context.Context, userID, id string) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE connections SET credentials_refused_at = ? WHERE user_id = ? AND id = ?`), s.now(), userID, id)
	if err != nil {
		return fmt.Errorf("store: mark credentials refused: %w", err)
	}
	s.changed(ctx, userID)
	return nil
}
