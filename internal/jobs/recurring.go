package jobs

import (
	"context"
	"database/sql"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/tallyhq/tally/internal/insight"
	"github.com/tallyhq/tally/internal/metrics"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/store"
)

// RecurringDetectArgs asks for a user's transfers to be matched, recurring
// series found (and their alerts raised) and daily balances derived.
type RecurringDetectArgs struct {
	UserID string `json:"user_id"`
	// After is set on a follow-up pass: the id of the pass that was running
	// when new transactions committed.
	After int64 `json:"after,omitempty"`
}

// Kind is the job's stable name.
func (RecurringDetectArgs) Kind() string { return "recurring_detect" }

// InsertOpts makes a pass unique per user while one is queued, so a sync's
// chunks share one pass.
func (RecurringDetectArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: uniqueWhileQueued}
}

// defaultRecurringDelay lets the chunks of one sync commit before the pass
// reads them.
const defaultRecurringDelay = 5 * time.Second

// EnqueueRecurringDetectTx implements store.InsightJobs: a pass shortly
// after the caller's write commits, and a follow-up when a pass is running
// (it may have read before the write). A client configured without an
// insight service enqueues nothing.
func (c *Client) EnqueueRecurringDetectTx(ctx context.Context, tx *sql.Tx, userID string) (bool, error) {
	if !c.insight {
		return false, nil
	}
	res, err := c.river.InsertTx(ctx, tx, RecurringDetectArgs{UserID: userID}, &river.InsertOpts{ScheduledAt: time.Now().Add(c.recurringDelay)})
	if err != nil || !res.UniqueSkippedAsDuplicate || res.Job == nil || res.Job.State != rivertype.JobStateRunning {
		return err == nil, err
	}
	_, err = c.river.InsertTx(ctx, tx, RecurringDetectArgs{UserID: userID, After: res.Job.ID}, &river.InsertOpts{ScheduledAt: time.Now().Add(c.recurringDelay)})
	return err == nil, err
}

// EnqueueRecurringDetect enqueues a pass on its own (by hand, or the daily
// pass).
func (c *Client) EnqueueRecurringDetect(ctx context.Context, userID string) error {
	_, err := c.river.Insert(ctx, RecurringDetectArgs{UserID: userID}, nil)
	return err
}

type recurringDetectWorker struct {
	river.WorkerDefaults[RecurringDetectArgs]
	insight *insight.Service
	client  *Client
}

func (w *recurringDetectWorker) Work(ctx context.Context, job *river.Job[RecurringDetectArgs]) error {
	a := job.Args
	log := w.client.logger.With("job_kind", job.Kind, "job_id", job.ID, "user_id", a.UserID)
	res, err := w.insight.Run(ctx, a.UserID)
	if err != nil {
		metrics.Jobs.WithLabelValues(job.Kind, "error").Inc()
		log.WarnContext(ctx, "recurring detection failed", "error", err)
		return err
	}
	metrics.Jobs.WithLabelValues(job.Kind, "ok").Inc()
	log.InfoContext(ctx, "recurring detection", "whole_history", res.Full, "transfers_linked", res.Linked, "series", res.Series, "alerts", res.Alerts, "balance_days", res.Days)
	return nil
}

// RecurringDailyArgs is the daily job that re-runs every user's pass, so
// an expected charge that did not come is noticed without a new sync.
type RecurringDailyArgs struct{}

// Kind is the job's stable name.
func (RecurringDailyArgs) Kind() string { return "recurring_daily" }

// InsertOpts makes the daily job unique per day across processes.
func (RecurringDailyArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: 24 * time.Hour}}
}

// RecurringDue enqueues a pass for every user with recurring series, in
// pages of 1,000, and returns how many it enqueued (duplicates of passes
// already queued included).
func (c *Client) RecurringDue(ctx context.Context, st *store.Store) (int, error) {
	n := 0
	after := ""
	for {
		ids, err := st.RecurringUsers(ctx, after, 1000)
		if err != nil {
			return n, err
		}
		if len(ids) == 0 {
			return n, nil
		}
		params := make([]river.InsertManyParams, 0, len(ids))
		for _, id := range ids {
			params = append(params, river.InsertManyParams{Args: RecurringDetectArgs{UserID: id}})
		}
		if _, err := c.river.InsertMany(ctx, params); err != nil {
			return n, err
		}
		n += len(ids)
		after = ids[len(ids)-1]
	}
}

type recurringDailyWorker struct {
	river.WorkerDefaults[RecurringDailyArgs]
	client *Client
	store  *store.Store
}

func (w *recurringDailyWorker) Work(ctx context.Context, job *river.Job[RecurringDailyArgs]) error {
	n, err := w.client.RecurringDue(ctx, w.store)
	if err != nil {
		metrics.Jobs.WithLabelValues(job.Kind, "error").Inc()
		return err
	}
	metrics.Jobs.WithLabelValues(job.Kind, "ok").Inc()
	w.client.logger.InfoContext(ctx, "daily recurring pass", "job_kind", job.Kind, "job_id", job.ID, "users", n)
	return nil
}

func recurringPeriodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour), func() (river.JobArgs, *river.InsertOpts) {
		return RecurringDailyArgs{}, nil
	}, &river.PeriodicJobOpts{RunOnStart: true})
}

// A budget check waits for a due detection pass, in steps of insightSnooze,
// for at most insightWait after the pass was asked for: an expected bill
// is then known as such before it can raise an alert, and a pass that
// keeps failing delays alerts by two minutes at most.
const (
	insightSnooze = 2 * time.Second
	insightWait   = 2 * time.Minute
)

// insightDue reports whether a budget check of the user should wait for a
// detection pass.
func (c *Client) insightDue(ctx context.Context, n *notify.Service, userID string) bool {
	if !c.insight {
		return false
	}
	due, err := n.Store.InsightDueSince(ctx, userID)
	if err != nil || due == nil {
		return false
	}
	now := time.Now()
	if n.Now != nil {
		now = n.Now()
	}
	return now.Sub(*due) < insightWait
}
