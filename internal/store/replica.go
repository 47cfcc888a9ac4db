package store

import (
	"context"
	"database/sql"
	"log/slog"

	"github.com/tallyhq/tally/internal/metrics"
	"github.com/tallyhq/tally/internal/sqldb"
)

// SetReplica sends the reads of contexts made by ReadFrom to a streaming
// replica once it has caught up with the reader's own writes.
func (s *Store) SetReplica(r *sqldb.Replica) { s.replica = r }

// HasReplica reports whether a replica is configured.
func (s *Store) HasReplica() bool { return s.replica != nil }

type replicaKey struct{}

// ReadFrom returns a context whose reads through the store go to the
// replica when it has replayed past mark, the reader's last write (an LSN;
// "" when they have none on record), and to the primary otherwise. Use it
// only for a request that reads and then answers, never for one that reads
// to decide a write. known is false when the reader's last write cannot be
// known (the cache that records it did not answer): then the primary
// serves. The choice is counted in tally_db_reads_total.
func (s *Store) ReadFrom(ctx context.Context, mark string, known bool) context.Context {
	if s.replica == nil {
		return ctx
	}
	if known && s.replica.CaughtUp(ctx, mark) {
		metrics.DBReads.WithLabelValues("replica").Inc()
		slog.DebugContext(ctx, "read from the replica", "mark", mark)
		return context.WithValue(ctx, replicaKey{}, s.replica.DB)
	}
	metrics.DBReads.WithLabelValues("primary").Inc()
	slog.DebugContext(ctx, "read from the primary", "mark", mark, "known", known)
	return ctx
}

// reader is the pool a read outside a transaction runs on: the replica when
// ReadFrom chose it, else the primary's read pool.
func (s *Store) reader(ctx context.Context) *sql.DB {
	if db, ok := ctx.Value(replicaKey{}).(*sql.DB); ok {
		return db
	}
	return s.db.Reader()
}
