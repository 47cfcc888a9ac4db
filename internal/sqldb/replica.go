package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Replica is a PostgreSQL streaming replica that serves reads which
// tolerate lag. It tracks how far it has replayed the primary's write-ahead
// log, so a reader that must see a given write (a user who just wrote) is
// sent to it only once it has caught up with that write.
type Replica struct {
	DB  *sql.DB
	URL string // as given; use Redact to show it

	logger *slog.Logger

	mu        sync.Mutex
	replayed  uint64    // the last replay position read, as an LSN
	checkedAt time.Time // when it was read; zero when the last check failed
	failedAt  time.Time
	loggedAt  time.Time
}

// replicaFresh is how long a replay position is trusted for a reader that
// has no write of its own to wait for; replicaRecheck how long a failed or
// insufficient check is trusted before the replica is asked again.
const (
	replicaFresh   = time.Second
	replicaRecheck = 5 * time.Millisecond
	replicaRetry   = time.Second
)

// OpenReplica opens the replica at rawURL (postgres://...). A replica that
// does not answer is not an error: it is logged with its URL and reads go
// to the primary until it answers.
func OpenReplica(ctx context.Context, rawURL string, logger *slog.Logger) (*Replica, error) {
	if !strings.HasPrefix(rawURL, "postgres://") && !strings.HasPrefix(rawURL, "postgresql://") {
		return nil, fmt.Errorf("sqldb: replica URL %q: want postgres://...", redact(rawURL))
	}
	db, err := sql.Open("pgx", rawURL)
	if err != nil {
		return nil, fmt.Errorf("sqldb: replica %s: %w", redact(rawURL), err)
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if logger == nil {
		logger = slog.Default()
	}
	r := &Replica{DB: db, URL: rawURL, logger: logger}
	pingCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if _, err := r.check(pingCtx); err != nil {
		logger.Warn("database replica unreachable; reads go to the primary until it answers",
			"url", redact(rawURL), "error", err.Error())
	}
	return r, nil
}

// Close closes the replica's pool.
func (r *Replica) Close() error { return r.DB.Close() }

// ParseLSN reads a PostgreSQL LSN ("16/B374D848").
func ParseLSN(s string) (uint64, error) {
	hi, lo, ok := strings.Cut(s, "/")
	if !ok {
		return 0, fmt.Errorf("sqldb: LSN %q: want HI/LO in hexadecimal", s)
	}
	h, err := strconv.ParseUint(hi, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("sqldb: LSN %q: %w", s, err)
	}
	l, err := strconv.ParseUint(lo, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("sqldb: LSN %q: %w", s, err)
	}
	return h<<32 | l, nil
}

// WriteLSN returns the primary's current write-ahead log position: every
// transaction committed before the call is at or before it.
func (db *DB) WriteLSN(ctx context.Context) (string, error) {
	if db.Dialect != Postgres {
		return "", nil
	}
	var lsn string
	if err := db.QueryRowContext(ctx, `SELECT pg_current_wal_lsn()::text`).Scan(&lsn); err != nil {
		return "", fmt.Errorf("sqldb: read the write position: %w", err)
	}
	return lsn, nil
}

// check asks the replica how far it has replayed.
func (r *Replica) check(ctx context.Context) (uint64, error) {
	var lsn sql.NullString
	err := r.DB.QueryRowContext(ctx, `SELECT pg_last_wal_replay_lsn()::text`).Scan(&lsn)
	if err == nil && !lsn.Valid {
		err = fmt.Errorf("%s is not a streaming replica (pg_last_wal_replay_lsn is null)", redact(r.URL))
	}
	var pos uint64
	if err == nil {
		pos, err = ParseLSN(lsn.String)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	if err != nil {
		r.checkedAt, r.failedAt = time.Time{}, now
		if now.Sub(r.loggedAt) >= time.Minute {
			r.loggedAt = now
			r.logger.Warn("database replica unavailable; reading from the primary", "url", redact(r.URL), "error", err.Error())
		}
		return 0, err
	}
	if pos > r.replayed {
		r.replayed = pos
	}
	r.checkedAt = now
	return r.replayed, nil
}

// CaughtUp reports whether the replica can serve a reader that must see
// every write up to mark (an LSN; "" when the reader waits for none). It
// asks the replica at most every few milliseconds; an unreachable replica
// is retried once a second and is never caught up meanwhile.
func (r *Replica) CaughtUp(ctx context.Context, mark string) bool {
	var need uint64
	if mark != "" {
		n, err := ParseLSN(mark)
		if err != nil {
			return false
		}
		need = n
	}
	r.mu.Lock()
	replayed, checkedAt, failedAt := r.replayed, r.checkedAt, r.failedAt
	r.mu.Unlock()
	now := time.Now()
	switch {
	case checkedAt.IsZero() && now.Sub(failedAt) < replicaRetry:
		return false // down: do not ask it on every request
	case !checkedAt.IsZero() && replayed >= need && (need > 0 || now.Sub(checkedAt) < replicaFresh):
		// Replay only moves forward: once past the mark, always past it.
		return true
	case !checkedAt.IsZero() && now.Sub(checkedAt) < replicaRecheck:
		return false // asked a moment ago and it was behind
	}
	ctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	pos, err := r.check(ctx)
	return err == nil && pos >= need
}
