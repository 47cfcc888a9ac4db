// Package jobs defines Tally's background jobs and runs them on River, over
// SQLite or PostgreSQL. It is the only package that imports River: jobs carry
// ids, not objects, have a stable Kind, are safe to run twice, and are
// enqueued in the same database transaction as the write that causes them.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/insight"
	"github.com/tallyhq/tally/internal/metrics"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/sqldb"
	"github.com/tallyhq/tally/internal/store"
)

// Queue names.
const (
	QueueSync = "sync"
)

// SyncArgs asks for one connection to be synced.
type SyncArgs struct {
	UserID       string `json:"user_id"`
	ConnectionID string `json:"connection_id"`
}

// Kind is the job's stable name.
func (SyncArgs) Kind() string { return "sync" }

// uniqueWhileQueued makes a second enqueue of the same job a no-op while the
// first is waiting or running; once it has finished, a new one can be queued.
var uniqueWhileQueued = river.UniqueOpts{
	ByArgs: true,
	ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	},
}

// InsertOpts puts syncs on their own queue, unique per connection while one
// is queued or running.
func (SyncArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueSync, MaxAttempts: 6, UniqueOpts: uniqueWhileQueued}
}

// Config tunes the job runner.
type Config struct {
	Workers    int           // concurrent sync jobs in this process; 0 runs no workers (insert-only)
	JobTimeout time.Duration // a job's context is cancelled after this
	// RescueAfter is how long a job may stay running before another process
	// assumes its worker died and makes it available again.
	RescueAfter  time.Duration
	PollInterval time.Duration
	Logger       *slog.Logger
	// Notify runs budget checks and deliveries; nil registers no such
	// workers (their jobs wait for a process that has them).
	Notify *notify.Service
	// RetryBase is a failed delivery's first retry delay, doubling after
	// each attempt; 0 means 30 seconds.
	RetryBase time.Duration

	// RefreshCap is how many syncs per institution host the daily refresh
	// schedules per hour (DefaultRefreshCap when 0); RefreshEvery is how
	// often it runs (hourly when 0, never when negative).
	RefreshCap   int
	RefreshEvery time.Duration

	// Insight matches transfers, finds recurring series and derives daily
	// balances after syncs and once a day; nil registers no such workers
	// and enqueues no such jobs.
	Insight *insight.Service
	// RecurringDelay is how long after a write its detection pass waits, so
	// a sync's chunks share one pass; 0 means 5 seconds.
	RecurringDelay time.Duration
}

// Client enqueues and runs jobs.
type Client struct {
	river      *river.Client[*sql.Tx]
	db         *sqldb.DB
	logger     *slog.Logger
	refreshCap int
	insight    bool // enqueue recurring detection after inserts
	// recurringDelay is how long a pass waits after the write enqueuing it.
	recurringDelay time.Duration

	id         string             // this process's River client id
	stopBeats  context.CancelFunc // ends the heartbeats of a started client
	beatsEnded chan struct{}
}

func driverFor(db *sqldb.DB) riverdriver.Driver[*sql.Tx] {
	if db.Dialect == sqldb.Postgres {
		if db.Listener != nil {
			return riverdatabasesql.NewWithPgxListener(db.DB, db.Listener)
		}
		return riverdatabasesql.New(db.DB)
	}
	return riversqlite.New(db.DB)
}

// Migrate runs River's own migrations. On PostgreSQL they cannot all run in
// one transaction, so each runs on its own.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	m, err := rivermigrate.New(driverFor(db), nil)
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	return nil
}

// New returns a client. With cfg.Workers > 0 and a sync service it also
// runs sync jobs once started.
func New(db *sqldb.DB, cfg Config, syncer *ingest.Service, st *store.Store) (*Client, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	c := &Client{db: db, logger: logger, refreshCap: cfg.RefreshCap, id: newClientID(), insight: cfg.Insight != nil, recurringDelay: cfg.RecurringDelay}
	if c.recurringDelay <= 0 {
		c.recurringDelay = defaultRecurringDelay
	}
	rc := &river.Config{
		ID:                   c.id,
		Logger:               logger.With("component", "river"),
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		FetchPollInterval:    cfg.PollInterval,
		MaxAttempts:          6,
	}
	if cfg.PollInterval > 0 {
		rc.FetchCooldown = min(cfg.PollInterval, 100*time.Millisecond)
	}
	if cfg.Workers > 0 {
		workers := river.NewWorkers()
		river.AddWorker(workers, &syncWorker{syncer: syncer, store: st, logger: logger, notify: cfg.Notify})
		river.AddWorker(workers, &crowdApplyWorker{store: st, logger: logger})
		river.AddWorker(workers, &importWorker{syncer: syncer, logger: logger})
		river.AddWorker(workers, &refreshWorker{client: c, store: st, now: time.Now})
		if cfg.RefreshEvery >= 0 {
			rc.PeriodicJobs = []*river.PeriodicJob{refreshPeriodic(cfg.RefreshEvery)}
		}
		if cfg.Notify != nil {
			base := cfg.RetryBase
			if base <= 0 {
				base = 30 * time.Second
			}
			river.AddWorker(workers, &budgetCheckWorker{notify: cfg.Notify, client: c})
			river.AddWorker(workers, &deliverWorker{notify: cfg.Notify, client: c, retryBase: base})
		}
		if cfg.Insight != nil {
			river.AddWorker(workers, &recurringDetectWorker{insight: cfg.Insight, client: c})
			river.AddWorker(workers, &recurringDailyWorker{client: c, store: st})
			rc.PeriodicJobs = append(rc.PeriodicJobs, recurringPeriodic())
		}
		rc.Workers = workers
		rc.Queues = map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: 2},
			QueueSync:          {MaxWorkers: cfg.Workers},
			QueueImport:        {MaxWorkers: 1},
		}
	}
	rcl, err := river.NewClient(driverFor(db), rc)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	c.river = rcl
	return c, nil
}

// Start runs the workers until Stop.
func (c *Client) Start(ctx context.Context) error {
	if c.db.Dialect == sqldb.SQLite {
		if err := c.requeueOrphans(ctx); err != nil {
			return err
		}
	}
	if err := c.river.Start(ctx); err != nil {
		return err
	}
	if c.db.Dialect == sqldb.Postgres {
		bctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		c.stopBeats, c.beatsEnded = cancel, make(chan struct{})
		go func() {
			defer close(c.beatsEnded)
			c.runLiveness(bctx)
		}()
	}
	return nil
}

// requeueOrphans makes jobs left running by a process that died available
// again. Only one process works on an embedded SQLite database (serve holds
// the data directory's lock), so at start any running job is an orphan; on
// PostgreSQL River's rescuer does this after RescueAfter.
func (c *Client) requeueOrphans(ctx context.Context) error {
	res, err := c.db.ExecContext(ctx, `UPDATE river_job SET state = 'available' WHERE state = 'running'`)
	if err != nil {
		return fmt.Errorf("jobs: requeue orphaned jobs: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		c.logger.Info("requeued jobs left running by a previous process", "jobs", n)
	}
	return nil
}

// Stop lets running jobs finish, up to ctx's deadline; after it, jobs still
// running are cancelled and stay safely retryable.
func (c *Client) Stop(ctx context.Context) error {
	// Heartbeats go on while running jobs finish, so no other process
	// takes them meanwhile.
	defer func() {
		if c.stopBeats != nil {
			c.stopBeats()
			<-c.beatsEnded
		}
	}()
	err := c.river.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return c.river.StopAndCancel(cctx)
	}
	return err
}

// EnqueueSyncTx implements store.Jobs.
// A sync asked for now (a new connection, the refresh button) that finds
// the connection's daily refresh already scheduled for later, or waiting to
// retry, makes that job run at once instead of being dropped as a duplicate.
func (c *Client) EnqueueSyncTx(ctx context.Context, tx *sql.Tx, userID, connectionID string) error {
	res, err := c.river.InsertTx(ctx, tx, SyncArgs{UserID: userID, ConnectionID: connectionID}, nil)
	if err != nil || !res.UniqueSkippedAsDuplicate || res.Job == nil {
		return err
	}
	switch res.Job.State {
	case rivertype.JobStateScheduled, rivertype.JobStateRetryable:
		_, err = c.river.JobRetryTx(ctx, tx, res.Job.ID)
	}
	return err
}

type syncWorker struct {
	river.WorkerDefaults[SyncArgs]
	syncer *ingest.Service
	store  *store.Store
	logger *slog.Logger
	notify *notify.Service // nil: no sync notices
}

func (w *syncWorker) Work(ctx context.Context, job *river.Job[SyncArgs]) error {
	a := job.Args
	log := w.logger.With("job_kind", job.Kind, "job_id", job.ID, "attempt", job.Attempt, "user_id", a.UserID, "connection_id", a.ConnectionID)
	res, err := w.syncer.Sync(ctx, a.UserID, a.ConnectionID)
	switch {
	case err == nil:
		metrics.Jobs.WithLabelValues(job.Kind, "ok").Inc()
		// The notice counts every row of the sync, those of attempts a
		// crash cut short included.
		inserted := res.Inserted
		if n, err := w.store.SyncInserted(context.WithoutCancel(ctx), a.UserID, a.ConnectionID); err == nil && n > inserted {
			inserted = n
		}
		if w.notify != nil && inserted > 0 {
			if err := w.notify.SyncCompleted(context.WithoutCancel(ctx), a.UserID, a.ConnectionID, strconv.FormatInt(job.ID, 10), inserted); err != nil {
				log.WarnContext(ctx, "sync notice", "error", err)
			}
		}
		return nil
	case tally.ErrorCode(err) == tally.ENOTFOUND:
		// The connection was deleted meanwhile: nothing to do.
		metrics.Jobs.WithLabelValues(job.Kind, "cancelled").Inc()
		log.InfoContext(ctx, "sync skipped: connection is gone")
		return nil
	case ingest.IsCredentialError(err):
		// Retrying cannot fix a refused login; the user must update it.
		metrics.Jobs.WithLabelValues(job.Kind, "cancelled").Inc()
		log.WarnContext(ctx, "sync stopped: the institution refused the login", "error", err)
		w.finish(ctx, a, ingest.Reason(err))
		if err := w.store.MarkCredentialsRefused(context.WithoutCancel(ctx), a.UserID, a.ConnectionID); err != nil {
			log.ErrorContext(ctx, "record refused credentials", "error", err)
		}
		return river.JobCancel(err)
	}
	metrics.Jobs.WithLabelValues(job.Kind, "error").Inc()
	log.WarnContext(ctx, "sync failed", "error", err)
	if job.Attempt >= job.MaxAttempts {
		w.finish(ctx, a, ingest.Reason(err))
		return err
	}
	// While retries go on, the connection says why it is not done yet.
	if err := w.store.NoteSyncProblem(context.WithoutCancel(ctx), a.UserID, a.ConnectionID, ingest.Reason(err)+" Retrying."); err != nil {
		log.WarnContext(ctx, "record sync problem", "error", err)
	}
	return err
}

func (w *syncWorker) finish(ctx context.Context, a SyncArgs, reason string) {
	ctx = context.WithoutCancel(ctx)
	if err := w.store.FinishSync(ctx, a.UserID, a.ConnectionID, tally.StatusNeedsAttention, reason); err != nil {
		w.logger.ErrorContext(ctx, "record sync failure", "user_id", a.UserID, "connection_id", a.ConnectionID, "error", err)
	}
	if w.notify != nil {
		if err := w.notify.NeedsAttention(ctx, a.UserID, a.ConnectionID, reason); err != nil {
			w.logger.ErrorContext(ctx, "sync failure notice", "user_id", a.UserID, "connection_id", a.ConnectionID, "error", err)
		}
	}
}
