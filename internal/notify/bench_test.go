package notify_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
)

// benchCategories are the spending categories of the benchmark's user, with
// their purchases per month and typical size in cents.
var benchCategories = []struct {
	id       string
	perMonth int
	size     int64
}{
	{"rent_mortgage", 1, 180000}, {"groceries", 12, 6000}, {"restaurants", 8, 3500}, {"coffee_shops", 15, 600},
	{"gas_fuel", 5, 4500}, {"clothing", 2, 6000}, {"electronics_software", 1, 9000}, {"utilities", 2, 9000},
	{"mobile_phone", 1, 6500}, {"internet", 1, 6000}, {"streaming", 3, 1500}, {"gym", 1, 4000},
	{"pharmacy", 2, 2000}, {"ride_share", 4, 1800}, {"pet_food_supplies", 2, 4000}, {"hair", 1, 4500},
}

// BenchmarkBudgetCheck is one budget_check (Service.Check: profile, first
// month, seven months of totals, manual budgets, the plan, and the alert
// insert that finds them all present) for a user with ten years of
// history: about 7,600 transactions in about 2,200 monthly totals. Its cost
// does not grow with history: it reads seven months of totals.
func BenchmarkBudgetCheck(b *testing.B) {
	ctx := context.Background()
	st := store.New(sqldbtest.Open(b), store.NoJobs{})
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	st.Now = func() time.Time { return now }
	u, err := st.CreateUser(ctx, "bench@example.com", "hash")
	if err != nil {
		b.Fatal(err)
	}
	a := &tally.Account{ExternalID: "bench", Name: "Checking", Type: tally.AccountChecking, Currency: "USD"}
	if err := st.CreateConnection(ctx, &tally.Connection{UserID: u.ID, Kind: tally.ConnectionOFX, URL: "http://bank.test", Login: "b"}, []byte("x"), []*tally.Account{a}); err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	var txns []*tally.Transaction
	start := now.AddDate(-10, 0, 0)
	for m := start; !m.After(now); m = m.AddDate(0, 1, 0) {
		y, mo, _ := m.Date()
		days := time.Date(y, mo+1, 0, 0, 0, 0, 0, time.UTC).Day()
		add := func(cat string, amount int64) {
			day := 1 + r.IntN(days)
			posted := time.Date(y, mo, day, 0, 0, 0, 0, time.UTC)
			if posted.After(now) {
				return
			}
			txns = append(txns, &tally.Transaction{AccountID: a.ID, ExternalID: fmt.Sprint(len(txns)), PostedOn: posted, Amount: amount,
				Currency: "USD", Description: cat, Merchant: cat, Category: cat, CategorySource: tally.SourceDictionary})
		}
		add("paycheck", 320000)
		add("paycheck", 320000)
		for _, c := range benchCategories {
			for range c.perMonth {
				add(c.id, -(c.size/2 + r.Int64N(c.size)))
			}
		}
	}
	for len(txns) > 0 {
		n := min(len(txns), 10_000)
		if _, err := st.InsertTransactions(ctx, u.ID, txns[:n]); err != nil {
			b.Fatal(err)
		}
		txns = txns[n:]
	}
	if err := st.SetBudget(ctx, u.ID, "coffee_shops", 5000, "USD", "2026-11"); err != nil {
		b.Fatal(err)
	}
	svc := &notify.Service{Store: st, Now: func() time.Time { return now }}
	added, err := svc.Check(ctx, u.ID, "2026-11")
	if err != nil {
		b.Fatal(err)
	}
	if len(added) == 0 {
		b.Fatal("the first check raised no alert; the benchmark would not measure the insert path")
	}
	b.ResetTimer()
	for range b.N {
		added, err := svc.Check(ctx, u.ID, "2026-11")
		if err != nil {
			b.Fatal(err)
		}
		if len(added) != 0 {
			b.Fatalf("a repeated check added %d notifications", len(added))
		}
	}
}
