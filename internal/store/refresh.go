package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/tallyhq/tally"
)

// InactiveAfter is how long a user may stay away before their connections
// stop being refreshed every day. The first request after such an absence
// refreshes them at once.
const InactiveAfter = 30 * 24 * time.Hour

// RefreshCandidate is a connection the daily refresh may sync.
type RefreshCandidate struct {
	UserID        string
	ID            string
	URL           string
	LastSuccessAt *time.Time
}

// RefreshCandidates returns a page of connections, in (user_id, id) order
// after the given key, whose user was active since activeSince and whose
// last success is before dueBefore (or that never succeeded). Connections
// that need the user's attention (refused credentials, repeated failures)
// and the uploaded-files connection are left out.
func (s *Store) RefreshCandidates(ctx context.Context, activeSince, dueBefore time.Time, afterUser, afterID string, limit int) ([]RefreshCandidate, error) {
	rows, err := s.db.Reader().QueryContext(ctx, s.q(`SELECT c.user_id, c.id, c.url, c.last_success_at
		FROM connections c JOIN users u ON u.id = c.user_id
		WHERE (c.user_id, c.id) > (?, ?) AND u.last_active_at >= ?
		  AND c.kind <> ? AND c.status <> ?
		  AND (c.last_success_at IS NULL OR c.last_success_at < ?)
		ORDER BY c.user_id, c.id LIMIT ?`),
		afterUser, afterID, activeSince.UTC(), tally.ConnectionFile, tally.StatusNeedsAttention, dueBefore.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: refresh candidates: %w", err)
	}
	defer rows.Close()
	var out []RefreshCandidate
	for rows.Next() {
		var c RefreshCandidate
		var success sql.NullTime
		if err := rows.Scan(&c.UserID, &c.ID, &c.URL, &success); err != nil {
			return nil, fmt.Errorf("store: refresh candidates: %w", err)
		}
		c.LastSuccessAt = nullTime(success)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: refresh candidates: %w", err)
	}
	return out, nil
}

// RequestRefresh enqueues a sync the user asked for, at most once per
// cooldown per connection. Within the cooldown it returns how long to wait
// and an ERATELIMIT error. The time of the request is kept in the database,
// so the cooldown holds across processes.
func (s *Store) RequestRefresh(ctx context.Context, userID, id string, cooldown time.Duration) (time.Duration, error) {
	now := s.now()
	var wait time.Duration
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, userID)
		var kind string
		var last, refused sql.NullTime
		err := tx.QueryRowContext(ctx, s.q(`SELECT kind, refresh_requested_at, credentials_refused_at FROM connections WHERE user_id = ? AND id = ?`+s.forUpdate()), userID, id).Scan(&kind, &last, &refused)
		if err != nil {
			return notFound(err, "connection")
		}
		if kind == tally.ConnectionFile {
			return tally.Errorf(tally.EINVALID, "connection %s holds uploaded files; there is nothing to refresh", id)
		}
		if refused.Valid {
			return tally.Errorf(tally.ECONFLICT, "the institution refused this connection's login; update the credentials (PATCH /api/v1/connections/%s) before refreshing", id)
		}
		// One conditional UPDATE decides: of concurrent requests, however
		// their clocks differ, only one moves refresh_requested_at past the
		// cooldown.
		res, err := tx.ExecContext(ctx, s.q(`UPDATE connections SET refresh_requested_at = ?
			WHERE user_id = ? AND id = ? AND (refresh_requested_at IS NULL OR refresh_requested_at <= ?)`), now, userID, id, now.Add(-cooldown))
		if err != nil {
			return fmt.Errorf("store: request refresh: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			elapsed := time.Duration(0)
			if last.Valid {
				elapsed = max(now.Sub(last.Time), 0)
			}
			wait = cooldown - elapsed
			return tally.Errorf(tally.ERATELIMIT, "connection %s was refreshed %d seconds ago; try again in %d seconds",
				id, int(elapsed.Seconds()), int((wait + time.Second - 1).Seconds()))
		}
		if s.jobs == nil {
			return fmt.Errorf("store: request refresh: no job queue")
		}
		if err := s.jobs.EnqueueSyncTx(ctx, tx, userID, id); err != nil {
			return fmt.Errorf("store: enqueue sync: %w", err)
		}
		return nil
	})
	return wait, err
}

// welcomeBack records the return of a user who was away longer than
// InactiveAfter and, in the same transaction, enqueues a sync of each of
// their connections that can sync. Only the request that moves
// last_active_at does so, when several arrive at once.
func (s *Store) welcomeBack(ctx context.Context, u *tally.User, now time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, u.ID)
		res, err := tx.ExecContext(ctx, s.q(`UPDATE users SET last_active_at = ? WHERE id = ? AND last_active_at < ?`), now, u.ID, now.Add(-InactiveAfter))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		rows, err := tx.QueryContext(ctx, s.q(`SELECT id FROM connections WHERE user_id = ? AND kind <> ? AND status <> ? ORDER BY id LIMIT 1000`),
			u.ID, tally.ConnectionFile, tally.StatusNeedsAttention)
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			if err := s.jobs.EnqueueSyncTx(ctx, tx, u.ID, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: touch returning user: %w", err)
	}
	u.LastActiveAt = now
	return nil
}
