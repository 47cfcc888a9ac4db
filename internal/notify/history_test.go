package notify_test

import (
	"context"
	"database/sql"
	gosync "sync"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
)

// recordingJobs records the budget checks the store enqueues.
type recordingJobs struct {
	store.NoJobs
	mu     gosync.Mutex
	checks []string // months
}

func (j *recordingJobs) EnqueueBudgetCheckTx(_ context.Context, _ *sql.Tx, _, month string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.checks = append(j.checks, month)
	return nil
}

func (j *recordingJobs) take() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := j.checks
	j.checks = nil
	return out
}

// A budget check that runs while a first sync's chunks are still arriving
// raises nothing (its history and spending are partial); the sync's last
// transaction enqueues the check that does.
func TestBudgetCheckWaitsForTheSyncToFinish(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	jobs := &recordingJobs{}
	st := store.New(sqldbtest.Open(t), jobs)
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	st.Now = func() time.Time { return now }
	svc := &notify.Service{Store: st, Now: func() time.Time { return now }}
	u, err := st.CreateUser(ctx, "sync@example.com", "hash")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetBudget(ctx, u.ID, "gas_fuel", 5000, "USD", "2026-11"); err != nil {
		t.Fatal(err)
	}
	acct := &tally.Account{ExternalID: "1", Name: "Checking", Type: tally.AccountChecking, Currency: "USD", Status: tally.StatusSyncing}
	conn := &tally.Connection{UserID: u.ID, Kind: tally.ConnectionOFX, URL: "https://bank.test/ofx", Login: "me", Status: tally.StatusSyncing}
	if err := st.CreateConnection(ctx, conn, []byte("s"), []*tally.Account{acct}); err != nil {
		t.Fatal(err)
	}
	if err := st.StartSync(ctx, u.ID, conn.ID); err != nil {
		t.Fatal(err)
	}
	// The first chunk: $61 of gas this month.
	chunk := []*tally.Transaction{{AccountID: acct.ID, ExternalID: "g1", PostedOn: time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC), Amount: -6100,
		Currency: "USD", Description: "EXXON", Merchant: "ExxonMobil", Category: "gas_fuel", CategorySource: tally.SourceDictionary}}
	if _, err := st.InsertTransactions(ctx, u.ID, chunk); err != nil {
		t.Fatal(err)
	}
	for _, m := range jobs.take() {
		added, err := svc.Check(ctx, u.ID, m)
		if err != nil {
			t.Fatal(err)
		}
		if len(added) != 0 {
			t.Fatalf("a check during the sync raised %d alerts, want none", len(added))
		}
	}
	if err := st.FinishSync(ctx, u.ID, conn.ID, tally.StatusActive, ""); err != nil {
		t.Fatal(err)
	}
	months := jobs.take()
	if len(months) == 0 || months[0] != "2026-11" {
		t.Fatalf("the end of the sync enqueued checks of %v, want 2026-11", months)
	}
	added, err := svc.Check(ctx, u.ID, "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	if len(added) != 1 || added[0].Kind != tally.NotifyBudgetExceeded {
		t.Fatalf("the check after the sync raised %+v, want one budget_exceeded", added)
	}
}
