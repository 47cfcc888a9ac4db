package networth

import (
	"fmt"
	"testing"
	"time"

	"github.com/tallyhq/tally"
)

func TestCompute(t *testing.T) {
	t.Parallel()
	bal := func(id, d string, v int64) tally.AccountBalance {
		return tally.AccountBalance{AccountID: id, Day: day(d), Balance: v, Source: tally.BalanceDerived}
	}
	accounts := []*tally.Account{
		{ID: "chk", Type: tally.AccountChecking, Currency: "USD", Balance: 99999}, // stored balances win
		{ID: "card", Type: tally.AccountCreditCard, Currency: "USD", Balance: -3000},
		{ID: "ira", Type: tally.AccountInvestment, Currency: "USD", Balance: 500},
		{ID: "old", Type: tally.AccountSavings, Currency: "USD", Balance: 700000, Hidden: true},
		{ID: "eur", Type: tally.AccountChecking, Currency: "EUR", Balance: 40000},
	}
	in := Input{
		Accounts: accounts, Currency: "USD", Today: day("2026-03-04"),
		Balances: map[string][]tally.AccountBalance{
			"chk": {bal("chk", "2026-03-01", 10000), bal("chk", "2026-03-03", 12000)},
			"ira": {bal("ira", "2026-03-01", 500)},
			"old": {bal("old", "2026-03-01", 700000)},
			"eur": {bal("eur", "2026-03-01", 40000)},
		},
		// Positions first reported on the 3rd.
		Values: map[string][]tally.AccountBalance{"ira": {bal("ira", "2026-03-03", 200000)}},
	}
	s := Compute(in, Days(day("2026-03-01"), day("2026-03-04")))
	var got []string
	for _, p := range s.Points {
		got = append(got, fmt.Sprintf("%s %d %d %v", p.Day.Format(tally.DateLayout), p.Assets, p.Liabilities, p.Partial))
	}
	want := []string{
		// The ira counts its cash only before its positions; the card,
		// never derived, counts its current balance from today; the
		// hidden savings and the euro account never count.
		"2026-03-01 10500 0 true",
		"2026-03-02 10500 0 true",
		"2026-03-03 212500 0 false",
		"2026-03-04 212500 3000 false",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("points:\n got %v\nwant %v", got, want)
	}
	if len(s.Accounts) != 3 || s.Accounts["chk"] != 12000 || s.Accounts["ira"] != 200500 || s.Accounts["card"] != -3000 {
		t.Errorf("accounts on the last day: got %v, want chk 12000, ira 200500, card -3000", s.Accounts)
	}
	if len(s.PositionsFrom) != 1 || !s.PositionsFrom["ira"].Equal(day("2026-03-03")) {
		t.Errorf("positions from: got %v, want ira on 2026-03-03", s.PositionsFrom)
	}
	if s := Compute(Input{Accounts: accounts, Currency: "EUR"}, []time.Time{day("2026-03-01")}); s.Points[0].Assets != 0 {
		t.Errorf("EUR without stored balances or today: got %+v, want nothing counted", s.Points[0])
	}
}

func TestMainCurrency(t *testing.T) {
	t.Parallel()
	usd := &tally.Account{Currency: "USD"}
	eur := &tally.Account{Currency: "EUR"}
	hiddenUSD := &tally.Account{Currency: "USD", Hidden: true}
	for _, c := range []struct {
		accounts []*tally.Account
		want     string
	}{
		{[]*tally.Account{eur, usd}, "USD"},       // the profile's, when an account is in it
		{[]*tally.Account{eur}, "EUR"},            // else the first counting account's
		{[]*tally.Account{hiddenUSD, eur}, "EUR"}, // a hidden account does not count
		{nil, "USD"},
	} {
		if got := MainCurrency(c.accounts, "USD"); got != c.want {
			t.Errorf("%d accounts: got %s, want %s", len(c.accounts), got, c.want)
		}
	}
}

func ExampleCompute() {
	accounts := []*tally.Account{
		{ID: "checking", Currency: "USD", Balance: 250000},
		{ID: "card", Currency: "USD", Balance: -40000},
		{ID: "closed", Currency: "USD", Balance: 900000, Hidden: true},
	}
	today := day("2026-03-15")
	s := Compute(Input{Accounts: accounts, Currency: "USD", Today: today}, []time.Time{today})
	p := s.Points[0]
	fmt.Println(p.Assets, p.Liabilities, p.Net())
	// Output:
	// 250000 40000 210000
}
