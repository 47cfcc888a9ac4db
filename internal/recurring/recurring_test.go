package recurring

import (
	"fmt"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// series builds n transactions of merchant, starting on start and stepping
// by step (a function of the index), with amount(i).
func series(merchant, category, account string, start time.Time, n int, step func(time.Time, int) time.Time, amount func(int) int64) []Txn {
	var out []Txn
	d := start
	for i := range n {
		out = append(out, Txn{ID: fmt.Sprintf("%s-%02d", merchant, i), AccountID: account, Date: d, Amount: amount(i), Currency: "USD",
			Merchant: merchant, Description: merchant, Category: category})
		d = step(d, i)
	}
	return out
}

func everyDays(n int) func(time.Time, int) time.Time {
	return func(t time.Time, _ int) time.Time { return t.AddDate(0, 0, n) }
}

func monthly(t time.Time, _ int) time.Time { return t.AddDate(0, 1, 0) }

func fixed(v int64) func(int) int64 { return func(int) int64 { return v } }

func TestDetectCadences(t *testing.T) {
	t.Parallel()
	today := day("2026-12-01")
	semi := func(t time.Time, i int) time.Time {
		if t.Day() == 1 {
			return t.AddDate(0, 0, 14)
		}
		return time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	}
	cases := []struct {
		name    string
		txns    []Txn
		cadence string
		kind    string
		state   string
	}{
		{"weekly", series("Yoga Studio", "gym", "c", day("2026-09-01"), 13, everyDays(7), fixed(-2000)), Weekly, KindSubscription, StateActive},
		{"biweekly pay", series("Acme Payroll", "paycheck", "c", day("2025-12-05"), 26, everyDays(14), fixed(250000)), Biweekly, KindIncome, StateActive},
		{"semimonthly pay", series("Globex Payroll", "paycheck", "c", day("2026-01-01"), 22, semi, fixed(210000)), Semimonthly, KindIncome, StateActive},
		{"monthly streaming", series("Netflix", "streaming", "k", day("2025-01-15"), 23, monthly, fixed(-1549)), Monthly, KindSubscription, StateActive},
		{"monthly utility varies", series("PG&E", "utilities", "c", day("2025-01-20"), 23, monthly, func(i int) int64 { return -8000 - int64(i%4)*700 }), Monthly, KindBill, StateActive},
		{"quarterly", series("State Water", "utilities", "c", day("2025-03-10"), 7, func(t time.Time, _ int) time.Time { return t.AddDate(0, 3, 0) }, fixed(-12000)), Quarterly, KindBill, StateActive},
		{"yearly", series("Amazon Prime", "shopping", "k", day("2024-12-20"), 2, func(t time.Time, _ int) time.Time { return t.AddDate(1, 0, 0) }, fixed(-13900)), Yearly, KindSubscription, StateActive},
		{"stopped bill", series("Old Gym", "gym", "k", day("2025-01-03"), 12, monthly, fixed(-4000)), Monthly, KindSubscription, StateEnded},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Detect(c.txns, today)
			if len(got) != 1 {
				t.Fatalf("got %d series, want 1: %+v", len(got), got)
			}
			s := got[0]
			if s.Cadence != c.cadence || s.Kind != c.kind || s.State != c.state {
				t.Errorf("got %s %s %s, want %s %s %s", s.Cadence, s.Kind, s.State, c.cadence, c.kind, c.state)
			}
			if s.Count() != len(c.txns) {
				t.Errorf("got %d transactions, want %d", s.Count(), len(c.txns))
			}
		})
	}
}

func TestDetectIgnoresIrregular(t *testing.T) {
	t.Parallel()
	// A coffee shop visited on irregular days at varying amounts.
	gaps := []int{1, 3, 2, 6, 1, 1, 9, 4, 2, 5, 3, 1, 11, 2, 4}
	var txns []Txn
	d := day("2026-06-01")
	for i, g := range gaps {
		txns = append(txns, Txn{ID: fmt.Sprint(i), AccountID: "k", Date: d, Amount: -int64(450 + (i*137)%400), Currency: "USD", Merchant: "Blue Bottle", Category: "coffee_shops"})
		d = d.AddDate(0, 0, g)
	}
	if got := Detect(txns, day("2026-08-01")); len(got) != 0 {
		t.Errorf("got %+v, want no series", got)
	}
	// Transfers are never series, however regular.
	tr := series("Transfer to savings", "account_transfer", "c", day("2025-01-01"), 20, monthly, fixed(-50000))
	if got := Detect(tr, day("2026-09-01")); len(got) != 0 {
		t.Errorf("got %+v, want no series for transfers", got)
	}
}

func TestDetectPriceIncrease(t *testing.T) {
	t.Parallel()
	txns := series("Spotify", "music", "k", day("2025-06-08"), 18, monthly, func(i int) int64 {
		if i == 17 {
			return -1299
		}
		return -1099
	})
	got := Detect(txns, day("2026-11-20"))
	if len(got) != 1 {
		t.Fatalf("got %d series, want 1: %+v", len(got), got)
	}
	s := got[0]
	if s.Amount != -1299 || s.Previous != -1099 || !s.PriceIncrease() || s.Count() != 18 {
		t.Errorf("got amount %d previous %d increase %v count %d, want -1299 -1099 true 18", s.Amount, s.Previous, s.PriceIncrease(), s.Count())
	}
	// Small changes are not increases: 5 % but under a dollar, or a dollar
	// but under 5 %.
	for _, c := range []struct {
		prev, last int64
		want       bool
	}{{-1000, -1090, false}, {-5000, -5150, false}, {-5000, -5300, true}, {-1099, -1299, true}, {-1299, -1099, false}} {
		s := Series{Currency: "USD", Kind: KindSubscription, Previous: c.prev, Amount: c.last, TxnIDs: []string{"a", "b"}}
		if got := s.PriceIncrease(); got != c.want {
			t.Errorf("%d -> %d: got %v, want %v", c.prev, c.last, got, c.want)
		}
	}
}

func TestSeriesMissing(t *testing.T) {
	t.Parallel()
	s := Series{Cadence: Monthly, NextDate: day("2026-11-05")}
	for _, c := range []struct {
		today string
		want  bool
	}{{"2026-11-05", false}, {"2026-11-12", false}, {"2026-11-13", true}} {
		if got := s.Missing(day(c.today)); got != c.want {
			t.Errorf("on %s: got %v, want %v", c.today, got, c.want)
		}
	}
}

func TestMatchTransfers(t *testing.T) {
	t.Parallel()
	tx := func(id, acct, date string, amount int64, desc, cat string) Txn {
		return Txn{ID: id, AccountID: acct, Date: day(date), Amount: amount, Currency: "USD", Description: desc, Merchant: desc, Category: cat}
	}
	txns := []Txn{
		// Card payment, one day apart.
		tx("o1", "chk", "2026-03-01", -45000, "CARD PAYMENT AUTOPAY", "credit_card_payment"),
		tx("i1", "card", "2026-03-02", 45000, "PAYMENT THANK YOU", "credit_card_payment"),
		// Savings move four days apart, the inflow uncategorized.
		tx("o2", "chk", "2026-03-03", -20000, "ONLINE TRANSFER TO SAV", "account_transfer"),
		tx("i2", "sav", "2026-03-07", 20000, "ONLINE TRANSFER FROM CHK", "uncategorized"),
		// Too far apart: six days.
		tx("o3", "chk", "2026-03-10", -30000, "TRANSFER TO BROKERAGE", "account_transfer"),
		tx("i3", "brk", "2026-03-16", 30000, "CONTRIBUTION", "investment_deposit"),
		// A purchase and an equal refund in another account: not a pair.
		tx("o4", "chk", "2026-03-11", -5999, "TARGET 1234", "shopping"),
		tx("i4", "card", "2026-03-12", 5999, "TARGET RETURN", "returned_purchase"),
		// Words inside other words say nothing: COACH is no ACH.
		tx("o7", "chk", "2026-03-25", -15000, "COACH OUTLET", "clothing"),
		tx("i7", "sav", "2026-03-25", 15000, "ACH CREDIT", "uncategorized"),
		// Same account both ways: not a pair.
		tx("o5", "chk", "2026-03-20", -10000, "TRANSFER", "account_transfer"),
		tx("i5", "chk", "2026-03-20", 10000, "TRANSFER", "account_transfer"),
		// Filed by hand as rent: the user says it is not a transfer.
		{ID: "o6", AccountID: "chk", Date: day("2026-03-21"), Amount: -7000, Currency: "USD", Description: "ZELLE PAYMENT", Category: "rent_mortgage", Manual: true},
		tx("i6", "sav", "2026-03-21", 7000, "TRANSFER", "account_transfer"),
	}
	got := MatchTransfers(txns)
	var pairs []string
	for _, p := range got {
		pairs = append(pairs, fmt.Sprintf("%s>%s/%d", p.Out.ID, p.In.ID, p.Lag))
	}
	want := "[o1>i1/1 o2>i2/4]"
	if fmt.Sprint(pairs) != want {
		t.Errorf("got %v, want %s", pairs, want)
	}
}

func TestMatchTransfersClosestWins(t *testing.T) {
	t.Parallel()
	txns := []Txn{
		{ID: "o", AccountID: "chk", Date: day("2026-05-01"), Amount: -10000, Currency: "USD", Description: "TRANSFER"},
		{ID: "far", AccountID: "sav", Date: day("2026-05-04"), Amount: 10000, Currency: "USD", Description: "TRANSFER"},
		{ID: "near", AccountID: "sav", Date: day("2026-05-02"), Amount: 10000, Currency: "USD", Description: "TRANSFER"},
		{ID: "eur", AccountID: "sav", Date: day("2026-05-01"), Amount: 10000, Currency: "EUR", Description: "TRANSFER"},
	}
	got := MatchTransfers(txns)
	if len(got) != 1 || got[0].In.ID != "near" {
		t.Fatalf("got %+v, want o paired with near", got)
	}
}

func TestAfterAndNextDate(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		cadence, from, want string
	}{
		{Weekly, "2026-11-28", "2026-12-05"},
		{Biweekly, "2026-11-27", "2026-12-11"},
		{Semimonthly, "2026-11-01", "2026-11-16"},
		{Semimonthly, "2026-11-15", "2026-11-30"},
		{Semimonthly, "2026-11-30", "2026-12-15"},
		{Monthly, "2026-01-31", "2026-02-28"},
		{Quarterly, "2026-11-30", "2027-02-28"},
		{Yearly, "2024-02-29", "2025-02-28"},
	} {
		if got := After(c.cadence, day(c.from)).Format("2006-01-02"); got != c.want {
			t.Errorf("%s after %s: got %s, want %s", c.cadence, c.from, got, c.want)
		}
	}
	// A monthly bill on the 31st is expected on the last day of shorter
	// months.
	txns := series("Landlord", "rent_mortgage", "c", day("2026-07-31"), 4, func(t time.Time, i int) time.Time {
		return []time.Time{day("2026-08-31"), day("2026-09-30"), day("2026-10-31"), day("2026-11-30")}[i]
	}, fixed(-180000))
	got := Detect(txns, day("2026-11-05"))
	if len(got) != 1 || got[0].NextDate.Format("2006-01-02") != "2026-11-30" || got[0].Cadence != Monthly {
		t.Fatalf("got %+v, want a monthly series expected on 2026-11-30", got)
	}
}
