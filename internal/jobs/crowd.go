package jobs

import (
	"context"
	"database/sql"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/tallyhq/tally/internal/metrics"
	"github.com/tallyhq/tally/internal/store"
)

// CrowdApplyArgs asks for a seller's transactions, every user's, to be
// re-filed under the seller's crowd category. Enqueued in the transaction of
// the vote that changed it; safe to run twice.
type CrowdApplyArgs struct {
	MerchantKey string `json:"merchant_key"`
}

// Kind is the job's stable name.
func (CrowdApplyArgs) Kind() string { return "crowd_apply" }

// CrowdApplyAgain is when a crowd category is applied a second time: syncs
// read crowd categories from a copy up to a minute old
// (ingest.CrowdRefresh), so transactions inserted meanwhile are re-filed then.
const CrowdApplyAgain = 2 * time.Minute

// EnqueueCrowdApplyTx implements store.CrowdJobs: one job now, and one after
// every sync's copy of the crowd categories has been refreshed.
func (c *Client) EnqueueCrowdApplyTx(ctx context.Context, tx *sql.Tx, merchantKey string) error {
	args := CrowdApplyArgs{MerchantKey: merchantKey}
	_, err := c.river.InsertManyTx(ctx, tx, []river.InsertManyParams{
		{Args: args},
		{Args: args, InsertOpts: &river.InsertOpts{ScheduledAt: time.Now().Add(CrowdApplyAgain)}},
	})
	return err
}

var _ store.Jobs = (*Client)(nil)

type crowdApplyWorker struct {
	river.WorkerDefaults[CrowdApplyArgs]
	store  *store.Store
	logger *slog.Logger
}

func (w *crowdApplyWorker) Work(ctx context.Context, job *river.Job[CrowdApplyArgs]) error {
	n, err := w.store.ApplyCrowd(ctx, job.Args.MerchantKey)
	if err != nil {
		metrics.Jobs.WithLabelValues(job.Kind, "error").Inc()
		w.logger.WarnContext(ctx, "crowd apply failed", "job_kind", job.Kind, "job_id", job.ID, "merchant_key", job.Args.MerchantKey, "error", err)
		return err
	}
	metrics.Jobs.WithLabelValues(job.Kind, "ok").Inc()
	w.logger.InfoContext(ctx, "crowd category applied", "job_kind", job.Kind, "job_id", job.ID, "merchant_key", job.Args.MerchantKey, "transactions", n)
	return nil
}
