package store_test

import (
	"context"
	"fmt"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/store"
)

// Twenty recategorizations of one seller's transactions at once, each
// making a rule for the seller: on PostgreSQL they once deadlocked (19 of
// 20 failed with 40P01); now every one succeeds and the totals hold.
func TestParallelRulesForOneSellerDoNotDeadlock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u, a := seedAccount(t, s, "busy@example.com")
	var txns []*tally.Transaction
	for i := range 20 {
		x := txn(a, fmt.Sprint("p", i), fmt.Sprintf("2026-03-%02d", i+1), -int64(100*(i+1)), "restaurants")
		x.Merchant, x.Description = "Joe's Pizza", "TST* JOE'S PIZZA"
		txns = append(txns, x)
	}
	if _, err := s.InsertTransactions(ctx, u.ID, txns); err != nil {
		t.Fatal(err)
	}
	cats := []string{"fast_food", "groceries", "coffee_shops", "restaurants"}
	var wg gosync.WaitGroup
	errs := make(chan error, len(txns))
	for i, x := range txns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := s.Recategorize(ctx, u.ID, x.ID, cats[i%len(cats)], store.CategoryChange{MerchantKey: "JOESPIZZA", Rule: true, Vote: true})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if err != nil {
			failed++
			t.Log(err)
		}
	}
	if failed != 0 {
		t.Fatalf("%d of 20 parallel recategorizations failed, want 0", failed)
	}
	noDrift(t, s, u.ID)
}

// The refresh cooldown holds under concurrent requests, and across
// processes whose clocks differ: once up to three were accepted in a
// minute for one connection.
func TestRefreshCooldownIsRaceFree(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u, _ := seedAccount(t, s, "refresh@example.com")
	conns, err := s.Connections(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	id := conns[0].ID
	now := time.Now()
	var ok atomic.Int32
	var wg gosync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Ten processes, their clocks up to 9 s apart.
			p := store.New(s.DB(), store.NoJobs{})
			p.Now = func() time.Time { return now.Add(-time.Duration(i) * time.Second) }
			if _, err := p.RequestRefresh(ctx, u.ID, id, time.Minute); err == nil {
				ok.Add(1)
			} else if tally.ErrorCode(err) != tally.ERATELIMIT {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := ok.Load(); n != 1 {
		t.Fatalf("%d of 10 concurrent refreshes accepted, want 1", n)
	}
	late := store.New(s.DB(), store.NoJobs{})
	late.Now = func() time.Time { return now.Add(61 * time.Second) }
	if _, err := late.RequestRefresh(ctx, u.ID, id, time.Minute); err != nil {
		t.Fatalf("a refresh after the cooldown: %v", err)
	}
}

// The rows of a sync are counted across a crash: the retried sync goes on
// from what the first attempt inserted, and a new sync starts from zero.
func TestSyncInsertedSurvivesACrash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	u, a := seedAccount(t, s, "crash@example.com")
	conns, _ := s.Connections(ctx, u.ID)
	id := conns[0].ID
	if err := s.StartSync(ctx, u.ID, id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.InsertTransactions(ctx, u.ID, []*tally.Transaction{txn(a, "1", "2026-03-01", -100, "groceries"), txn(a, "2", "2026-03-02", -100, "groceries")}); err != nil {
		t.Fatal(err)
	}
	// The process dies; the job runs again and inserts the rest.
	if err := s.StartSync(ctx, u.ID, id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.InsertTransactions(ctx, u.ID, []*tally.Transaction{txn(a, "1", "2026-03-01", -100, "groceries"), txn(a, "3", "2026-03-03", -100, "groceries")}); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishSync(ctx, u.ID, id, tally.StatusActive, ""); err != nil {
		t.Fatal(err)
	}
	if n, err := s.SyncInserted(ctx, u.ID, id); err != nil || n != 3 {
		t.Fatalf("SyncInserted = %d, %v; want 3 across both attempts", n, err)
	}
	if err := s.StartSync(ctx, u.ID, id); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.SyncInserted(ctx, u.ID, id); n != 0 {
		t.Fatalf("a new sync starts at %d, want 0", n)
	}
}
