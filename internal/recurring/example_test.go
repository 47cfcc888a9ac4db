package recurring_test

import (
	"fmt"
	"time"

	"github.com/tallyhq/tally/internal/recurring"
)

func ExampleDetect() {
	var txns []recurring.Txn
	d := time.Date(2026, 1, 12, 0, 0, 0, 0, time.UTC)
	for i := range 6 {
		amount := int64(-1549)
		if i == 5 {
			amount = -1799 // the price went up
		}
		txns = append(txns, recurring.Txn{ID: fmt.Sprint(i), AccountID: "card", Date: d, Amount: amount, Currency: "USD",
			Merchant: "Netflix", Category: "streaming"})
		d = d.AddDate(0, 1, 0)
	}
	today := time.Date(2026, 6, 20, 0, 0, 0, 0, time.UTC)
	for _, s := range recurring.Detect(txns, today) {
		fmt.Println(s.Merchant, s.Cadence, s.Kind, s.State, s.Count(), s.NextDate.Format("2006-01-02"), s.PriceIncrease())
	}
	// Output:
	// Netflix monthly subscription active 6 2026-07-12 true
}

func ExampleMatchTransfers() {
	day := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	txns := []recurring.Txn{
		{ID: "a", AccountID: "checking", Date: day("2026-03-03"), Amount: -20000, Currency: "USD", Description: "ONLINE TRANSFER TO SAV"},
		{ID: "b", AccountID: "savings", Date: day("2026-03-05"), Amount: 20000, Currency: "USD", Description: "ONLINE TRANSFER FROM CHK"},
		{ID: "c", AccountID: "card", Date: day("2026-03-04"), Amount: 20000, Currency: "USD", Description: "REFUND BEST BUY", Category: "returned_purchase"},
	}
	for _, p := range recurring.MatchTransfers(txns) {
		fmt.Println(p.Out.ID, "->", p.In.ID, "after", p.Lag, "days")
	}
	// Output:
	// a -> b after 2 days
}
