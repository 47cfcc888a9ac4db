package jobs_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/blob"
	"github.com/tallyhq/tally/internal/categorize"
	"github.com/tallyhq/tally/internal/demobank"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/jobs"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/secret"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
)

// BenchmarkDailySync measures the daily refresh as one worker process runs
// it: each iteration is one day for 200 connections, each a sync job
// through River that fetches the ten-day overlap window plus the new day
// from the demo bank (over HTTP on loopback), stores the raw response,
// skips the lines already stored and inserts the new ones with their
// monthly totals. Reported: sync jobs per second and new transactions per
// second, with 4 sync workers.
func BenchmarkDailySync(b *testing.B) {
	const conns, workers = 200, 4
	ctx := context.Background()
	db := sqldbtest.Open(b)
	if err := jobs.Migrate(ctx, db); err != nil {
		b.Fatal(err)
	}
	var day atomic.Int64
	day.Store(time.Date(2026, 11, 2, 18, 0, 0, 0, time.UTC).Unix())
	now := func() time.Time { return time.Unix(day.Load(), 0).UTC() }
	bank := &demobank.Bank{Now: now}
	srv := httptest.NewServer(bank)
	b.Cleanup(srv.Close)
	box, _ := secret.New(make([]byte, 32))
	blobs, err := blob.NewDir(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	// Link the connections through an insert-only client, then pretend
	// their history was synced yesterday, so each job fetches days only.
	insertOnly, err := jobs.New(db, jobs.Config{Logger: quiet}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	st := store.New(db, insertOnly)
	st.Now = now
	svc := &ingest.Service{Store: st, Blobs: blobs, Box: box, Categorize: categorize.New(), Now: now, Logger: quiet}
	type link struct{ user, conn string }
	links := make([]link, conns)
	for i := range links {
		u, err := st.CreateUser(ctx, fmt.Sprintf("daily%d@example.com", i), "hash")
		if err != nil {
			b.Fatal(err)
		}
		c, _, err := svc.Connect(ctx, u.ID, ingest.ConnectRequest{URL: srv.URL, Login: fmt.Sprintf("daily-%d", i), Password: "pw"})
		if err != nil {
			b.Fatal(err)
		}
		links[i] = link{u.ID, c.ID}
	}
	if _, err := db.Exec(db.Rebind(`UPDATE connections SET last_success_at = ?`), now().Add(-24*time.Hour)); err != nil {
		b.Fatal(err)
	}

	st2 := store.New(db, store.NoJobs{})
	st2.Now = now
	client, err := jobs.New(db, jobs.Config{Workers: workers, JobTimeout: time.Minute, PollInterval: 50 * time.Millisecond,
		Logger: quiet, RefreshEvery: -1, Notify: &notify.Service{Store: st2, Box: box}}, svc, st2)
	if err != nil {
		b.Fatal(err)
	}
	st2.SetJobs(client)
	svc.Store = st2
	completed := func() int {
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'sync' AND state = 'completed'`).Scan(&n); err != nil {
			b.Fatal(err)
		}
		return n
	}
	transactions := func() int64 {
		var n int64
		if err := db.QueryRow(`SELECT COUNT(*) FROM transactions`).Scan(&n); err != nil {
			b.Fatal(err)
		}
		return n
	}
	waitFor := func(want int) {
		deadline := time.Now().Add(time.Minute)
		for completed() < want {
			if time.Now().After(deadline) {
				var states, errs string
				db.QueryRow(`SELECT COALESCE(string_agg(state || ':' || n, ', '), '') FROM (SELECT state, COUNT(*) AS n FROM river_job GROUP BY state) s`).Scan(&states)
				db.QueryRow(`SELECT COALESCE(MAX(CAST(errors AS TEXT)), '') FROM river_job`).Scan(&errs)
				b.Fatalf("%d of %d sync jobs completed after a minute; jobs by state: %s; an error: %.300s", completed(), want, states, errs)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if err := client.Start(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { client.Stop(context.Background()) })
	waitFor(conns) // the first day, queued by Connect

	before := transactions()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		day.Add(86400)
		for _, l := range links {
			if err := st2.RequestSync(ctx, l.user, l.conn); err != nil {
				b.Fatal(err)
			}
		}
		waitFor(conns * (i + 2))
	}
	b.StopTimer()
	secs := b.Elapsed().Seconds()
	b.ReportMetric(float64(conns*b.N)/secs, "syncs/s")
	b.ReportMetric(float64(transactions()-before)/secs, "new-txn/s")
	b.ReportMetric(0, "ns/op")
}
