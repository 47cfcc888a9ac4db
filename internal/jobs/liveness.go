package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"time"

	"github.com/tallyhq/tally/internal/sqldb"
)

// Liveness: on PostgreSQL several processes share the queue, and one that
// is killed leaves its jobs "running". River's rescuer frees such jobs
// only after RescueAfter, which must exceed the longest job. Instead each
// worker process writes a heartbeat every HeartbeatEvery, and every process
// makes available again the running jobs whose worker has been silent for
// DeadAfter: a first sync cut off by a crash resumes within a minute.
const (
	HeartbeatEvery = 5 * time.Second
	DeadAfter      = 20 * time.Second
)

// newClientID names this process in river_job.attempted_by and in its
// heartbeats.
func newClientID() string {
	host, _ := os.Hostname()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}

// heartbeat records that this process is alive.
func (c *Client) heartbeat(ctx context.Context) error {
	_, err := c.db.ExecContext(ctx, c.db.Rebind(`INSERT INTO worker_heartbeats (id, seen_at) VALUES (?, ?)
		ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at`), c.id, time.Now().UTC())
	return err
}

// RescueDead makes available again the jobs left running by worker
// processes that stopped sending heartbeats, and forgets heartbeats silent
// for long. It returns how many jobs it freed.
func (c *Client) RescueDead(ctx context.Context) (int, error) {
	if c.db.Dialect != sqldb.Postgres {
		return 0, nil
	}
	cutoff := time.Now().UTC().Add(-DeadAfter)
	res, err := c.db.ExecContext(ctx, `UPDATE river_job SET state = 'available', scheduled_at = now()
		WHERE state = 'running' AND attempted_by IS NOT NULL AND cardinality(attempted_by) > 0
		  AND NOT EXISTS (SELECT 1 FROM worker_heartbeats h WHERE h.id = attempted_by[cardinality(attempted_by)] AND h.seen_at > $1)`, cutoff)
	if err != nil {
		return 0, fmt.Errorf("jobs: rescue jobs of dead workers: %w", err)
	}
	n, _ := res.RowsAffected()
	if n > 0 {
		c.logger.Info("made jobs of a stopped worker available again", "jobs", n)
	}
	if _, err := c.db.ExecContext(ctx, `DELETE FROM worker_heartbeats WHERE seen_at < $1`, time.Now().UTC().Add(-time.Hour)); err != nil {
		return int(n), fmt.Errorf("jobs: forget heartbeats: %w", err)
	}
	return int(n), nil
}

// runLiveness beats and rescues until ctx ends.
func (c *Client) runLiveness(ctx context.Context) {
	t := time.NewTicker(HeartbeatEvery)
	defer t.Stop()
	for {
		if err := c.heartbeat(ctx); err != nil && ctx.Err() == nil {
			c.logger.Warn("worker heartbeat", "error", err)
		}
		if _, err := c.RescueDead(ctx); err != nil && ctx.Err() == nil {
			c.logger.Warn("rescue jobs of dead workers", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
