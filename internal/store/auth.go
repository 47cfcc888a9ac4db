package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/tallyhq/tally"
)

// AuthLockedUntil returns the latest time until which any of keys is locked
// out, or the zero time when none is locked now.
func (s *Store) AuthLockedUntil(ctx context.Context, keys ...string) (time.Time, error) {
	now := s.now()
	var until time.Time
	for _, k := range keys {
		var t sql.NullTime
		err := s.db.QueryRowContext(ctx, s.q(`SELECT locked_until FROM auth_attempts WHERE key = ?`), k).Scan(&t)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return time.Time{}, fmt.Errorf("store: auth attempts: %w", err)
		}
		if t.Valid && t.Time.After(now) && t.Time.After(until) {
			until = t.Time.UTC()
		}
	}
	return until, nil
}

// RecordAuthFailure counts a failed attempt under key. The count restarts
// after window; the limit-th failure within one window locks the key for
// lockFor, and the time it is locked until is returned (zero otherwise).
func (s *Store) RecordAuthFailure(ctx context.Context, key string, limit int, window, lockFor time.Duration) (time.Time, error) {
	now := s.now()
	var locked time.Time
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var failures int
		var start time.Time
		// The upsert creates or locks the row, so concurrent failures
		// count in turn.
		err := tx.QueryRowContext(ctx, s.q(`INSERT INTO auth_attempts (key, failures, window_start) VALUES (?, 0, ?)
			ON CONFLICT (key) DO UPDATE SET key = excluded.key RETURNING failures, window_start`), key, now).Scan(&failures, &start)
		if err != nil {
			return fmt.Errorf("store: record auth failure: %w", err)
		}
		if now.Sub(start) >= window {
			failures, start = 0, now
		}
		failures++
		var until sql.NullTime
		if failures >= limit {
			locked = now.Add(lockFor)
			until = sql.NullTime{Time: locked, Valid: true}
			failures, start = 0, now
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE auth_attempts SET failures = ?, window_start = ?,
			locked_until = CASE WHEN ? THEN ? ELSE locked_until END WHERE key = ?`), failures, start, until.Valid, until, key)
		if err != nil {
			return fmt.Errorf("store: record auth failure: %w", err)
		}
		return nil
	})
	return locked, err
}

// ClearAuthFailures forgets the failures counted under key.
func (s *Store) ClearAuthFailures(ctx context.Context, key string) error {
	if _, err := s.db.ExecContext(ctx, s.q(`DELETE FROM auth_attempts WHERE key = ? AND (locked_until IS NULL OR locked_until <= ?)`), key, s.now()); err != nil {
		return fmt.Errorf("store: clear auth failures: %w", err)
	}
	return nil
}

// SessionUser returns the user of a live web session and slides its idle
// expiry: a session ends idle after no use, and absolute after its start
// whatever the use. The expiry is written at most once an hour per
// session, so reads do not become writes.
func (s *Store) SessionUser(ctx context.Context, tokenHash string, idle, absolute time.Duration) (*tally.User, error) {
	var exp sql.NullTime
	var created time.Time
	u, err := scanUser(s.db.Reader().QueryRowContext(ctx, s.q(`SELECT u.id, u.email, u.time_zone, u.created_at, u.last_active_at, t.created_at, t.expires_at
		FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.kind = ?`), tokenHash, TokenSession), &created, &exp)
	if err != nil {
		return nil, notFound(err, "session")
	}
	now := s.now()
	end := created.UTC().Add(absolute)
	if !now.Before(end) || exp.Valid && !now.Before(exp.Time) {
		return nil, tally.Errorf(tally.ENOTFOUND, "session not found")
	}
	next := now.Add(idle)
	if next.After(end) {
		next = end
	}
	if !exp.Valid || next.Sub(exp.Time) >= time.Hour {
		if _, err := s.db.ExecContext(ctx, s.q(`UPDATE tokens SET expires_at = ? WHERE token_hash = ?`), next, tokenHash); err != nil {
			return nil, fmt.Errorf("store: extend session: %w", err)
		}
	}
	return u, nil
}

// DeleteUserTokens ends every web session and revokes every API token of
// the user ("sign out everywhere"); it returns how many ended.
func (s *Store) DeleteUserTokens(ctx context.Context, userID string) (int, error) {
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM tokens WHERE user_id = ?`), userID)
	if err != nil {
		return 0, fmt.Errorf("store: delete tokens: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// TOTP is a user's two-factor enrolment.
type TOTP struct {
	Secret    []byte // sealed
	Confirmed bool
	LastStep  int64
}

// TOTP returns the user's two-factor enrolment, ENOTFOUND when there is
// none.
func (s *Store) TOTP(ctx context.Context, userID string) (*TOTP, error) {
	var t TOTP
	var confirmed sql.NullTime
	err := s.db.QueryRowContext(ctx, s.q(`SELECT secret, confirmed_at, last_step FROM user_totp WHERE user_id = ?`), userID).
		Scan(&t.Secret, &confirmed, &t.LastStep)
	if err != nil {
		return nil, notFound(err, "two-factor enrolment")
	}
	t.Confirmed = confirmed.Valid
	return &t, nil
}

// StartTOTP stores a new, unconfirmed enrolment, replacing an unconfirmed
// one; a confirmed one is a conflict.
func (s *Store) StartTOTP(ctx context.Context, userID string, sealed []byte) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var confirmed sql.NullTime
		err := tx.QueryRowContext(ctx, s.q(`SELECT confirmed_at FROM user_totp WHERE user_id = ?`+s.forUpdate()), userID).Scan(&confirmed)
		if err != nil && err != sql.ErrNoRows {
			return fmt.Errorf("store: start totp: %w", err)
		}
		if confirmed.Valid {
			return tally.Errorf(tally.ECONFLICT, "two-factor sign-in is already on; turn it off first to enroll again")
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO user_totp (user_id, secret, last_step, created_at) VALUES (?, ?, 0, ?)
			ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, last_step = 0, created_at = excluded.created_at, confirmed_at = NULL`),
			userID, sealed, s.now())
		if err != nil {
			return fmt.Errorf("store: start totp: %w", err)
		}
		return nil
	})
}

// UseTOTPStep records that the code of step was accepted; a step at or
// before the last accepted one is refused (false), so a code works once.
// confirm also turns the enrolment on and replaces the recovery codes.
func (s *Store) UseTOTPStep(ctx context.Context, userID string, step int64, confirm bool, recoveryHashes []string) (bool, error) {
	ok := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		q := `UPDATE user_totp SET last_step = ? WHERE user_id = ? AND last_step < ?`
		args := []any{step, userID, step}
		if confirm {
			q = `UPDATE user_totp SET last_step = ?, confirmed_at = ? WHERE user_id = ? AND last_step < ? AND confirmed_at IS NULL`
			args = []any{step, s.now(), userID, step}
		}
		res, err := tx.ExecContext(ctx, s.q(q), args...)
		if err != nil {
			return fmt.Errorf("store: use totp: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		ok = true
		if !confirm {
			return nil
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM totp_recovery_codes WHERE user_id = ?`), userID); err != nil {
			return fmt.Errorf("store: recovery codes: %w", err)
		}
		for _, h := range recoveryHashes {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO totp_recovery_codes (user_id, code_hash) VALUES (?, ?)`), userID, h); err != nil {
				return fmt.Errorf("store: recovery codes: %w", err)
			}
		}
		return nil
	})
	return ok, err
}

// UseRecoveryCode spends one of the user's recovery codes; false when it is
// not one or was used already.
func (s *Store) UseRecoveryCode(ctx context.Context, userID, codeHash string) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE totp_recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`),
		s.now(), userID, codeHash)
	if err != nil {
		return false, fmt.Errorf("store: use recovery code: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// DeleteTOTP turns two-factor sign-in off and drops the recovery codes.
func (s *Store) DeleteTOTP(ctx context.Context, userID string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM totp_recovery_codes WHERE user_id = ?`), userID); err != nil {
			return fmt.Errorf("store: delete totp: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM user_totp WHERE user_id = ?`), userID); err != nil {
			return fmt.Errorf("store: delete totp: %w", err)
		}
		return nil
	})
}
