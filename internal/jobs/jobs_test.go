package jobs_test

import (
	"context"
	"testing"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/jobs"
	"github.com/tallyhq/tally/internal/sqldb"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
)

func queuedSyncs(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'sync'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// queueStore returns a migrated database with River's tables, a store that
// enqueues through an insert-only job client, and a user.
func queueStore(t *testing.T, email string) (*sqldb.DB, *store.Store, *tally.User) {
	t.Helper()
	ctx := context.Background()
	db := sqldbtest.Open(t)
	if err := jobs.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	client, err := jobs.New(db, jobs.Config{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(db, client)
	u, err := st.CreateUser(ctx, email, "hash")
	if err != nil {
		t.Fatal(err)
	}
	return db, st, u
}

// A sync job exists exactly when the write that causes it commits, and a
// second request while one is queued adds nothing.
func TestSyncJobsAreTransactionalAndUnique(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, st, u := queueStore(t, "j@example.com")

	// A connection whose insert fails leaves no job behind.
	dup := &tally.Connection{ID: "same", UserID: u.ID, Kind: tally.ConnectionOFX, URL: "http://bank.test", Login: "l"}
	if err := st.CreateConnection(ctx, dup, []byte("s"), nil); err != nil {
		t.Fatal(err)
	}
	if n := queuedSyncs(t, db); n != 1 {
		t.Fatalf("after one connection: %d sync jobs, want 1", n)
	}
	if err := st.CreateConnection(ctx, &tally.Connection{ID: "same", UserID: u.ID, Kind: tally.ConnectionOFX, URL: "http://bank.test", Login: "l"}, []byte("s"), nil); err == nil {
		t.Fatal("a duplicate connection id was accepted")
	}
	if n := queuedSyncs(t, db); n != 1 {
		t.Fatalf("after a failed connection insert: %d sync jobs, want 1", n)
	}

	// Refreshing while the first sync is still queued is a no-op.
	for range 3 {
		if err := st.RequestSync(ctx, u.ID, dup.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n := queuedSyncs(t, db); n != 1 {
		t.Fatalf("after repeated refreshes: %d sync jobs, want 1", n)
	}

	// Another user's connection cannot be refreshed.
	other, _ := st.CreateUser(ctx, "k@example.com", "hash")
	if err := st.RequestSync(ctx, other.ID, dup.ID); tally.ErrorCode(err) != tally.ENOTFOUND {
		t.Fatalf("other user's refresh error = %v, want not found", err)
	}
}

// The refresh button makes a sync that the daily refresh scheduled for
// later run now, instead of being dropped as its duplicate.
func TestRequestSyncRunsAScheduledSyncNow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, st, u := queueStore(t, "s@example.com")
	conn := &tally.Connection{UserID: u.ID, Kind: tally.ConnectionOFX, URL: "http://bank.test", Login: "l"}
	if err := st.CreateConnection(ctx, conn, []byte("s"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE river_job SET state = 'scheduled' WHERE kind = 'sync'`); err != nil {
		t.Fatal(err)
	}
	if err := st.RequestSync(ctx, u.ID, conn.ID); err != nil {
		t.Fatal(err)
	}
	var n int
	var state string
	if err := db.QueryRow(`SELECT COUNT(*), MIN(state) FROM river_job WHERE kind = 'sync'`).Scan(&n, &state); err != nil {
		t.Fatal(err)
	}
	if n != 1 || state != "available" {
		t.Fatalf("after refresh: %d sync jobs in state %s, want 1 available", n, state)
	}
}
