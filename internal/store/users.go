package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/sqldb"
)

// CreateUser stores a new user. A taken email is a conflict.
func (s *Store) CreateUser(ctx context.Context, email, passwordHash string) (*tally.User, error) {
	return s.createUser(ctx, email, passwordHash, false)
}

// CreateFirstUser creates a user only if the instance has none yet, in
// one write that checks and inserts, so that of first sign-ups arriving
// at once (on one process or several) one creates the user and the others
// are EFORBIDDEN, as every sign-up after it is. A taken email is ECONFLICT,
// as for CreateUser.
func (s *Store) CreateFirstUser(ctx context.Context, email, passwordHash string) (*tally.User, error) {
	return s.createUser(ctx, email, passwordHash, true)
}

func (s *Store) createUser(ctx context.Context, email, passwordHash string, onlyFirst bool) (*tally.User, error) {
	now := s.now()
	u := &tally.User{ID: tally.NewID(), Email: strings.ToLower(strings.TrimSpace(email)), TimeZone: "UTC", CreatedAt: now, LastActiveAt: now}
	insert := func(ex interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}) error {
		_, err := ex.ExecContext(ctx, s.q(`INSERT INTO users (id, email, password_hash, time_zone, created_at, last_active_at) VALUES (?, ?, ?, ?, ?, ?)`),
			u.ID, u.Email, passwordHash, u.TimeZone, u.CreatedAt, u.LastActiveAt)
		return err
	}
	var err error
	if !onlyFirst {
		err = insert(s.db)
	} else {
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			// SQLite's write transaction holds the database; on PostgreSQL
			// the lock makes the second of two first sign-ups wait for the
			// first to commit, and its check then sees the first's user.
			if err := s.lockKey(ctx, tx, "first-user"); err != nil {
				return err
			}
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM users LIMIT 1`).Scan(&one)
			if err == nil {
				return tally.Errorf(tally.EFORBIDDEN, "sign-up is closed on this server; ask its administrator for an account")
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			return insert(tx)
		})
	}
	if sqldb.IsUniqueViolation(err) {
		return nil, tally.Errorf(tally.ECONFLICT, "a user with email %s already exists", u.Email)
	}
	if tally.ErrorCode(err) == tally.EFORBIDDEN {
		return nil, err
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
	_, err := s.CreateNamedToken(ctx, userID, tokenHash, kind, "", expires)
	return err
}

// CreateNamedToken stores the hash of a new token with the name its owner
// gave it and returns it.
func (s *Store) CreateNamedToken(ctx context.Context, userID, tokenHash, kind, name string, expires *time.Time) (*Token, error) {
	t := &Token{ID: tally.NewID(), Name: name, Kind: kind, CreatedAt: s.now()}
	var exp sql.NullTime
	if expires != nil {
		e := expires.UTC()
		exp, t.ExpiresAt = sql.NullTime{Time: e, Valid: true}, &e
	}
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO tokens (token_hash, user_id, kind, created_at, expires_at, id, name) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		tokenHash, userID, kind, t.CreatedAt, exp, t.ID, name)
	if err != nil {
		return nil, fmt.Errorf("store: create token: %w", err)
	}
	if kind == TokenAPI {
		s.changed(ctx, userID) // the token list shows it
	}
	return t, nil
}

// tokenUseInterval is how stale a token's last use may get before a request
// writes it again, so reads do not all turn into writes.
const tokenUseInterval = time.Minute

// UserByToken returns the user a live token of the kind belongs to, and
// records the use of an API token.
func (s *Store) UserByToken(ctx context.Context, tokenHash, kind string) (*tally.User, error) {
	u, _, err := s.TokenUser(ctx, tokenHash, kind)
	return u, err
}

// TokenUser is UserByToken that also returns when the token expires (nil:
// never). It records the use of an API token.
func (s *Store) TokenUser(ctx context.Context, tokenHash, kind string) (*tally.User, *time.Time, error) {
	var exp, used sql.NullTime
	u, err := scanUser(s.db.Reader().QueryRowContext(ctx, s.q(`SELECT u.id, u.email, u.time_zone, u.created_at, u.last_active_at, t.expires_at, t.last_used_at
		FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.kind = ?`), tokenHash, kind), &exp, &used)
	if err != nil {
		return nil, nil, notFound(err, "token")
	}
	now := s.now()
	if exp.Valid && !now.Before(exp.Time) {
		return nil, nil, tally.Errorf(tally.ENOTFOUND, "token not found")
	}
	// An API token's use is recorded, at most once a minute.
	if kind == TokenAPI && (!used.Valid || now.Sub(used.Time) >= tokenUseInterval) {
		if _, err := s.db.ExecContext(ctx, s.q(`UPDATE tokens SET last_used_at = ? WHERE token_hash = ?`), now, tokenHash); err != nil {
			return nil, nil, fmt.Errorf("store: token use: %w", err)
		}
		// The token list shows the use. This moves the owner's cache
		// generation at most once a minute per token in use.
		s.changed(ctx, u.ID)
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

// HasUsers reports whether any user exists: the first one may always sign
// up.
func (s *Store) HasUsers(ctx context.Context) (bool, error) {
	var one int
	err := s.db.Reader().QueryRowContext(ctx, s.q(`SELECT 1 FROM users LIMIT 1`)).Scan(&one)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: has users: %w", err)
	}
	return true, nil
}

// PasswordHash returns the user's password hash.
func (s *Store) PasswordHash(ctx context.Context, userID string) (string, error) {
	var hash string
	if err := s.db.Reader().QueryRowContext(ctx, s.q(`SELECT password_hash FROM users WHERE id = ?`), userID).Scan(&hash); err != nil {
		return "", notFound(err, "user")
	}
	return hash, nil
}

// Token is an API token as its owner sees it: never the token itself.
type Token struct {
	ID         string
	Name       string
	Kind       string
	CreatedAt  time.Time
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
}

// MaxTokens caps the API tokens one user lists.
const MaxTokens = 100

// APITokens lists the user's API tokens, newest first.
func (s *Store) APITokens(ctx context.Context, userID string) ([]*Token, error) {
	rows, err := s.db.Reader().QueryContext(ctx, s.q(`SELECT id, name, kind, created_at, expires_at, last_used_at FROM tokens
		WHERE user_id = ? AND kind = ? ORDER BY created_at DESC LIMIT ?`), userID, TokenAPI, MaxTokens)
	if err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	defer rows.Close()
	var out []*Token
	for rows.Next() {
		var t Token
		var exp, used sql.NullTime
		if err := rows.Scan(&t.ID, &t.Name, &t.Kind, &t.CreatedAt, &exp, &used); err != nil {
			return nil, fmt.Errorf("store: tokens: %w", err)
		}
		t.CreatedAt = t.CreatedAt.UTC()
		t.ExpiresAt, t.LastUsedAt = nullTime(exp), nullTime(used)
		out = append(out, &t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	return out, nil
}

// DeleteAPIToken revokes one of the user's API tokens by its id.
func (s *Store) DeleteAPIToken(ctx context.Context, userID, id string) error {
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM tokens WHERE user_id = ? AND kind = ? AND id = ? AND id <> ''`), userID, TokenAPI, id)
	if err != nil {
		return fmt.Errorf("store: delete token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return tally.Errorf(tally.ENOTFOUND, "token %s not found", id)
	}
	s.changed(ctx, userID) // no process keeps accepting it from its cache
	return nil
}

// DeleteSessions ends the user's web sessions except the one whose hash is
// keep (after a password change, other browsers sign in again).
func (s *Store) DeleteSessions(ctx context.Context, userID, keep string) error {
	if _, err := s.db.ExecContext(ctx, s.q(`DELETE FROM tokens WHERE user_id = ? AND kind = ? AND token_hash <> ?`), userID, TokenSession, keep); err != nil {
		return fmt.Errorf("store: delete sessions: %w", err)
	}
	s.changed(ctx, userID)
	return nil
}
