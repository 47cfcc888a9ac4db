package store_test

import (
	"context"
	"fmt"
	gosync "sync"
	"testing"

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
