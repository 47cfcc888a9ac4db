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

// BenchmarkRun100k is a whole pass for a user with 100,000 transactions
// over 26 months in four accounts (40 monthly series, pay every two weeks,
// 5,000 transfers, purchases at 300 sellers): read them, match transfers
// (all linked by the first pass, before timing), detect and store series,
// and derive and store each account's daily balance.
func BenchmarkRun100k(b *testing.B) {
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
	add := func(k int, d time.Time, amount int64, merchant, desc, category string) {
		txns = append(txns, &tally.Transaction{AccountID: accounts[k].ID, ExternalID: fmt.Sprint(len(txns)), PostedOn: d, Amount: amount,
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
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := svc.Run(ctx, u.ID); err != nil {
			b.Fatal(err)
		}
	}
}
