package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tallyhq/tally"
)

// enqueueBudgetChecks enqueues a check of each month, in the caller's
// transaction.
func (s *Store) enqueueBudgetChecks(ctx context.Context, tx *sql.Tx, userID string, months []string) error {
	seen := map[string]bool{}
	for _, m := range months {
		if m == "" || seen[m] {
			continue
		}
		seen[m] = true
		if err := s.jobs.EnqueueBudgetCheckTx(ctx, tx, userID, m); err != nil {
			return fmt.Errorf("store: enqueue budget check: %w", err)
		}
	}
	return nil
}

// recentMonths lists the distinct months of a set of total deltas that can
// still raise alerts: the current month in some time zone (yesterday in UTC
// may still be last month somewhere). Older history (a first sync brings
// two years) raises no alert and needs no check.
func (s *Store) recentMonths(ds []tally.MonthlyTotal) []string {
	oldest := s.now().AddDate(0, 0, -1).Format(tally.MonthLayout)
	var out []string
	for _, d := range ds {
		if d.Month >= oldest && (len(out) == 0 || out[len(out)-1] != d.Month) {
			out = append(out, d.Month)
		}
	}
	return out
}

const profileQuery = `SELECT u.time_zone, COALESCE(p.monthly_income, 0), COALESCE(p.currency, ''), COALESCE(p.notify_email, ''),
	COALESCE(p.webhook_url, ''), p.webhook_secret, COALESCE(p.webhook_failures, 0), p.webhook_disabled_at,
	COALESCE(p.approaching_percent, 0), COALESCE(p.channels, ''), p.updated_at
	FROM users u LEFT JOIN profiles p ON p.user_id = u.id WHERE u.id = ?`

func scanProfile(row *sql.Row, userID string) (*tally.Profile, error) {
	p := &tally.Profile{UserID: userID}
	var disabled, updated sql.NullTime
	var channels string
	if err := row.Scan(&p.TimeZone, &p.MonthlyIncome, &p.Currency, &p.NotifyEmail, &p.WebhookURL, &p.WebhookSecret,
		&p.WebhookFailures, &disabled, &p.ApproachingPercent, &channels, &updated); err != nil {
		return nil, notFound(err, "user")
	}
	p.WebhookDisabledAt = nullTime(disabled)
	if updated.Valid {
		p.UpdatedAt = updated.Time.UTC()
	}
	if p.Currency == "" {
		p.Currency = "USD"
	}
	if p.ApproachingPercent == 0 {
		p.ApproachingPercent = 80
	}
	if channels != "" {
		if err := json.Unmarshal([]byte(channels), &p.Channels); err != nil {
			return nil, fmt.Errorf("store: profile channels: %w", err)
		}
	}
	return p, nil
}

// Profile returns the user's profile; a user who never set one gets the
// defaults.
func (s *Store) Profile(ctx context.Context, userID string) (*tally.Profile, error) {
	return scanProfile(s.reader(ctx).QueryRowContext(ctx, s.q(profileQuery), userID), userID)
}

// UpdateProfile changes the user's profile with fn in one transaction,
// writes its time zone to the user, and enqueues a check of month, since
// the income and the threshold change budgets and alerts.
func (s *Store) UpdateProfile(ctx context.Context, userID, month string, fn func(p *tally.Profile) error) (*tally.Profile, error) {
	var out *tally.Profile
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, userID)
		lock := ""
		if s.forUpdate() != "" {
			lock = " FOR UPDATE OF u"
		}
		p, err := scanProfile(tx.QueryRowContext(ctx, s.q(profileQuery+lock), userID), userID)
		if err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
		if err := tally.CheckAmount("monthly_income", p.MonthlyIncome, p.Currency); err != nil {
			return err
		}
		p.UpdatedAt = s.now()
		var channels []byte
		if p.Channels != nil {
			channels, _ = json.Marshal(p.Channels)
		}
		var disabled sql.NullTime
		if p.WebhookDisabledAt != nil {
			disabled = sql.NullTime{Time: *p.WebhookDisabledAt, Valid: true}
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO profiles (user_id, monthly_income, currency, notify_email, webhook_url, webhook_secret,
			webhook_failures, webhook_disabled_at, approaching_percent, channels, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET monthly_income = excluded.monthly_income, currency = excluded.currency,
			notify_email = excluded.notify_email, webhook_url = excluded.webhook_url, webhook_secret = excluded.webhook_secret,
			webhook_failures = excluded.webhook_failures, webhook_failing_since = NULL, webhook_disabled_at = excluded.webhook_disabled_at,
			approaching_percent = excluded.approaching_percent, channels = excluded.channels, updated_at = excluded.updated_at`),
			userID, p.MonthlyIncome, p.Currency, p.NotifyEmail, p.WebhookURL, p.WebhookSecret, p.WebhookFailures, disabled,
			p.ApproachingPercent, string(channels), p.UpdatedAt)
		if err != nil {
			return fmt.Errorf("store: update profile: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE users SET time_zone = ? WHERE id = ?`), p.TimeZone, userID); err != nil {
			return fmt.Errorf("store: update profile: %w", err)
		}
		out = p
		return s.enqueueBudgetChecks(ctx, tx, userID, []string{month})
	})
	return out, err
}

// Budgets returns the user's manual budgets by category.
func (s *Store) Budgets(ctx context.Context, userID string) (map[string]int64, error) {
	rows, err := s.reader(ctx).QueryContext(ctx, s.q(`SELECT category, amount FROM budgets WHERE user_id = ?`), userID)
	if err != nil {
		return nil, fmt.Errorf("store: budgets: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var c string
		var a int64
		if err := rows.Scan(&c, &a); err != nil {
			return nil, fmt.Errorf("store: budgets: %w", err)
		}
		out[c] = a
	}
	return out, rows.Err()
}

// SetBudget stores a manual budget and enqueues a check of month.
func (s *Store) SetBudget(ctx context.Context, userID, category string, amount int64, currency, month string) error {
	if err := tally.CheckAmount("amount", amount, currency); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, userID)
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO budgets (user_id, category, amount, currency, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (user_id, category) DO UPDATE SET amount = excluded.amount, currency = excluded.currency, updated_at = excluded.updated_at`),
			userID, category, amount, currency, s.now())
		if err != nil {
			return fmt.Errorf("store: set budget: %w", err)
		}
		return s.enqueueBudgetChecks(ctx, tx, userID, []string{month})
	})
}

// DeleteBudget removes a manual budget, so the category goes back to its
// recommendation, and enqueues a check of month.
func (s *Store) DeleteBudget(ctx context.Context, userID, category, month string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, userID)
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM budgets WHERE user_id = ? AND category = ?`), userID, category); err != nil {
			return fmt.Errorf("store: delete budget: %w", err)
		}
		return s.enqueueBudgetChecks(ctx, tx, userID, []string{month})
	})
}

// BudgetTotals returns the user's monthly totals from month from to month to
// (inclusive) in one range read of the totals' primary key, and the first
// month the user has any total in.
func (s *Store) BudgetTotals(ctx context.Context, userID, from, to string) ([]tally.MonthlyTotal, string, error) {
	// The first month rides along as one more row (count -1, no
	// category), so the range and it are one statement.
	rows, err := s.reader(ctx).QueryContext(ctx, s.q(`SELECT month, category, currency, amount, count FROM monthly_totals
		WHERE user_id = ? AND month >= ? AND month <= ?
		UNION ALL SELECT MIN(month), '', '', 0, -1 FROM monthly_totals WHERE user_id = ?`), userID, from, to, userID)
	if err != nil {
		return nil, "", fmt.Errorf("store: budget totals: %w", err)
	}
	defer rows.Close()
	var out []tally.MonthlyTotal
	first := ""
	for rows.Next() {
		var t tally.MonthlyTotal
		var month sql.NullString
		if err := rows.Scan(&month, &t.Category, &t.Currency, &t.Amount, &t.Count); err != nil {
			return nil, "", fmt.Errorf("store: budget totals: %w", err)
		}
		if t.Count == -1 && t.Category == "" {
			first = month.String
			continue
		}
		t.Month = month.String
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("store: budget totals: %w", err)
	}
	return out, first, nil
}

// AddNotifications stores notifications that do not exist yet (same user,
// kind, category, month and key) and, in the same transaction, enqueues
// their delivery to the outside channels channels(kind) names. It returns
// the ones that were new; running it twice adds nothing the second time.
func (s *Store) AddNotifications(ctx context.Context, userID string, ns []*tally.Notification, channels func(kind string) []string) ([]*tally.Notification, error) {
	var added []*tally.Notification
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, userID)
		var err error
		added, err = s.addNotificationsTx(ctx, tx, userID, ns, channels)
		return err
	})
	return added, err
}

func (s *Store) addNotificationsTx(ctx context.Context, tx *sql.Tx, userID string, ns []*tally.Notification, channels func(kind string) []string) ([]*tally.Notification, error) {
	if len(ns) == 0 {
		return nil, nil
	}
	now := s.now()
	var b strings.Builder
	b.WriteString(`INSERT INTO notifications (user_id, id, kind, category, month, dedupe_key, message, data, created_at) VALUES `)
	args := make([]any, 0, len(ns)*9)
	byID := map[string]*tally.Notification{}
	for i, n := range ns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?)")
		n.UserID, n.ID, n.CreatedAt = userID, tally.NewID(), now
		data, err := json.Marshal(n.Data)
		if err != nil {
			return nil, fmt.Errorf("store: add notifications: %w", err)
		}
		args = append(args, userID, n.ID, n.Kind, n.Category, n.Month, n.Key, n.Message, string(data), now)
		byID[n.ID] = n
	}
	b.WriteString(` ON CONFLICT (user_id, kind, category, month, dedupe_key) DO NOTHING RETURNING id`)
	rows, err := tx.QueryContext(ctx, s.q(b.String()), args...)
	if err != nil {
		return nil, fmt.Errorf("store: add notifications: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: add notifications: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: add notifications: %w", err)
	}
	// Keep the caller's order.
	keep := map[string]bool{}
	for _, id := range ids {
		keep[id] = true
	}
	var added []*tally.Notification
	for _, n := range ns {
		if keep[n.ID] {
			added = append(added, n)
		}
	}
	for _, n := range added {
		if channels == nil {
			break
		}
		for _, c := range channels(n.Kind) {
			if err := s.jobs.EnqueueDeliverTx(ctx, tx, userID, n.ID, c); err != nil {
				return nil, fmt.Errorf("store: enqueue delivery: %w", err)
			}
		}
	}
	return added, nil
}

const notificationColumns = `user_id, id, kind, category, month, dedupe_key, message, data, created_at, read_at`

func scanNotification(row interface{ Scan(...any) error }) (*tally.Notification, error) {
	var n tally.Notification
	var data string
	var read sql.NullTime
	if err := row.Scan(&n.UserID, &n.ID, &n.Kind, &n.Category, &n.Month, &n.Key, &n.Message, &data, &n.CreatedAt, &read); err != nil {
		return nil, err
	}
	n.CreatedAt = n.CreatedAt.UTC()
	n.ReadAt = nullTime(read)
	if data != "" {
		if err := json.Unmarshal([]byte(data), &n.Data); err != nil {
			return nil, fmt.Errorf("notification data: %w", err)
		}
	}
	return &n, nil
}

// Notification returns one of the user's notifications.
func (s *Store) Notification(ctx context.Context, userID, id string) (*tally.Notification, error) {
	n, err := scanNotification(s.reader(ctx).QueryRowContext(ctx, s.q(`SELECT `+notificationColumns+` FROM notifications WHERE user_id = ? AND id = ?`), userID, id))
	if err != nil {
		return nil, notFound(err, "notification")
	}
	return n, nil
}

// Notifications returns a page of the user's notifications, newest first,
// the cursor of the next page ("" at the end) and how many are unread.
func (s *Store) Notifications(ctx context.Context, userID, cursor string, limit int) ([]*tally.Notification, string, int, error) {
	if limit <= 0 {
		limit = DefaultPageSize
	}
	limit = min(limit, MaxPageSize)
	where := `user_id = ?`
	args := []any{userID}
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		ts, id, ok := strings.Cut(string(b), "|")
		at, perr := time.Parse(time.RFC3339Nano, ts)
		if err != nil || !ok || perr != nil {
			return nil, "", 0, tally.Errorf(tally.EINVALID, "cursor %q is not valid", cursor)
		}
		where += ` AND (created_at < ? OR (created_at = ? AND id < ?))`
		args = append(args, at, at, id)
	}
	args = append(args, limit+1)
	rows, err := s.reader(ctx).QueryContext(ctx, s.q(`SELECT `+notificationColumns+` FROM notifications WHERE `+where+` ORDER BY created_at DESC, id DESC LIMIT ?`), args...)
	if err != nil {
		return nil, "", 0, fmt.Errorf("store: notifications: %w", err)
	}
	defer rows.Close()
	var out []*tally.Notification
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, "", 0, fmt.Errorf("store: notifications: %w", err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, "", 0, fmt.Errorf("store: notifications: %w", err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = base64.RawURLEncoding.EncodeToString([]byte(last.CreatedAt.Format(time.RFC3339Nano) + "|" + last.ID))
	}
	var unread int
	if err := s.reader(ctx).QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`), userID).Scan(&unread); err != nil {
		return nil, "", 0, fmt.Errorf("store: notifications: %w", err)
	}
	return out, next, unread, nil
}

// MarkNotificationRead marks one of the user's notifications read (once;
// marking it again keeps the first time).
func (s *Store) MarkNotificationRead(ctx context.Context, userID, id string) (*tally.Notification, error) {
	if _, err := s.db.ExecContext(ctx, s.q(`UPDATE notifications SET read_at = ? WHERE user_id = ? AND id = ? AND read_at IS NULL`),
		s.now(), userID, id); err != nil {
		return nil, fmt.Errorf("store: mark notification read: %w", err)
	}
	s.changed(ctx, userID)
	return s.Notification(ctx, userID, id)
}

// Delivered reports whether the notification was delivered to channel.
func (s *Store) Delivered(ctx context.Context, userID, notificationID, channel string) (bool, error) {
	var n int
	err := s.reader(ctx).QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM deliveries WHERE user_id = ? AND notification_id = ? AND channel = ?`),
		userID, notificationID, channel).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: delivered: %w", err)
	}
	return n > 0, nil
}

// MarkDelivered records that the notification reached channel; with a
// webhook it also resets the webhook's failure count.
func (s *Store) MarkDelivered(ctx context.Context, userID, notificationID, channel string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO deliveries (user_id, notification_id, channel, delivered_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id, notification_id, channel) DO NOTHING`), userID, notificationID, channel, s.now()); err != nil {
			return fmt.Errorf("store: mark delivered: %w", err)
		}
		if channel == tally.ChannelWebhook {
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE profiles SET webhook_failures = 0, webhook_failing_since = NULL WHERE user_id = ? AND webhook_failures <> 0`), userID); err != nil {
				return fmt.Errorf("store: mark delivered: %w", err)
			}
		}
		return nil
	})
}

// WebhookFailed counts a failed webhook delivery. When
// tally.WebhookDisabling{maxFailures, minFailing} says so, the webhook is
// disabled and, in the same transaction, the user gets its notice. It
// reports whether the webhook is now disabled.
func (s *Store) WebhookFailed(ctx context.Context, userID string, maxFailures int, minFailing time.Duration, reason string) (bool, error) {
	disabled := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, userID) // the profile says whether the webhook is on
		var failures int
		var since time.Time
		now := s.now()
		err := tx.QueryRowContext(ctx, s.q(`UPDATE profiles SET webhook_failures = webhook_failures + 1,
			webhook_failing_since = COALESCE(webhook_failing_since, ?)
			WHERE user_id = ? AND webhook_disabled_at IS NULL AND webhook_url <> '' RETURNING webhook_failures, webhook_failing_since`),
			now, userID).Scan(&failures, &since)
		if err == sql.ErrNoRows {
			disabled = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("store: webhook failed: %w", err)
		}
		notice := tally.WebhookDisabling{MaxFailures: maxFailures, MinFailing: minFailing}.Disable(failures, since, now, reason)
		if notice == nil {
			return nil
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE profiles SET webhook_disabled_at = ? WHERE user_id = ?`), now, userID); err != nil {
			return fmt.Errorf("store: webhook failed: %w", err)
		}
		disabled = true
		_, err = s.addNotificationsTx(ctx, tx, userID, []*tally.Notification{notice}, func(string) []string { return []string{tally.ChannelEmail} })
		return err
	})
	return disabled, err
}

// UnreadNotifications returns the user's newest unread notifications (at
// most limit) and how many are unread in all, in one statement.
func (s *Store) UnreadNotifications(ctx context.Context, userID string, limit int) ([]*tally.Notification, int, error) {
	rows, err := s.reader(ctx).QueryContext(ctx, s.q(`SELECT `+notificationColumns+`, COUNT(*) OVER () FROM notifications
		WHERE user_id = ? AND read_at IS NULL ORDER BY created_at DESC, id DESC LIMIT ?`), userID, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("store: unread notifications: %w", err)
	}
	defer rows.Close()
	var out []*tally.Notification
	var total int
	for rows.Next() {
		n, err := scanNotification(withExtra{rows, []any{&total}})
		if err != nil {
			return nil, 0, fmt.Errorf("store: unread notifications: %w", err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: unread notifications: %w", err)
	}
	return out, total, nil
}

// withExtra scans a row whose columns are a scanner's and then extra ones.
type withExtra struct {
	rows  *sql.Rows
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.rows.Scan(append(dest, w.extra...)...) }

// UnreadCount returns how many of the user's notifications are unread.
func (s *Store) UnreadCount(ctx context.Context, userID string) (int, error) {
	var n int
	if err := s.reader(ctx).QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`), userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: unread count: %w", err)
	}
	return n, nil
}

// MarkAllNotificationsRead marks every unread notification of the user read
// and returns how many it marked.
func (s *Store) MarkAllNotificationsRead(ctx context.Context, userID string) (int, error) {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`), s.now(), userID)
	if err != nil {
		return 0, fmt.Errorf("store: mark all read: %w", err)
	}
	n, _ := res.RowsAffected()
	s.changed(ctx, userID)
	return int(n), nil
}

// TotalsBetween returns the user's monthly totals from month from to month
// to (inclusive) in one range read of the totals' primary key.
func (s *Store) TotalsBetween(ctx context.Context, userID, from, to string) ([]tally.MonthlyTotal, error) {
	rows, err := s.reader(ctx).QueryContext(ctx, s.q(`SELECT month, category, currency, amount, count FROM monthly_totals
		WHERE user_id = ? AND month >= ? AND month <= ? ORDER BY month, category, currency`), userID, from, to)
	if err != nil {
		return nil, fmt.Errorf("store: totals: %w", err)
	}
	out, err := scanTotals(rows)
	if err != nil {
		return nil, fmt.Errorf("store: totals: %w", err)
	}
	return out, nil
}
