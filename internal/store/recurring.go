package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/sqldb"
)

// MaxRecurringSeries caps how many series a user has; detection keeps the
// most confident.
const MaxRecurringSeries = 500

const recurringColumns = `user_id, id, series_key, merchant, category, currency, cadence, kind, amount, previous_amount, usual_amount,
	first_date, last_date, next_date, txn_count, confidence, state, user_status, detected_at, updated_at`

func scanRecurring(row interface{ Scan(...any) error }) (*tally.RecurringSeries, error) {
	var r tally.RecurringSeries
	var first, last, next sqldb.Date
	if err := row.Scan(&r.UserID, &r.ID, &r.Key, &r.Merchant, &r.Category, &r.Currency, &r.Cadence, &r.Kind, &r.Amount, &r.Previous, &r.Usual,
		&first, &last, &next, &r.Count, &r.Confidence, &r.State, &r.UserStatus, &r.DetectedAt, &r.UpdatedAt); err != nil {
		return nil, err
	}
	r.FirstDate, r.LastDate, r.NextDate = first.Time, last.Time, next.Time
	r.DetectedAt, r.UpdatedAt = r.DetectedAt.UTC(), r.UpdatedAt.UTC()
	return &r, nil
}

// RecurringSeries returns the user's series, soonest expected first.
func (s *Store) RecurringSeries(ctx context.Context, userID string) ([]*tally.RecurringSeries, error) {
	return s.queryRecurring(ctx, s.db.Reader(), `SELECT `+recurringColumns+` FROM recurring_series WHERE user_id = ? ORDER BY next_date, id LIMIT ?`,
		userID, MaxRecurringSeries)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (s *Store) queryRecurring(ctx context.Context, q querier, query string, args ...any) ([]*tally.RecurringSeries, error) {
	rows, err := q.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("store: recurring series: %w", err)
	}
	defer rows.Close()
	var out []*tally.RecurringSeries
	for rows.Next() {
		r, err := scanRecurring(rows)
		if err != nil {
			return nil, fmt.Errorf("store: recurring series: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: recurring series: %w", err)
	}
	return out, nil
}

// Recurring returns one of the user's series.
func (s *Store) Recurring(ctx context.Context, userID, id string) (*tally.RecurringSeries, error) {
	r, err := scanRecurring(s.db.Reader().QueryRowContext(ctx, s.q(`SELECT `+recurringColumns+` FROM recurring_series WHERE user_id = ? AND id = ?`), userID, id))
	if err != nil {
		return nil, notFound(err, "recurring series")
	}
	return r, nil
}

// SetRecurringStatus records the user's choice about a series: confirmed
// or ignored. Detection keeps it.
func (s *Store) SetRecurringStatus(ctx context.Context, userID, id, status string) (*tally.RecurringSeries, error) {
	if status != tally.RecurringConfirmed && status != tally.RecurringIgnored {
		return nil, tally.Errorf(tally.EINVALID, "status %q: want confirmed or ignored", status)
	}
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE recurring_series SET user_status = ?, updated_at = ? WHERE user_id = ? AND id = ?`),
		status, s.now(), userID, id)
	if err != nil {
		return nil, fmt.Errorf("store: set recurring status: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, tally.Errorf(tally.ENOTFOUND, "recurring series not found")
	}
	s.changed(ctx, userID)
	return s.Recurring(ctx, userID, id)
}

// SaveRecurring replaces the user's detected series with found, in one
// transaction: a series whose key is stored keeps its id, detection time
// and the user's choice; a stored series detection no longer finds is
// removed unless the user confirmed or ignored it. It returns the stored
// series and the keys that are new.
func (s *Store) SaveRecurring(ctx context.Context, userID string, found []tally.RecurringSeries) ([]*tally.RecurringSeries, map[string]bool, error) {
	return s.saveRecurring(ctx, userID, found, nil, nil)
}

// SaveRecurringOf is SaveRecurring for the series of some sellers only:
// found replaces the stored series of those sellers; every other stored
// series stays, its state set to what state says of it on the day (nil
// keeps it). It returns all the user's stored series and the keys that
// are new.
func (s *Store) SaveRecurringOf(ctx context.Context, userID string, found []tally.RecurringSeries, sellers map[string]bool,
	state func(*tally.RecurringSeries) string) ([]*tally.RecurringSeries, map[string]bool, error) {
	return s.saveRecurring(ctx, userID, found, sellers, state)
}

// saveRecurring replaces the stored series of sellers (all when nil) with
// found, and sets the state of the others; see SaveRecurringOf.
func (s *Store) saveRecurring(ctx context.Context, userID string, found []tally.RecurringSeries, sellers map[string]bool,
	state func(*tally.RecurringSeries) string) ([]*tally.RecurringSeries, map[string]bool, error) {
	if len(found) > MaxRecurringSeries {
		found = slices.Clone(found)
		slices.SortStableFunc(found, func(a, b tally.RecurringSeries) int { return b.Confidence - a.Confidence })
		found = found[:MaxRecurringSeries]
	}
	isNew := map[string]bool{}
	var out []*tally.RecurringSeries
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, userID)
		out, isNew = nil, map[string]bool{}
		old, err := s.queryRecurring(ctx, tx, `SELECT `+recurringColumns+` FROM recurring_series WHERE user_id = ?`+s.forUpdate(), userID)
		if err != nil {
			return err
		}
		byKey := map[string]*tally.RecurringSeries{}
		for _, r := range old {
			byKey[r.Key] = r
		}
		now := s.now()
		seen := map[string]bool{}
		for i := range found {
			r := found[i]
			if seen[r.Key] {
				continue
			}
			seen[r.Key] = true
			r.UserID, r.UpdatedAt = userID, now
			if o := byKey[r.Key]; o != nil {
				r.ID, r.DetectedAt, r.UserStatus = o.ID, o.DetectedAt, o.UserStatus
				_, err = tx.ExecContext(ctx, s.q(`UPDATE recurring_series SET merchant = ?, category = ?, currency = ?, cadence = ?, kind = ?,
					amount = ?, previous_amount = ?, usual_amount = ?, first_date = ?, last_date = ?, next_date = ?, txn_count = ?,
					confidence = ?, state = ?, updated_at = ? WHERE user_id = ? AND id = ?`),
					r.Merchant, r.Category, r.Currency, r.Cadence, r.Kind, r.Amount, r.Previous, r.Usual,
					r.FirstDate.Format(tally.DateLayout), r.LastDate.Format(tally.DateLayout), r.NextDate.Format(tally.DateLayout),
					r.Count, r.Confidence, r.State, now, userID, r.ID)
			} else {
				r.ID, r.DetectedAt = tally.NewID(), now
				isNew[r.Key] = true
				_, err = tx.ExecContext(ctx, s.q(`INSERT INTO recurring_series (`+recurringColumns+`)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
					userID, r.ID, r.Key, r.Merchant, r.Category, r.Currency, r.Cadence, r.Kind, r.Amount, r.Previous, r.Usual,
					r.FirstDate.Format(tally.DateLayout), r.LastDate.Format(tally.DateLayout), r.NextDate.Format(tally.DateLayout),
					r.Count, r.Confidence, r.State, r.UserStatus, now, now)
			}
			if err != nil {
				return fmt.Errorf("store: save recurring: %w", err)
			}
			out = append(out, &r)
		}
		for _, o := range old {
			if seen[o.Key] {
				continue
			}
			if sellers != nil && !sellers[o.Merchant] {
				// Not read this pass: kept, with its state as of now.
				if state != nil {
					if st := state(o); st != o.State {
						o.State, o.UpdatedAt = st, now
						if _, err := tx.ExecContext(ctx, s.q(`UPDATE recurring_series SET state = ?, updated_at = ? WHERE user_id = ? AND id = ?`),
							st, now, userID, o.ID); err != nil {
							return fmt.Errorf("store: save recurring: %w", err)
						}
					}
				}
				out = append(out, o)
				continue
			}
			if o.UserStatus != "" {
				out = append(out, o)
				continue
			}
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM recurring_series WHERE user_id = ? AND id = ?`), userID, o.ID); err != nil {
				return fmt.Errorf("store: save recurring: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return out, isNew, nil
}

// RecurringUsers returns up to limit ids of users with recurring series,
// after the given one, in order: the daily pass walks them.
func (s *Store) RecurringUsers(ctx context.Context, after string, limit int) ([]string, error) {
	rows, err := s.db.Reader().QueryContext(ctx, s.q(`SELECT DISTINCT user_id FROM recurring_series WHERE user_id > ? ORDER BY user_id LIMIT ?`), after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: recurring users: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: recurring users: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// MonthTransactionsOf returns the user's posted transactions of the month
// ("YYYY-MM") from the given sellers, capped at 1,000: the budget check
// reads them to tell expected bills from unusual charges.
func (s *Store) MonthTransactionsOf(ctx context.Context, userID, month string, merchants []string) ([]*tally.Transaction, error) {
	if len(merchants) == 0 {
		return nil, nil
	}
	start, err := parseMonthStart(month)
	if err != nil {
		return nil, err
	}
	merchants = merchants[:min(len(merchants), 400)]
	args := []any{userID, start.Format(tally.DateLayout), start.AddDate(0, 1, 0).Format(tally.DateLayout)}
	for _, m := range merchants {
		args = append(args, m)
	}
	rows, err := s.db.Reader().QueryContext(ctx, s.q(`SELECT `+txnColumns+` FROM transactions WHERE user_id = ? AND posted_on >= ? AND posted_on < ?
		AND NOT pending AND merchant IN (`+placeholders(len(merchants))+`) ORDER BY posted_on, id LIMIT 1000`), args...)
	if err != nil {
		return nil, fmt.Errorf("store: month transactions: %w", err)
	}
	defer rows.Close()
	var out []*tally.Transaction
	for rows.Next() {
		t, err := scanTxn(rows)
		if err != nil {
			return nil, fmt.Errorf("store: month transactions: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func parseMonthStart(month string) (time.Time, error) {
	t, err := time.Parse(tally.MonthLayout, month)
	if err != nil {
		return time.Time{}, tally.Errorf(tally.EINVALID, "month %q: want YYYY-MM", month)
	}
	return t, nil
}

// enqueueRecurringDetect enqueues a detection pass in the caller's
// transaction when added is set, and marks a pass due since now (a pass
// that started before this write does not clear it).
func (s *Store) enqueueRecurringDetect(ctx context.Context, tx *sql.Tx, userID string, added bool) error {
	if !added {
		return nil
	}
	queued, err := s.jobs.EnqueueRecurringDetectTx(ctx, tx, userID)
	if err != nil {
		return fmt.Errorf("store: enqueue recurring detection: %w", err)
	}
	if !queued {
		return nil
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO insight_runs (user_id, due_at, due_version) VALUES (?, ?, 1)
		ON CONFLICT (user_id) DO UPDATE SET due_at = excluded.due_at, due_version = insight_runs.due_version + 1`), userID, s.now()); err != nil {
		return fmt.Errorf("store: mark recurring detection due: %w", err)
	}
	return nil
}

// InsightVersion returns how many writes have asked for a pass for the
// user so far; a pass reads it before it reads the transactions.
func (s *Store) InsightVersion(ctx context.Context, userID string) (int64, error) {
	var v int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT due_version FROM insight_runs WHERE user_id = ?`), userID).Scan(&v)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: insight version: %w", err)
	}
	return v, nil
}

// InsightRan records that a pass has run which read the transactions after
// version (from InsightVersion): the pass is no longer due, unless a write
// asked for another since.
func (s *Store) InsightRan(ctx context.Context, userID string, version int64) error {
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO insight_runs (user_id, ran_at) VALUES (?, ?)
		ON CONFLICT (user_id) DO UPDATE SET ran_at = excluded.ran_at,
		due_at = CASE WHEN insight_runs.due_version = ? THEN NULL ELSE insight_runs.due_at END`), userID, s.now(), version)
	if err != nil {
		return fmt.Errorf("store: insight ran: %w", err)
	}
	return nil
}

// InsightDueSince returns since when a pass for the user has been due, nil
// when none is.
func (s *Store) InsightDueSince(ctx context.Context, userID string) (*time.Time, error) {
	var due sql.NullTime
	err := s.db.QueryRowContext(ctx, s.q(`SELECT due_at FROM insight_runs WHERE user_id = ?`), userID).Scan(&due)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: insight due: %w", err)
	}
	return nullTime(due), nil
}
