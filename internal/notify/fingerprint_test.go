package notify

import (
	"testing"

	"github.com/tallyhq/tally"
)

// The re-check compares fingerprints of totals read in different orders:
// order must not matter, any change of amount, count or budget must.
func TestFingerprint(t *testing.T) {
	t.Parallel()
	a := tally.MonthlyTotal{Month: "2026-11", Category: "groceries", Currency: "USD", Amount: -100, Count: 1}
	b := tally.MonthlyTotal{Month: "2026-11", Category: "gym", Currency: "USD", Amount: -50, Count: 1}
	old := tally.MonthlyTotal{Month: "2026-10", Category: "gym", Currency: "USD", Amount: -50, Count: 1}
	base := fingerprintOf("2026-11", []tally.MonthlyTotal{a, b, old}, map[string]int64{"gym": 1, "groceries": 2})
	if got := fingerprintOf("2026-11", []tally.MonthlyTotal{b, a}, map[string]int64{"groceries": 2, "gym": 1}); got != base {
		t.Errorf("order changed the fingerprint: %q vs %q", got, base)
	}
	a2 := a
	a2.Amount, a2.Count = -150, 2
	for name, fp := range map[string]string{
		"amount": fingerprintOf("2026-11", []tally.MonthlyTotal{a2, b}, map[string]int64{"gym": 1, "groceries": 2}),
		"budget": fingerprintOf("2026-11", []tally.MonthlyTotal{a, b}, map[string]int64{"gym": 1, "groceries": 3}),
		"gone":   fingerprintOf("2026-11", []tally.MonthlyTotal{a, b}, map[string]int64{"gym": 1}),
	} {
		if fp == base {
			t.Errorf("a change of %s left the fingerprint unchanged", name)
		}
	}
}
