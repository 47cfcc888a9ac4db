package jobs_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/jobs"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
)

// Three users agreeing on a seller enqueue crowd_apply in the vote's
// transaction; the worker re-files a fourth user's transactions of it.
func TestCrowdApplyJob(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := sqldbtest.Open(t)
	if err := jobs.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	st := store.New(db, store.NoJobs{})
	client, err := jobs.New(db, jobs.Config{Workers: 1, PollInterval: 50 * time.Millisecond}, nil, st)
	if err != nil {
		t.Fatal(err)
	}
	st.SetJobs(client)
	var ids []string
	var users []string
	for i := range 4 {
		// Voters whose votes count: accounts older than a week with the
		// seller in a linked bank's transactions. The connection is made
		// without a queue, as this test has no syncer.
		old := store.New(db, store.NoJobs{})
		old.Now = func() time.Time { return time.Now().Add(-8 * 24 * time.Hour) }
		u, err := old.CreateUser(ctx, fmt.Sprintf("c%d@example.com", i), "hash")
		if err != nil {
			t.Fatal(err)
		}
		acct := &tally.Account{ExternalID: "1", Name: "Checking", Type: tally.AccountChecking, Currency: "USD"}
		if err := old.CreateConnection(ctx, &tally.Connection{UserID: u.ID, Kind: tally.ConnectionOFX, URL: "https://bank.test/ofx", Login: "me"}, []byte("s"), []*tally.Account{acct}); err != nil {
			t.Fatal(err)
		}
		x := &tally.Transaction{AccountID: acct.ID, ExternalID: "x", PostedOn: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), Amount: -1200,
			Currency: "USD", Description: "TST* JOE'S PIZZA", Merchant: "Joe's Pizza", MerchantKey: "JOESPIZZA", Category: "restaurants", CategorySource: tally.SourceDictionary}
		if _, err := st.InsertTransactions(ctx, u.ID, []*tally.Transaction{x}); err != nil {
			t.Fatal(err)
		}
		users, ids = append(users, u.ID), append(ids, x.ID)
	}
	for i := range 3 {
		if _, _, err := st.Recategorize(ctx, users[i], ids[i], "fast_food", store.CategoryChange{MerchantKey: "JOESPIZZA", Vote: true}); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'crowd_apply'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("%d crowd_apply jobs, want 2 (the third vote changed the crowd category: one now, one after syncs refresh)", n)
	}
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		client.Stop(sctx)
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		x, err := st.Transaction(ctx, users[3], ids[3])
		if err != nil {
			t.Fatal(err)
		}
		if x.Category == "fast_food" && x.CategorySource == tally.SourceCrowd {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("4th user's transaction is still %s/%s, want fast_food/crowd", x.Category, x.CategorySource)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if d, err := st.ReconcileUser(ctx, users[3], false); err != nil || len(d) != 0 {
		t.Fatalf("reconcile: %v, drift %+v", err, d)
	}
}
