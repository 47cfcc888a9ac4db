package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally"
)

// A brokerage statement's positions show on /investments, and the stored
// balances plus those positions give the dashboard's net worth history.
func TestInvestmentsAndNetWorthHistory(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	alice := e.user("alice@example.com")
	ctx := t.Context()
	day := func(s string) time.Time { d, _ := time.Parse(tally.DateLayout, s); return d }
	chk := &tally.Account{ExternalID: "1", Name: "Checking", Type: tally.AccountChecking, Currency: "USD"}
	ira := &tally.Account{ExternalID: "2", Name: "Brokerage IRA", Type: tally.AccountInvestment, Currency: "USD"}
	if err := e.store.CreateConnection(ctx, &tally.Connection{UserID: alice.ID, Kind: tally.ConnectionOFX, URL: "https://bank.example/ofx", Login: "a"}, []byte("x"), []*tally.Account{chk, ira}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SaveDailyBalances(ctx, alice.ID, []tally.AccountBalance{
		{AccountID: chk.ID, Day: day("2026-01-15"), Balance: 100000, Currency: "USD", Source: tally.BalanceDerived},
		{AccountID: chk.ID, Day: day("2026-03-01"), Balance: 150000, Currency: "USD", Source: tally.BalanceDerived},
	}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.RecordStatement(ctx, alice.ID, ira.ID, &tally.AccountBalance{Day: day("2026-02-20"), Balance: 0, Currency: "USD"},
		[]tally.Holding{{SecurityID: "922908363", IDType: "CUSIP", PositionType: "POSMF", Units: "4.000", UnitPrice: "500.00", MarketValue: 200000, Currency: "USD", AsOf: day("2026-02-20")}}); err != nil {
		t.Fatal(err)
	}
	e.signIn("alice@example.com")

	status, page := e.get("/investments")
	if status != http.StatusOK {
		t.Fatalf("GET /investments: %d", status)
	}
	for _, want := range []string{"922908363", "4.000", "500.00", "$2,000.00", "Feb 20, 2026", "Brokerage IRA", "Feb 2026", "Mar 2026", "<polyline"} {
		if !strings.Contains(page, want) {
			t.Errorf("/investments lacks %q", want)
		}
	}
	if strings.Contains(page, "Jan 2026") {
		t.Errorf("/investments shows a month before the first position")
	}

	_, page = e.get("/")
	// Jan: checking only, marked as before the positions were known; Feb:
	// checking and the positions; Mar: both, with the newer checking
	// balance.
	for _, want := range []string{"Net worth at the end of each month", "<td class=\"lead\">Jan 2026 *</td><td data-label=\"Assets\" class=\"num\">$1,000.00</td>",
		"Months marked * count only the cash in Brokerage IRA: investment positions were first reported on Feb 20, 2026",
		"<td class=\"lead\">Feb 2026</td><td data-label=\"Assets\" class=\"num\">$3,000.00</td>", "<td class=\"lead\">Mar 2026</td><td data-label=\"Assets\" class=\"num\">$3,500.00</td>"} {
		if !strings.Contains(page, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	if strings.Contains(page, "Dec 2025") {
		t.Errorf("dashboard shows net worth before the first balance")
	}
}
