package trends_test

import (
	"fmt"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/trends"
)

func ExampleBuild() {
	months, _ := trends.Range("2026-01", "2026-02")
	totals := []tally.MonthlyTotal{
		{Month: "2026-01", Category: "groceries", Currency: "USD", Amount: -12000, Count: 4},
		{Month: "2026-01", Category: "paycheck", Currency: "USD", Amount: 250000, Count: 1},
		{Month: "2026-02", Category: "gas_fuel", Currency: "USD", Amount: -4500, Count: 1},
	}
	r := trends.Build(months, totals, "")
	for _, m := range r.Months {
		fmt.Printf("%s income %s spending %s\n", m.Month, tally.FormatAmount(m.Income, r.Currency), tally.FormatAmount(m.Spending, r.Currency))
	}
	fmt.Println(r.Categories)
	// Output:
	// 2026-01 income 2500.00 spending 120.00
	// 2026-02 income 0.00 spending 45.00
	// [food_dining auto_transport]
}
