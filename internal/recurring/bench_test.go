package recurring

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// benchTxns builds n transactions of one user over 26 months in four
// accounts: 40 monthly and 10 weekly series, two paychecks a month,
// transfers between the accounts (two sides each), and purchases at 300
// sellers at no cadence for the rest.
func benchTxns(n int) []Txn {
	r := rand.New(rand.NewPCG(1, uint64(n)))
	start := time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC)
	days := 26 * 30
	accounts := []string{"checking", "savings", "card", "brokerage"}
	out := make([]Txn, 0, n)
	add := func(acct string, d time.Time, amount int64, merchant, desc, category string) {
		out = append(out, Txn{ID: fmt.Sprintf("t%07d", len(out)), AccountID: acct, Date: d, Amount: amount, Currency: "USD",
			Merchant: merchant, Description: desc, Category: category})
	}
	for s := range 40 {
		for m := range 26 {
			add("card", start.AddDate(0, m, s%28), -int64(500+s*137), fmt.Sprintf("Service %d", s), "SERVICE", "streaming")
		}
	}
	for s := range 10 {
		for d := s; d < days; d += 7 {
			add("card", start.AddDate(0, 0, d), -int64(300+s*11), fmt.Sprintf("Weekly %d", s), "WEEKLY", "newspapers_magazines")
		}
	}
	for d := 0; d < days; d += 14 {
		add("checking", start.AddDate(0, 0, d), 250000, "Payroll", "PAYROLL", "paycheck")
	}
	for i := 0; len(out) < n && i < n/10; i++ {
		d := start.AddDate(0, 0, r.IntN(days))
		a := int64(1000 + r.IntN(100000))
		from, to := accounts[r.IntN(4)], accounts[r.IntN(4)]
		if from == to {
			continue
		}
		add(from, d, -a, "Transfer", "ONLINE TRANSFER", "account_transfer")
		add(to, d.AddDate(0, 0, r.IntN(5)), a, "Transfer", "ONLINE TRANSFER", "account_transfer")
	}
	for len(out) < n {
		m := r.IntN(300)
		add(accounts[r.IntN(3)], start.AddDate(0, 0, r.IntN(days)), -int64(300+r.IntN(20000)), fmt.Sprintf("Seller %d", m), "SELLER", "shopping")
	}
	return out[:n]
}

func benchmarkDetect(b *testing.B, n int) {
	txns := benchTxns(n)
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if got := Detect(txns, today); len(got) < 50 {
			b.Fatalf("got %d series, want at least 50", len(got))
		}
	}
}

func benchmarkMatch(b *testing.B, n int) {
	txns := benchTxns(n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if got := MatchTransfers(txns); len(got) == 0 {
			b.Fatal("no pairs")
		}
	}
}

func BenchmarkDetect10k(b *testing.B)          { benchmarkDetect(b, 10_000) }
func BenchmarkDetect100k(b *testing.B)         { benchmarkDetect(b, 100_000) }
func BenchmarkMatchTransfers10k(b *testing.B)  { benchmarkMatch(b, 10_000) }
func BenchmarkMatchTransfers100k(b *testing.B) { benchmarkMatch(b, 100_000) }

// BenchmarkSortBaseline100k sorts the same 100,000 transactions by date: the
// baseline docs/benchmarks.md compares detection and matching with.
func BenchmarkSortBaseline100k(b *testing.B) {
	txns := benchTxns(100_000)
	work := make([]Txn, len(txns))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		copy(work, txns)
		slices.SortFunc(work, func(x, y Txn) int { return x.Date.Compare(y.Date) })
	}
}
