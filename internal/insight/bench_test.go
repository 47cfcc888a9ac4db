package insight_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/insight"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
)

// benchUser is a user with 100,000 transactions over 26 months in four
// accounts (40 monthly series, pay every two weeks, 5,000 transfers,
// purchases at 300 sellers) after a first pass (every transfer linked),
// and a function that adds n more purchases posted today.
func benchUser(b *testing.B) (*insight.Service, string, func(n int)) {
	ctx := context.Background()
	st := store.New(sqldbtest.Open(b), store.NoJobs{})
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	st.Now = func() time.Time { return now }
	u, err := st.CreateUser(ctx, "bench@example.com", "hash")
	if err != nil {
		b.Fatal(err)
	}
	var accounts []*tally.Account
	for i, typ := range []string{tally.AccountChecking, tally.AccountSavings, tally.AccountCreditCard, tally.AccountInvestment} {
		accounts = append(accounts, &tally.Account{ExternalID: fmt.Sprint(i), Name: typ, Type: typ, Currency: "USD"})
	}
	if err := st.CreateConnection(ctx, &tally.Connection{UserID: u.ID, Kind: tally.ConnectionFile, URL: "file", Login: "bench"}, []byte("x"), accounts); err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 7))
	start := now.AddDate(0, -26, 0).Truncate(24 * time.Hour)
	days := 26 * 30
	var txns []*tally.Transaction
	ids := 0
	add := func(k int, d time.Time, amount int64, merchant, desc, category string) {
		ids++
		txns = append(txns, &tally.Transaction{AccountID: accounts[k].ID, ExternalID: fmt.Sprint(ids), PostedOn: d, Amount: amount,
			Currency: "USD", Description: desc, Merchant: merchant, Category: category, CategorySource: tally.SourceDictionary})
	}
	for s := range 40 {
		for m := range 26 {
			add(2, start.AddDate(0, m, s%28), -int64(500+s*137), fmt.Sprintf("Service %d", s), "SERVICE", "streaming")
		}
	}
	for d := 0; d < days; d += 14 {
		add(0, start.AddDate(0, 0, d), 250000, "Payroll", "PAYROLL", "paycheck")
	}
	for range 5000 {
		d := start.AddDate(0, 0, r.IntN(days))
		a := int64(1000 + r.IntN(100000))
		add(0, d, -a, "Transfer", "ONLINE TRANSFER TO SAV", "account_transfer")
		add(1, d.AddDate(0, 0, r.IntN(5)), a, "Transfer", "ONLINE TRANSFER FROM CHK", "uncategorized")
	}
	for len(txns) < 100_000 {
		add(r.IntN(3), start.AddDate(0, 0, r.IntN(days)), -int64(300+r.IntN(20000)), fmt.Sprintf("Seller %d", r.IntN(300)), "SELLER", "shopping")
	}
	for i := 0; i < len(txns); i += 10_000 {
		if _, err := st.InsertTransactions(ctx, u.ID, txns[i:min(i+10_000, len(txns))]); err != nil {
			b.Fatal(err)
		}
	}
	svc := &insight.Service{Store: st, Now: func() time.Time { return now }}
	first, err := svc.Run(ctx, u.ID)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("first pass: %d pairs linked, %d series, %d daily balances", first.Linked, first.Series, first.Days)
	more := func(n int) {
		txns = txns[:0]
		for range n {
			add(r.IntN(3), now.Truncate(24*time.Hour), -int64(300+r.IntN(20000)), fmt.Sprintf("Seller %d", r.IntN(300)), "SELLER", "shopping")
		}
		if _, err := st.InsertTransactions(ctx, u.ID, txns); err != nil {
			b.Fatal(err)
		}
	}
	return svc, u.ID, more
}

// BenchmarkRun100k is a pass with nothing new since the last: the stored
// series' states brought to today and the balances carried.
func BenchmarkRun100k(b *testing.B) {
	svc, userID, _ := benchUser(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := svc.Run(context.Background(), userID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRun100kNewDay is the pass after a day's sync: 5 new purchases
// (a person's day), or 130 (100,000 over 26 months is about 128 a day) at
// up to 130 of the 300 sellers, posted today in three accounts. Inserting
// them is not timed.
func BenchmarkRun100kNewDay(b *testing.B) {
	svc, userID, more := benchUser(b)
	for _, n := range []int{5, 130} {
		b.Run(fmt.Sprintf("purchases=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				more(n)
				b.StartTimer()
				if _, err := svc.Run(context.Background(), userID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRun100kAll is a pass that reads the whole history, as every
// pass did before passes read only what changed (and as one does every
// FullEvery).
func BenchmarkRun100kAll(b *testing.B) {
	svc, userID, _ := benchUser(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := svc.RunAll(context.Background(), userID); err != nil {
			b.Fatal(err)
		}
	}
}
