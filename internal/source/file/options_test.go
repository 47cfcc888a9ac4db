package file_test

import (
	"strings"
	"testing"

	"github.com/tallyhq/tally/internal/source/file"
)

// A CSV or QIF file does not say its currency: its amounts are in the
// minor units of the account's.
func TestReadWithCurrency(t *testing.T) {
	t.Parallel()
	const csv = "Date,Description,Amount\n2026-03-02,Ramen,-1500\n2026-03-03,Refund,12.5\n"
	for _, tc := range []struct {
		currency string
		want     []int64
	}{
		{"", []int64{-150000, 1250}},
		{"USD", []int64{-150000, 1250}},
		{"JPY", []int64{-1500, 13}},
		{"BHD", []int64{-1500000, 12500}},
	} {
		var got []int64
		_, err := file.ReadWith(strings.NewReader(csv), file.ReadOptions{Currency: tc.currency}, func(c *file.Chunk) error {
			for _, x := range c.Transactions {
				got = append(got, x.Amount)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0] != tc.want[0] || got[1] != tc.want[1] {
			t.Errorf("%q: got %v, want %v", tc.currency, got, tc.want)
		}
	}
}
