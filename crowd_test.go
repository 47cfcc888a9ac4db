package tally_test

import (
	"testing"

	"github.com/tallyhq/tally"
)

func TestCrowdWinner(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		counts map[string]int
		want   string
	}{
		{map[string]int{}, ""},
		{map[string]int{"a": 2}, ""},
		{map[string]int{"a": 3}, "a"},
		{map[string]int{"a": 3, "b": 3}, ""},
		{map[string]int{"a": 3, "b": 4}, "b"},
		{map[string]int{"a": 5, "b": 1, "c": 1}, "a"},
	} {
		if got, _ := tally.CrowdWinner(tc.counts, 3); got != tc.want {
			t.Errorf("CrowdWinner(%v) = %q, want %q", tc.counts, got, tc.want)
		}
	}
}
