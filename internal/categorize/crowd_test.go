package categorize_test

import (
	"fmt"
	"testing"

	"github.com/tallyhq/tally/internal/categorize"
)

func TestCrowdConsensus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		counts map[string]int
		users  int
		want   string
	}{
		{"no votes", nil, 10, ""},
		{"too few", map[string]int{"groceries": 2}, 3, ""},
		{"three of a small seller", map[string]int{"groceries": 3}, 5, "groceries"},
		{"three of a big seller", map[string]int{"groceries": 3}, 1000, ""},
		{"five percent of a big seller", map[string]int{"groceries": 50}, 1000, "groceries"},
		{"capped for sellers everyone has", map[string]int{"groceries": 100}, 5_000_000, "groceries"},
		{"tie", map[string]int{"groceries": 4, "restaurants": 4}, 10, ""},
		{"no majority", map[string]int{"groceries": 4, "restaurants": 3, "fast_food": 2}, 10, ""},
		{"majority", map[string]int{"groceries": 6, "restaurants": 3, "fast_food": 2}, 10, "groceries"},
	} {
		if got, _ := categorize.CrowdConsensus(tc.counts, tc.users); got != tc.want {
			t.Errorf("%s: CrowdConsensus(%v, %d) = %q, want %q", tc.name, tc.counts, tc.users, got, tc.want)
		}
	}
}

func ExampleCrowdThreshold() {
	for _, users := range []int{1, 100, 1000, 1_000_000} {
		fmt.Println(users, categorize.CrowdThreshold(users))
	}
	// Output:
	// 1 3
	// 100 5
	// 1000 50
	// 1000000 100
}
