package jobs

import (
	"context"
	"database/sql"
	"log/slog"

	"github.com/riverqueue/river"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/metrics"
)

// QueueImport runs statement file imports, apart from syncs so a large file
// does not hold up refreshes.
const QueueImport = "import"

// ImportArgs asks for an uploaded statement file to be imported.
type ImportArgs struct {
	UserID   string `json:"user_id"`
	ImportID string `json:"import_id"`
}

// Kind is the job's stable name.
func (ImportArgs) Kind() string { return "import" }

// InsertOpts puts imports on their own queue, unique per import.
func (ImportArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueImport, MaxAttempts: 5, UniqueOpts: uniqueWhileQueued}
}

// EnqueueImportTx implements store.ImportJobs.
func (c *Client) EnqueueImportTx(ctx context.Context, tx *sql.Tx, userID, importID string) error {
	_, err := c.river.InsertTx(ctx, tx, ImportArgs{UserID: userID, ImportID: importID}, nil)
	return err
}

type importWorker struct {
	river.WorkerDefaults[ImportArgs]
	syncer *ingest.Service
	logger *slog.Logger
}

func (w *importWorker) Work(ctx context.Context, job *river.Job[ImportArgs]) error {
	a := job.Args
	_, err := w.syncer.RunImport(ctx, a.UserID, a.ImportID, nil)
	switch {
	case err == nil:
		metrics.Jobs.WithLabelValues(job.Kind, "ok").Inc()
		return nil
	case tally.ErrorCode(err) == tally.ENOTFOUND:
		metrics.Jobs.WithLabelValues(job.Kind, "cancelled").Inc()
		return nil
	}
	metrics.Jobs.WithLabelValues(job.Kind, "error").Inc()
	w.logger.WarnContext(ctx, "import failed", "job_kind", job.Kind, "job_id", job.ID, "user_id", a.UserID, "import_id", a.ImportID, "error", err)
	return err
}
