package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/jobs"
	"github.com/tallyhq/tally/internal/sqldb"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
)

// A job left running by a worker process that stopped sending heartbeats
// (it was killed) is made available again at once, not after River's
// rescue time; a job of a live worker is left alone. On PostgreSQL a first
// sync cut off by a crash once stayed "syncing" for about 15 minutes.
func TestJobsOfDeadWorkersAreRescued(t *testing.T) {
	if sqldbtest.Dialect() != "postgres" {
		t.Skip("several worker processes share a queue only on PostgreSQL: set TALLY_TEST_DATABASE_URL")
	}
	t.Parallel()
	ctx := context.Background()
	db, st, u := queueStore(t, "live@example.com")
	_ = st
	client, err := jobs.New(db, jobs.Config{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"dead", "alive"} {
		if err := client.EnqueueBudgetCheck(ctx, u.ID, "2026-0"+map[string]string{"dead": "1", "alive": "2"}[id]); err != nil {
			t.Fatal(err)
		}
	}
	mustExec(t, db, `UPDATE river_job SET state = 'running', attempted_at = now(), attempted_by = ARRAY['dead-worker'] WHERE args->>'month' = '2026-01'`)
	mustExec(t, db, `UPDATE river_job SET state = 'running', attempted_at = now(), attempted_by = ARRAY['old', 'live-worker'] WHERE args->>'month' = '2026-02'`)
	mustExec(t, db, `INSERT INTO worker_heartbeats (id, seen_at) VALUES ('live-worker', now()), ('dead-worker', now() - interval '1 minute')`)

	n, err := client.RescueDead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("rescued %d jobs, want 1", n)
	}
	state := func(month string) string {
		var s string
		if err := db.QueryRow(`SELECT state FROM river_job WHERE args->>'month' = $1`, month).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := state("2026-01"); s != "available" {
		t.Errorf("the dead worker's job is %s, want available", s)
	}
	if s := state("2026-02"); s != "running" {
		t.Errorf("the live worker's job is %s, want running", s)
	}
	if jobs.DeadAfter+jobs.HeartbeatEvery > time.Minute {
		t.Errorf("a dead worker's jobs wait up to %v, want under a minute", jobs.DeadAfter+jobs.HeartbeatEvery)
	}
}

func mustExec(t *testing.T, db *sqldb.DB, q string) {
	t.Helper()
	if _, err := db.Exec(q); err != nil {
		t.Fatal(err)
	}
}
