package insight_test

import (
	"context"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/budget"
	"github.com/tallyhq/tally/internal/demobank"
	"github.com/tallyhq/tally/internal/insight"
	"github.com/tallyhq/tally/internal/networth"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/ofx"
)

// The demo user on the 1st of the month: the rent was paid as every month,
// against a budget made from those same months. Knowing the rent is an
// expected bill, the check raises nothing; it shows the budget as paid.
func TestRentOnTheFirstRaisesNoAlert(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	w := newWorld(t, now)
	u := w.link(t, "demo@example.com", "demo")
	ctx := context.Background()
	svc := &notify.Service{Store: w.st, Now: func() time.Time { return now }}

	rent := func() budget.Line {
		t.Helper()
		plan, err := svc.Plan(ctx, u.ID, "2026-12")
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range plan.Lines {
			if l.Category == "rent_mortgage" {
				return l
			}
		}
		t.Fatal("no rent budget")
		return budget.Line{}
	}
	// Without recurring series this is the alert that cried wolf.
	before := rent()
	if before.Source != budget.SourceHistory || before.Status != budget.StatusExceeded || before.Spent != before.Amount {
		t.Fatalf("before detection: got %s %s spent %d of %d, want a history budget reached by the rent", before.Source, before.Status, before.Spent, before.Amount)
	}
	t.Logf("before: %s", budget.Message(budget.KindExceeded, before, "2026-12", "USD"))

	if _, err := (&insight.Service{Store: w.st, Now: func() time.Time { return now }}).Run(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	after := rent()
	if after.Status != budget.StatusPaid || after.Paid != before.Spent || len(after.Alerts()) != 0 {
		t.Fatalf("after detection: got status %s paid %d alerts %v, want paid %d and none", after.Status, after.Paid, after.Alerts(), before.Spent)
	}
	added, err := svc.Check(ctx, u.ID, "2026-12")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range added {
		if n.Category == "rent_mortgage" || strings.Contains(n.Message, "Rent") {
			t.Errorf("got alert %s %q, want none for the rent", n.Kind, n.Message)
		}
	}
}

// Net worth over the demo user's two years equals, on every day, the sum
// of the balances the bank itself holds for the accounts that day, and each
// holding's market value is its units times its price.
func TestDemoNetWorthEqualsBalances(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)
	w := newWorld(t, now)
	u := w.link(t, "worth@example.com", "worth")
	ctx := context.Background()
	if _, err := (&insight.Service{Store: w.st, Now: func() time.Time { return now }}).Run(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	accounts, err := w.st.Accounts(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	first := time.Date(2024, 11, 21, 0, 0, 0, 0, time.UTC)
	last := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	stored, err := w.st.Balances(ctx, u.ID, first, last)
	if err != nil {
		t.Fatal(err)
	}
	byAccount := map[string][]networth.Day{}
	for _, a := range accounts {
		for _, b := range stored[a.ID] {
			byAccount[a.ID] = append(byAccount[a.ID], networth.Day{Day: b.Day, Balance: b.Balance})
		}
	}
	var days []time.Time
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		days = append(days, d)
	}
	points := networth.Sum(byAccount, days)
	bank := demobank.New()
	bank.Now = func() time.Time { return now }
	infos := bank.Accounts("worth")
	for i, d := range days {
		var assets, liabilities int64
		endOfDay := d.Add(24*time.Hour - time.Second)
		for _, info := range infos {
			b, err := bank.Balance("worth", info.Account, endOfDay)
			if err != nil {
				t.Fatal(err)
			}
			if b >= 0 {
				assets += b
			} else {
				liabilities -= b
			}
		}
		p := points[i]
		if p.Assets != assets || p.Liabilities != liabilities {
			t.Fatalf("%s: got assets %d liabilities %d, want the bank's %d and %d", d.Format(tally.DateLayout), p.Assets, p.Liabilities, assets, liabilities)
		}
	}

	hs, err := w.st.LatestHoldings(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) == 0 {
		t.Fatal("no holdings stored from the investment statement")
	}
	for _, h := range hs {
		units, ok1 := new(big.Rat).SetString(h.Units)
		price, ok2 := new(big.Rat).SetString(h.UnitPrice)
		if !ok1 || !ok2 {
			t.Fatalf("%s: units %q price %q are not decimals", h.SecurityID, h.Units, h.UnitPrice)
		}
		cents := new(big.Rat).Mul(new(big.Rat).Mul(units, price), big.NewRat(100, 1))
		diff := new(big.Rat).Sub(cents, big.NewRat(h.MarketValue, 1))
		if diff.Abs(diff).Cmp(big.NewRat(1, 1)) >= 0 {
			t.Errorf("%s: market value %d cents, units %s x price %s = %s cents", h.SecurityID, h.MarketValue, h.Units, h.UnitPrice, cents.FloatString(2))
		}
	}
}

// The demo user's net worth at the end of each of the last twelve months,
// as the dashboard charts it (networth.Compute): every point is the bank's
// own balances that day plus, from the day positions were first reported,
// their market value; the points before that day are marked partial, so
// the chart's step in the month positions arrive is explained, not silent.
func TestDemoNetWorthChartMarksDaysBeforePositions(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)
	w := newWorld(t, now)
	u := w.link(t, "chart@example.com", "chart")
	ctx := context.Background()
	if _, err := (&insight.Service{Store: w.st, Now: func() time.Time { return now }}).Run(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	var days []time.Time
	for i := 11; i >= 1; i-- {
		days = append(days, time.Date(2026, 11-time.Month(i)+1, 0, 0, 0, 0, 0, time.UTC))
	}
	days = append(days, today)
	accounts, err := w.st.Accounts(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	balances, values, err := w.st.NetWorthInputs(ctx, u.ID, days[0], today)
	if err != nil {
		t.Fatal(err)
	}
	s := networth.Compute(networth.Input{Accounts: accounts, Currency: "USD", Balances: balances, Values: values, Today: today}, days)
	var invest *tally.Account
	for _, a := range accounts {
		if a.Type == tally.AccountInvestment {
			invest = a
		}
	}
	from, ok := s.PositionsFrom[invest.ID]
	if !ok || !from.Equal(today) {
		t.Fatalf("positions known from %v (%v), want today, the day of the first sync", from, ok)
	}
	hs, err := w.st.LatestHoldings(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	var value int64
	for _, h := range hs {
		value += h.MarketValue
	}
	if value < 1000000 {
		t.Fatalf("positions worth %d, want the demo's tens of thousands", value)
	}
	bank := demobank.New()
	bank.Now = func() time.Time { return now }
	for i, p := range s.Points {
		var assets, liabilities int64
		for _, info := range bank.Accounts("chart") {
			b, err := bank.Balance("chart", info.Account, p.Day.Add(24*time.Hour-time.Second))
			if err != nil {
				t.Fatal(err)
			}
			if info.Account.Kind == ofx.KindInvestment && !p.Day.Before(from) {
				b += value
			}
			if b >= 0 {
				assets += b
			} else {
				liabilities -= b
			}
		}
		if p.Assets != assets || p.Liabilities != liabilities {
			t.Errorf("%s: got assets %d liabilities %d, want the bank's %d and %d", p.Day.Format(tally.DateLayout), p.Assets, p.Liabilities, assets, liabilities)
		}
		if want := p.Day.Before(from); p.Partial != want {
			t.Errorf("%s: partial %v, want %v", p.Day.Format(tally.DateLayout), p.Partial, want)
		}
		if i > 0 && s.Points[i-1].Partial && !p.Partial {
			t.Logf("%s: net worth steps by %s, of which %s is the positions first reported that day", p.Day.Format(tally.DateLayout),
				tally.FormatAmount(p.Net()-s.Points[i-1].Net(), "USD"), tally.FormatAmount(value, "USD"))
		}
	}
}
