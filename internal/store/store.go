// Package store is the SQL behind Tally's data: users, tokens, connections,
// accounts, transactions and monthly totals, hand-written for SQLite and
// PostgreSQL. Every query is scoped to a user; another user's id is not found.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/cache"
	"github.com/tallyhq/tally/internal/sqldb"
)

// Jobs enqueues background jobs inside the caller's transaction, so a job
// exists exactly when the write that causes it commits. The job queue
// implements it; commands that run no workers use NoJobs.
type Jobs interface {
	// EnqueueSyncTx enqueues a sync of the connection.
	EnqueueSyncTx(ctx context.Context, tx *sql.Tx, userID, connectionID string) error
	// EnqueueImportTx enqueues the import of an uploaded file.
	EnqueueImportTx(ctx context.Context, tx *sql.Tx, userID, importID string) error
	// EnqueueBudgetCheckTx enqueues a check of the user's month ("YYYY-MM").
	EnqueueBudgetCheckTx(ctx context.Context, tx *sql.Tx, userID, month string) error
	// EnqueueDeliverTx enqueues the delivery of a notification to a channel.
	EnqueueDeliverTx(ctx context.Context, tx *sql.Tx, userID, notificationID, channel string) error
	// EnqueueCrowdApplyTx enqueues the re-filing of a seller's transactions
	// under its crowd category.
	EnqueueCrowdApplyTx(ctx context.Context, tx *sql.Tx, merchantKey string) error
	// EnqueueRecurringDetectTx enqueues transfer matching and recurring
	// detection for the user and reports whether it did (a queue may run
	// no such passes).
	EnqueueRecurringDetectTx(ctx context.Context, tx *sql.Tx, userID string) (bool, error)
}

// NoJobs is the Jobs of commands that run no workers (import, user add,
// reconcile): it enqueues nothing. Work a job would do is then left for a
// server to do later (a crowd category is applied by ApplyCrowd; a budget
// check runs with the next change of the month).
type NoJobs struct{}

func (NoJobs) EnqueueSyncTx(context.Context, *sql.Tx, string, string) error            { return nil }
func (NoJobs) EnqueueImportTx(context.Context, *sql.Tx, string, string) error          { return nil }
func (NoJobs) EnqueueBudgetCheckTx(context.Context, *sql.Tx, string, string) error     { return nil }
func (NoJobs) EnqueueDeliverTx(context.Context, *sql.Tx, string, string, string) error { return nil }
func (NoJobs) EnqueueCrowdApplyTx(context.Context, *sql.Tx, string) error              { return nil }
func (NoJobs) EnqueueRecurringDetectTx(context.Context, *sql.Tx, string) (bool, error) {
	return false, nil
}

// Store runs Tally's queries.
type Store struct {
	db   *sqldb.DB
	jobs Jobs

	invalidator cache.Invalidator
	replica     *sqldb.Replica
	touched     sync.Map // *sql.Tx of a running inTx -> *[]string of touched users

	// Compact keys of transaction rows (keys.go), cached: they never change.
	nums       sync.Map // user id -> int64 user number
	partitions sync.Map // time.Time month -> true: its partition exists
	categories codeTable
	sources    codeTable
	seeded     atomic.Bool

	// SQLite's statement for a full batch of rows (transactions.go),
	// prepared once.
	insertMu   sync.Mutex
	insertStmt *sql.Stmt

	// Now returns the current time; tests pin it.
	Now func() time.Time
}

// New returns a Store over db that enqueues jobs through jobs, which is
// required: NoJobs for commands that run no workers.
func New(db *sqldb.DB, jobs Jobs) *Store {
	if jobs == nil {
		panic("store.New: jobs is required (store.NoJobs{} for commands that run no workers)")
	}
	return &Store{db: db, jobs: jobs, Now: time.Now,
		categories: codeTable{table: "category_codes", column: "category"},
		sources:    codeTable{table: "source_codes", column: "source"}}
}

// SetJobs replaces the job queue: River's client needs the database first,
// so a server makes its Store with NoJobs, then sets the queue.
func (s *Store) SetJobs(j Jobs) {
	if j == nil {
		panic("store.SetJobs: jobs is required")
	}
	s.jobs = j
}

// DB returns the underlying database.
func (s *Store) DB() *sqldb.DB { return s.db }

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// q rebinds a query for the dialect.
func (s *Store) q(query string) string { return s.db.Rebind(query) }

// monthOf is the SQL expression for the "YYYY-MM" month of a date column.
func (s *Store) monthOf(col string) string {
	if s.db.Dialect == sqldb.Postgres {
		return "to_char(" + col + ", 'YYYY-MM')"
	}
	return "substr(" + col + ", 1, 7)"
}

// forUpdate is the row-locking suffix of a SELECT inside a write transaction.
// SQLite's immediate transactions already hold the write lock.
func (s *Store) forUpdate() string {
	if s.db.Dialect == sqldb.Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// forShare is the suffix of a SELECT that keeps the rows it read from being
// deleted until the write transaction ends (other updates of them go on).
func (s *Store) forShare() string {
	if s.db.Dialect == sqldb.Postgres {
		return " FOR KEY SHARE"
	}
	return ""
}

// inTx runs fn in a transaction, committing when it returns nil. A
// deadlock or serialization failure runs fn again (sqldb.InTx), so fn
// starts from scratch each time. The users fn touched (see touch) are told
// to the invalidator after the commit.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var users []string
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		p := new([]string)
		s.touched.Store(tx, p)
		defer s.touched.Delete(tx)
		if err := fn(tx); err != nil {
			return err
		}
		users = *p
		return nil
	})
	if err != nil {
		return err
	}
	s.changed(ctx, users...)
	return nil
}

// SetInvalidator sets what learns about committed writes (the read cache);
// the cache is built after the store, so the two are wired in that order.
// Without one, writes tell nobody.
func (s *Store) SetInvalidator(inv cache.Invalidator) { s.invalidator = inv }

// touch records, inside a transaction run by inTx, that it changes what the
// users read. Every write of a user's data must touch them (or call changed
// after its commit): the API caches its answers per user until the next
// write, and reads the replica only once it has replayed that write.
func (s *Store) touch(tx *sql.Tx, userIDs ...string) {
	if v, ok := s.touched.Load(tx); ok {
		p := v.(*[]string)
		*p = append(*p, userIDs...)
	}
}

// changed tells the invalidator, after a commit, whose data a write changed.
func (s *Store) changed(ctx context.Context, userIDs ...string) {
	if s.invalidator == nil || len(userIDs) == 0 {
		return
	}
	slices.Sort(userIDs)
	s.invalidator.Changed(ctx, slices.Compact(userIDs)...)
}

// notFound turns sql.ErrNoRows into a domain not-found error.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return tally.Errorf(tally.ENOTFOUND, "%s not found", what)
	}
	return err
}

// nullTime scans a nullable timestamp.
func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// lockKey takes a lock named key until the transaction ends, on
// PostgreSQL (an advisory lock); SQLite's immediate transactions already
// hold the one write lock.
func (s *Store) lockKey(ctx context.Context, tx *sql.Tx, key string) error {
	if s.db.Dialect != sqldb.Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, key); err != nil {
		return fmt.Errorf("store: lock %s: %w", key, err)
	}
	return nil
}
