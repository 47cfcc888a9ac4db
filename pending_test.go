package tally_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/tallyhq/tally"
)

func TestMatchPending(t *testing.T) {
	t.Parallel()
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }
	tx := func(d int, amount int64, merchant, desc string) *tally.Transaction {
		return &tally.Transaction{PostedOn: day(d), Amount: amount, Currency: "USD", Merchant: merchant, Description: desc}
	}
	for _, tc := range []struct {
		name    string
		pending []*tally.Transaction
		posted  []*tally.Transaction
		want    []tally.PendingMatch
	}{
		{"same amount two days later", []*tally.Transaction{tx(2, -1000, "Cafe", "CAFE")}, []*tally.Transaction{tx(4, -1000, "Cafe", "CAFE 1")}, []tally.PendingMatch{{0, 0}}},
		{"a tip of 25%", []*tally.Transaction{tx(2, -4000, "Bistro", "")}, []*tally.Transaction{tx(3, -5000, "Bistro", "")}, []tally.PendingMatch{{0, 0}}},
		{"a tip of 40% is another purchase", []*tally.Transaction{tx(2, -4000, "Bistro", "")}, []*tally.Transaction{tx(3, -5600, "Bistro", "")}, nil},
		{"a hold released 8% lower", []*tally.Transaction{tx(2, -10000, "Hotel", "")}, []*tally.Transaction{tx(5, -9200, "Hotel", "")}, []tally.PendingMatch{{0, 0}}},
		{"posted before the pending day", []*tally.Transaction{tx(5, -1000, "Cafe", "")}, []*tally.Transaction{tx(4, -1000, "Cafe", "")}, nil},
		{"eleven days later", []*tally.Transaction{tx(1, -1000, "Cafe", "")}, []*tally.Transaction{tx(12, -1000, "Cafe", "")}, nil},
		{"another seller", []*tally.Transaction{tx(2, -1000, "Cafe", "CAFE")}, []*tally.Transaction{tx(2, -1000, "Bakery", "BAKERY")}, nil},
		{"no merchant, same descriptor start", []*tally.Transaction{tx(2, -1000, "", "SQ *BLUE BOTTLE 1")}, []*tally.Transaction{tx(3, -1000, "", "SQ *BLUE BOTTLE 2")}, []tally.PendingMatch{{0, 0}}},
		{"a refund is not a purchase", []*tally.Transaction{tx(2, -1000, "Cafe", "")}, []*tally.Transaction{tx(3, 1000, "Cafe", "")}, nil},
		{
			"two coffees each get their own posted twin, closest first",
			[]*tally.Transaction{tx(2, -450, "Cafe", ""), tx(3, -450, "Cafe", "")},
			[]*tally.Transaction{tx(3, -450, "Cafe", ""), tx(4, -450, "Cafe", "")},
			[]tally.PendingMatch{{0, 0}, {1, 1}},
		},
	} {
		if got := tally.MatchPending(tc.pending, tc.posted); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}
