package summary_test

import (
	"reflect"
	"testing"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/summary"
)

func TestNetWorthOf(t *testing.T) {
	t.Parallel()
	accounts := []*tally.Account{
		{Currency: "USD", Balance: 250000},
		{Currency: "USD", Balance: -40000}, // a credit card
		{Currency: "EUR", Balance: 1000},
		{Currency: "CAD", Balance: -500},
	}
	got := summary.NetWorthOf(accounts, "USD")
	want := []summary.NetWorth{
		{Currency: "USD", Assets: 250000, Liabilities: 40000, Total: 210000},
		{Currency: "CAD", Assets: 0, Liabilities: 500, Total: -500},
		{Currency: "EUR", Assets: 1000, Liabilities: 0, Total: 1000},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if got := summary.NetWorthOf(nil, "GBP"); len(got) != 1 || got[0] != (summary.NetWorth{Currency: "GBP"}) {
		t.Fatalf("no accounts: got %+v, want a zero GBP entry", got)
	}
}
