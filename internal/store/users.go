package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/sqldb"
)

// CreateUser stores a new user. A taken email is a conflict.
func (s *Store) CreateUser(ctx context.Context, email, passwordHash string) (*tally.User, error) {
	now := s.now()
	u := &tally.User{ID: tally.NewID(), Email: strings.ToLower(strings.TrimSpace(email)), TimeZone: "UTC", CreatedAt: now, LastActiveAt: now}
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO users (id, email, password_hash, time_zone, created_at, last_active_at) VALUES (?, ?, ?, ?, ?, ?)`),
		u.ID, u.Email, passwordHash, u.TimeZone, u.CreatedAt, u.LastActiveAt)
	if sqldb.IsUniqueViolation(err) {
		return nil, tally.Errorf(tally.ECONFLICT, "a user with email %s already exists", u.Email)
	}
	if err != nil {
		return nil, fmt.Errorf("store: create user: %w", err)
	}
	s.changed(ctx, u.ID)
	return u, nil
}

const userColumns = `id, email, time_zone, created_at, last_active_at`

func scanUser(row interface{ Scan(...any) error }, extra ...any) (*tally.User, error) {
	var u tally.User
	dest := append([]any{&u.ID, &u.Email, &u.TimeZone, &u.CreatedAt, &u.LastActiveAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	u.CreatedAt = u.CreatedAt.UTC()
	u.LastActiveAt = u.LastActiveAt.UTC()
	return &u, nil
}

// UserByEmail returns the user with the email and their password hash.
func (s *Store) UserByEmail(ctx context.Context, email string) (*tally.User, string, error) {
	var hash string
	u, err := scanUser(s.db.Reader().QueryRowContext(ctx, s.q(`SELECT `+userColumns+`, password_hash FROM users WHERE email = ?`),
		strings.ToLower(strings.TrimSpace(email))), &hash)
	if err != nil {
		return nil, "", notFound(err, "user")
	}
	return u, hash, nil
}

// User returns the user with the id.
func (s *Store) User(ctx context.Context, id string) (*tally.User, error) {
	u, err := scanUser(s.db.Reader().QueryRowContext(ctx, s.q(`SELECT `+userColumns+` FROM users WHERE id = ?`), id))
	if err != nil {
		return nil, notFound(err, "user")
	}
	return u, nil
}

// TouchUser records that the user was active now. It writes at most once an
// hour per user, so reads do not turn into writes. A user back after
// InactiveAfter gets their connections refreshed.
func (s *Store) TouchUser(ctx context.Context, u *tally.User) error {
	now := s.now()
	if now.Sub(u.LastActiveAt) < time.Hour {
		return nil
	}
	if now.Sub(u.LastActiveAt) >= InactiveAfter {
		return s.welcomeBack(ctx, u, now)
	}
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE users SET last_active_at = ? WHERE id = ?`), now, u.ID)
	if err != nil {
		return fmt.Errorf("store: touch user: %w", err)
	}
	u.LastActiveAt = now
	s.changed(ctx, u.ID) // processes that remember the user see the new time
	return nil
}

// Token kinds.
const (
	TokenAPI     = "api"
	TokenSession = "session"
)

// CreateToken stores the hash of a new API token or session.
func (s *Store) CreateToken(ctx context.Context, userID, tokenHash, kind string, expires *time.Time) error {
	var exp sql.NullTime
	if expires != nil {
		exp = sql.NullTime{Time: expires.UTC(), Valid: true}
	}
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO tokens (token_hash, user_id, kind, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`),
		tokenHash, userID, kind, s.now(), exp)
	if err != nil {
		return fmt.Errorf("store: create token: %w", err)
	}
	return nil
}

// UserByToken returns the user a live token of the kind belongs to.
func (s *Store) UserByToken(ctx context.Context, tokenHash, kind string) (*tally.User, error) {
	u, _, err := s.TokenUser(ctx, tokenHash, kind)
	return u, err
}

// TokenUser is UserByToken that also returns when the token expires (nil:
// never).
func (s *Store) TokenUser(ctx context.Context, tokenHash, kind string) (*tally.User, *time.Time, error) {
	var exp sql.NullTime
	u, err := scanUser(s.db.Reader().QueryRowContext(ctx, s.q(`SELECT u.id, u.email, u.time_zone, u.created_at, u.last_active_at, t.expires_at
		FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.kind = ?`), tokenHash, kind), &exp)
	if err != nil {
		return nil, nil, notFound(err, "token")
	}
	if exp.Valid && !s.now().Before(exp.Time) {
		return nil, nil, tally.Errorf(tally.ENOTFOUND, "token not found")
	}
	return u, nullTime(exp), nil
}

// DeleteToken removes a token or session. The owner's cache generation
// moves on, so no process keeps accepting the token from its cache.
func (s *Store) DeleteToken(ctx context.Context, tokenHash string) error {
	rows, err := s.db.QueryContext(ctx, s.q(`DELETE FROM tokens WHERE token_hash = ? RETURNING user_id`), tokenHash)
	if err != nil {
		return fmt.Errorf("store: delete token: %w", err)
	}
	defer rows.Close()
	var users []string
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return fmt.Errorf("store: delete token: %w", err)
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: delete token: %w", err)
	}
	rows.Close()
	s.changed(ctx, users...)
	return nil
}

// SetPassword replaces a user's password hash.
func (s *Store) SetPassword(ctx context.Context, userID, passwordHash string) error {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE users SET password_hash = ? WHERE id = ?`), passwordHash, userID)
	if err != nil {
		return fmt.Errorf("store: set password: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return tally.Errorf(tally.ENOTFOUND, "user not found")
	}
	return nil
}
