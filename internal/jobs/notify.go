package jobs

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/tallyhq/tally/internal/metrics"
	"github.com/tallyhq/tally/internal/notify"
)

// BudgetCheckArgs asks for a user's month to be checked against budgets.
type BudgetCheckArgs struct {
	UserID string `json:"user_id"`
	Month  string `json:"month"`
	// After is set on a follow-up check: the id of the check that was
	// running when a write committed, so the write is checked too.
	After int64 `json:"after,omitempty"`
}

// Kind is the job's stable name.
func (BudgetCheckArgs) Kind() string { return "budget_check" }

// InsertOpts makes a check unique per user and month while one is queued.
func (BudgetCheckArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: uniqueWhileQueued}
}

// DeliverArgs asks for a notification to be delivered to one channel.
type DeliverArgs struct {
	UserID         string `json:"user_id"`
	NotificationID string `json:"notification_id"`
	Channel        string `json:"channel"`
}

// Kind is the job's stable name.
func (DeliverArgs) Kind() string { return "deliver" }

// InsertOpts retries a delivery for about a day with backoff.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 12, UniqueOpts: uniqueWhileQueued}
}

// followUpDelay is how long a follow-up check waits, so that it starts after
// the running check it follows has finished.
const followUpDelay = 2 * time.Second

// EnqueueBudgetCheckTx implements store.BudgetJobs. A check is unique per
// user and month while queued or running; when the write enqueuing it
// commits while that check is already running, the running check may have
// read the month before the write, so a follow-up check (unique per running
// check) is scheduled shortly after it.
func (c *Client) EnqueueBudgetCheckTx(ctx context.Context, tx *sql.Tx, userID, month string) error {
	res, err := c.river.InsertTx(ctx, tx, BudgetCheckArgs{UserID: userID, Month: month}, nil)
	if err != nil || !res.UniqueSkippedAsDuplicate || res.Job == nil || res.Job.State != rivertype.JobStateRunning {
		return err
	}
	_, err = c.river.InsertTx(ctx, tx, BudgetCheckArgs{UserID: userID, Month: month, After: res.Job.ID},
		&river.InsertOpts{ScheduledAt: time.Now().Add(followUpDelay)})
	return err
}

// EnqueueDeliverTx implements store.BudgetJobs.
func (c *Client) EnqueueDeliverTx(ctx context.Context, tx *sql.Tx, userID, notificationID, channel string) error {
	_, err := c.river.InsertTx(ctx, tx, DeliverArgs{UserID: userID, NotificationID: notificationID, Channel: channel}, nil)
	return err
}

// EnqueueBudgetCheck enqueues a check on its own (after a demo's first
// sync, or by hand).
func (c *Client) EnqueueBudgetCheck(ctx context.Context, userID, month string) error {
	_, err := c.river.Insert(ctx, BudgetCheckArgs{UserID: userID, Month: month}, nil)
	return err
}

// EnqueueDeliver enqueues a delivery on its own.
func (c *Client) EnqueueDeliver(ctx context.Context, userID, notificationID, channel string) error {
	_, err := c.river.Insert(ctx, DeliverArgs{UserID: userID, NotificationID: notificationID, Channel: channel}, nil)
	return err
}

type budgetCheckWorker struct {
	river.WorkerDefaults[BudgetCheckArgs]
	notify *notify.Service
	client *Client
}

func (w *budgetCheckWorker) Work(ctx context.Context, job *river.Job[BudgetCheckArgs]) error {
	a := job.Args
	if w.client.insightDue(ctx, w.notify, a.UserID) {
		return river.JobSnooze(insightSnooze)
	}
	added, err := w.notify.Check(ctx, a.UserID, a.Month)
	if err != nil {
		metrics.Jobs.WithLabelValues(job.Kind, "error").Inc()
		w.client.logger.WarnContext(ctx, "budget check failed", "job_kind", job.Kind, "job_id", job.ID, "user_id", a.UserID, "month", a.Month, "error", err)
		return err
	}
	metrics.Jobs.WithLabelValues(job.Kind, "ok").Inc()
	if len(added) > 0 {
		w.client.logger.InfoContext(ctx, "budget alerts", "job_kind", job.Kind, "job_id", job.ID, "user_id", a.UserID, "month", a.Month, "notifications", len(added))
	}
	return nil
}

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	notify    *notify.Service
	client    *Client
	retryBase time.Duration
}

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	a := job.Args
	err := w.notify.Deliver(ctx, a.UserID, a.NotificationID, a.Channel)
	log := w.client.logger.With("job_kind", job.Kind, "job_id", job.ID, "attempt", job.Attempt, "user_id", a.UserID,
		"notification_id", a.NotificationID, "channel", a.Channel)
	switch {
	case err == nil:
		metrics.Jobs.WithLabelValues(job.Kind, "ok").Inc()
		return nil
	case errors.Is(err, notify.ErrGiveUp):
		metrics.Jobs.WithLabelValues(job.Kind, "cancelled").Inc()
		log.WarnContext(ctx, "delivery stopped", "error", err)
		return river.JobCancel(err)
	}
	metrics.Jobs.WithLabelValues(job.Kind, "error").Inc()
	log.WarnContext(ctx, "delivery failed; will retry", "error", err)
	return err
}

// NextRetry backs off exponentially from the retry base, capped at an hour.
func (w *deliverWorker) NextRetry(job *river.Job[DeliverArgs]) time.Time {
	d := w.retryBase << min(job.Attempt-1, 20)
	return time.Now().Add(min(d, time.Hour))
}
