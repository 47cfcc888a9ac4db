package demobank

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/ofx"
)

// testNow is the pinned clock of the tests.
var testNow = time.Date(2026, time.November, 23, 18, 30, 0, 0, time.UTC)

func pinned(now time.Time) *Bank { return &Bank{Now: func() time.Time { return now }} }

var testLogins = []string{"alice", "bob@example.com", "carol", "demo", "user-42", "Zoë"}

func statement(t *testing.T, b *Bank, login string, k int, start, end time.Time) ofx.Statement {
	t.Helper()
	st, err := b.Statement(login, b.Accounts(login)[k].Account, start, end)
	if err != nil {
		t.Fatalf("Statement(%q, %d): %v", login, k, err)
	}
	return st
}

func TestAccounts(t *testing.T) {
	t.Parallel()
	b := pinned(testNow)
	accts := b.Accounts("alice")
	if len(accts) != 4 {
		t.Fatalf("got %d accounts, want 4", len(accts))
	}
	want := []struct{ kind, typ, desc, prefix string }{
		{ofx.KindBank, "CHECKING", "Demo Checking", "1000"},
		{ofx.KindBank, "SAVINGS", "Demo Savings", "2000"},
		{ofx.KindCreditCard, "", "Demo Rewards Visa", "4000"},
		{ofx.KindInvestment, "", "Demo Brokerage", "8000"},
	}
	for i, w := range want {
		a := accts[i].Account
		if a.Kind != w.kind || a.AccountType != w.typ || a.Description != w.desc || !strings.HasPrefix(a.AccountID, w.prefix) {
			t.Errorf("account %d: got %+v, want kind %s type %q desc %q id %s...", i, a, w.kind, w.typ, w.desc, w.prefix)
		}
		if accts[i].Currency != "USD" {
			t.Errorf("account %d: got currency %q, want USD", i, accts[i].Currency)
		}
	}
	if accts[0].Account.BankID != BankID || accts[3].Account.BrokerID != BrokerID {
		t.Errorf("got bank id %q broker id %q, want %q %q", accts[0].Account.BankID, accts[3].Account.BrokerID, BankID, BrokerID)
	}
	if !reflect.DeepEqual(accts, b.Accounts("alice")) {
		t.Error("Accounts is not deterministic")
	}
	if reflect.DeepEqual(accts, b.Accounts("bob")) {
		t.Error("two logins got the same accounts")
	}
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	for _, login := range testLogins {
		a := pinned(testNow).Statements(login, time.Time{}, time.Time{})
		b := pinned(testNow).Statements(login, time.Time{}, time.Time{})
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: two generations differ", login)
		}
		for k := range a {
			if got := statement(t, pinned(testNow), login, k, time.Time{}, time.Time{}); !reflect.DeepEqual(got, a[k]) {
				t.Errorf("%s account %d: Statement and Statements differ", login, k)
			}
		}
	}
}

func TestWindowIsSubset(t *testing.T) {
	t.Parallel()
	b := pinned(testNow)
	windows := [][2]time.Time{
		{time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)},
		{time.Date(2025, 12, 24, 12, 0, 0, 0, time.UTC), time.Date(2026, 1, 6, 12, 0, 0, 0, time.UTC)},
		{time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Time{}},
		{time.Date(2024, 11, 23, 0, 0, 0, 0, time.UTC), time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)},
	}
	for _, login := range testLogins[:3] {
		full := b.Statements(login, time.Time{}, time.Time{})
		for k := range full {
			for _, w := range windows {
				got := statement(t, b, login, k, w[0], w[1])
				end := w[1]
				if end.IsZero() {
					end = testNow
				}
				var want []ofx.Transaction
				for _, tx := range full[k].Transactions {
					if !tx.Posted.Before(w[0]) && !tx.Posted.After(end) {
						want = append(want, tx)
					}
				}
				if len(want) == 0 {
					t.Fatalf("%s account %d window %v: no transactions in the full history", login, k, w)
				}
				if !reflect.DeepEqual(got.Transactions, want) {
					t.Errorf("%s account %d window %v: got %d transactions, want the %d of the full history", login, k, w, len(got.Transactions), len(want))
				}
			}
		}
	}
}

func TestNewDaysOnlyAdd(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	for _, login := range testLogins[:3] {
		before := pinned(testNow).Statements(login, start, time.Time{})
		later := testNow.AddDate(0, 0, 40)
		after := pinned(later).Statements(login, start, time.Time{})
		for k := range before {
			b, a := before[k].Transactions, after[k].Transactions
			if len(a) <= len(b) {
				t.Errorf("%s account %d: got %d transactions 40 days later, want more than %d", login, k, len(a), len(b))
				continue
			}
			if !reflect.DeepEqual(a[:len(b)], b) {
				t.Errorf("%s account %d: earlier transactions changed as days passed", login, k)
			}
			for _, tx := range a[len(b):] {
				if !tx.Posted.After(testNow) || tx.Posted.After(later) {
					t.Errorf("%s account %d: new transaction posted %v, want after %v and by %v", login, k, tx.Posted, testNow, later)
				}
			}
			// The balance then is the same whenever it is asked.
			acct := before[k].Account
			got, err := pinned(later).Balance(login, acct, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if got != before[k].Ledger.Amount {
				t.Errorf("%s account %d: balance at %v asked later is %d, want %d", login, k, testNow, got, before[k].Ledger.Amount)
			}
		}
	}
}

func TestHistoryReach(t *testing.T) {
	t.Parallel()
	b := pinned(testNow)
	st := statement(t, b, "alice", 2, time.Time{}, time.Time{})
	first := HistoryStart(testNow)
	if !st.Start.Equal(first) || !st.End.Equal(testNow) {
		t.Errorf("got window %v - %v, want %v - %v", st.Start, st.End, first, testNow)
	}
	if d := st.Transactions[0].Posted.Sub(first); d < 0 || d > 72*time.Hour {
		t.Errorf("first transaction posted %v, want within 3 days after %v", st.Transactions[0].Posted, first)
	}
	if last := st.Transactions[len(st.Transactions)-1].Posted; testNow.Sub(last) > 72*time.Hour {
		t.Errorf("last transaction posted %v, want within 3 days before %v", last, testNow)
	}
	// An earlier start is clamped, a later end too.
	st2 := statement(t, b, "alice", 2, first.AddDate(-3, 0, 0), testNow.AddDate(1, 0, 0))
	if !reflect.DeepEqual(st, st2) {
		t.Error("a window reaching outside the history is not clamped to it")
	}
	// An empty window has balances and no lines.
	st3 := statement(t, b, "alice", 0, testNow.AddDate(0, 0, -1), testNow.AddDate(0, 0, -2))
	if len(st3.Transactions) != 0 || st3.Ledger == nil {
		t.Errorf("got %d transactions and ledger %v for an empty window, want none and a balance", len(st3.Transactions), st3.Ledger)
	}
}

func TestFITIDsUnique(t *testing.T) {
	t.Parallel()
	b := pinned(testNow)
	for _, login := range testLogins {
		for k, st := range b.Statements(login, time.Time{}, time.Time{}) {
			seen := make(map[string]bool, len(st.Transactions))
			for _, tx := range st.Transactions {
				if tx.FITID == "" || seen[tx.FITID] {
					t.Fatalf("%s account %d: FITID %q empty or repeated", login, k, tx.FITID)
				}
				seen[tx.FITID] = true
			}
		}
	}
}

func TestBalances(t *testing.T) {
	t.Parallel()
	b := pinned(testNow)
	windows := [][2]time.Time{
		{},
		{time.Date(2025, 2, 14, 0, 0, 0, 0, time.UTC), time.Date(2025, 9, 3, 6, 0, 0, 0, time.UTC)},
		{time.Date(2026, 10, 31, 12, 0, 0, 0, time.UTC), time.Time{}},
	}
	for _, login := range testLogins {
		for _, w := range windows {
			for k, st := range b.Statements(login, w[0], w[1]) {
				open, err := b.Balance(login, st.Account, st.Start.Add(-time.Nanosecond))
				if err != nil {
					t.Fatal(err)
				}
				sum := open
				for _, tx := range st.Transactions {
					sum += tx.Amount
				}
				if sum != st.Ledger.Amount {
					t.Errorf("%s account %d window %v: opening %d + transactions = %d, want ledger %d", login, k, w, open, sum, st.Ledger.Amount)
				}
				if !st.Ledger.AsOf.Equal(st.End) {
					t.Errorf("%s account %d: ledger as of %v, want %v", login, k, st.Ledger.AsOf, st.End)
				}
				switch k {
				case kChecking, kSavings:
					if st.Available.Amount != st.Ledger.Amount {
						t.Errorf("%s account %d: available %d, want ledger %d", login, k, st.Available.Amount, st.Ledger.Amount)
					}
				case kCard:
					if st.Ledger.Amount > 0 || st.Available.Amount <= 0 || st.Available.Amount > 3500000 {
						t.Errorf("%s card: ledger %d available %d, want owed and some credit left", login, st.Ledger.Amount, st.Available.Amount)
					}
				case kInvestment:
					if len(st.Positions) < 3 {
						t.Errorf("%s investment: got %d positions, want at least 3", login, len(st.Positions))
					}
				}
			}
		}
	}
}

// TestBalancesStayPlausible walks every account's whole history: checking,
// savings and brokerage cash never go below zero.
func TestBalancesStayPlausible(t *testing.T) {
	t.Parallel()
	b := pinned(testNow)
	for _, login := range testLogins {
		for k, st := range b.Statements(login, time.Time{}, time.Time{}) {
			if k == kCard {
				continue
			}
			bal, err := b.Balance(login, st.Account, st.Start.Add(-time.Nanosecond))
			if err != nil {
				t.Fatal(err)
			}
			for i, tx := range st.Transactions {
				bal += tx.Amount
				// Lines of one day are in no particular order; look at day ends.
				if i+1 < len(st.Transactions) && st.Transactions[i+1].Posted.Equal(tx.Posted) {
					continue
				}
				if bal < 0 {
					t.Errorf("%s account %d: balance %d on %v, want >= 0", login, k, bal, tx.Posted)
					break
				}
			}
		}
	}
}

func TestVolume(t *testing.T) {
	t.Parallel()
	b := pinned(testNow)
	for _, login := range testLogins {
		total := 0
		for _, st := range b.Statements(login, time.Time{}, time.Time{}) {
			total += len(st.Transactions)
		}
		if total < 3000 || total > 5000 {
			t.Errorf("%s: got %d transactions over %d months, want 3,000-5,000", login, total, History)
		}
	}
}

// TestMovesMatch checks that both sides of every move between a login's
// accounts are there, on the same day, for the same amount.
func TestMovesMatch(t *testing.T) {
	t.Parallel()
	b := pinned(testNow)
	type key struct {
		day    string
		amount int64
	}
	collect := func(st ofx.Statement, prefix string) map[key]int {
		out := map[key]int{}
		for _, tx := range st.Transactions {
			if strings.HasPrefix(tx.Name, prefix) {
				out[key{tx.Posted.Format(time.DateOnly), tx.Amount}]++
			}
		}
		return out
	}
	negate := func(m map[key]int) map[key]int {
		out := map[key]int{}
		for k, v := range m {
			out[key{k.day, -k.amount}] = v
		}
		return out
	}
	for _, login := range testLogins[:3] {
		sts := b.Statements(login, time.Time{}, time.Time{})
		chk, sav, card, inv := sts[0], sts[1], sts[2], sts[3]
		pairs := []struct {
			name   string
			a, b   map[key]int
			amount int // a side's sign: -1 money leaves
		}{
			{"card payment", collect(chk, "DEMO BANK CARD AUTOPAY"), collect(card, "PAYMENT THANK YOU"), -1},
			{"checking-savings", collect(chk, "ONLINE TRANSFER"), collect(sav, "ONLINE TRANSFER"), 0},
			{"savings-brokerage", collect(sav, "TRANSFER TO BROKERAGE"), collect(inv, "CONTRIBUTION FROM SAV"), -1},
		}
		for _, p := range pairs {
			if len(p.a) == 0 {
				t.Errorf("%s %s: no transfers", login, p.name)
			}
			if !reflect.DeepEqual(p.a, negate(p.b)) {
				t.Errorf("%s %s: the two sides differ: %v and %v", login, p.name, p.a, p.b)
			}
			for k := range p.a {
				if p.amount < 0 && k.amount >= 0 {
					t.Errorf("%s %s: got amount %d, want money leaving", login, p.name, k.amount)
				}
			}
		}
		// Every card payment settles the previous month's purchases.
		for _, tx := range card.Transactions {
			if tx.Name != "PAYMENT THANK YOU" {
				continue
			}
			var owed int64
			prev := tx.Posted.AddDate(0, -1, 0)
			for _, p := range card.Transactions {
				if p.Name != "PAYMENT THANK YOU" && p.Posted.Year() == prev.Year() && p.Posted.Month() == prev.Month() {
					owed -= p.Amount
				}
			}
			if time.Date(prev.Year(), prev.Month(), 1, 0, 0, 0, 0, time.UTC).Before(card.Start) {
				continue // that month is only partly in the history
			}
			if tx.Amount != owed {
				t.Errorf("%s: card payment %d on %v, want the previous month's %d", login, tx.Amount, tx.Posted, owed)
			}
		}
	}
}

func TestRegularLines(t *testing.T) {
	t.Parallel()
	b := pinned(testNow)
	sts := b.Statements("alice", time.Time{}, time.Time{})
	count := func(st ofx.Statement, typ string) int {
		n := 0
		for _, tx := range st.Transactions {
			if tx.Type == typ {
				n++
			}
		}
		return n
	}
	months := History
	tests := []struct {
		name     string
		st       ofx.Statement
		typ      string
		min, max int
	}{
		{"payroll", sts[0], "DIRECTDEP", 2*months - 1, 2*months + 1},
		{"savings interest", sts[1], "INT", months - 1, months},
		{"dividends", sts[3], "DIV", 2 * (months/3 - 1), 2 * (months / 3)},
		{"card refunds", sts[2], "CREDIT", months, 3 * months}, // payments plus refunds
		{"card purchases", sts[2], "DEBIT", 50 * months, 200 * months},
	}
	for _, tt := range tests {
		if n := count(tt.st, tt.typ); n < tt.min || n > tt.max {
			t.Errorf("%s: got %d %s lines, want %d-%d", tt.name, n, tt.typ, tt.min, tt.max)
		}
	}
	rent := 0
	for _, tx := range sts[0].Transactions {
		if tx.Posted.Day() == 1 && tx.Amount <= -180000 && tx.Amount >= -240000 && tx.Type == "DEBIT" {
			rent++
		}
	}
	if rent < months-1 {
		t.Errorf("got %d rent payments, want one a month", rent)
	}
}

func TestDescriptors(t *testing.T) {
	t.Parallel()
	b := pinned(testNow)
	for _, login := range testLogins {
		for k, st := range b.Statements(login, time.Time{}, time.Time{}) {
			for _, tx := range st.Transactions {
				if tx.Name == "" || len(tx.Name) > 32 || strings.ContainsAny(tx.Name+tx.Memo, "{}") {
					t.Fatalf("%s account %d: bad NAME %q (MEMO %q)", login, k, tx.Name, tx.Memo)
				}
				if tx.Memo != "" && !strings.HasPrefix(tx.Memo, tx.Name) {
					t.Fatalf("%s account %d: MEMO %q does not continue NAME %q", login, k, tx.Memo, tx.Name)
				}
				if tx.Amount == 0 {
					t.Fatalf("%s account %d: zero amount in %+v", login, k, tx)
				}
			}
		}
	}
}

func TestMerchants(t *testing.T) {
	t.Parallel()
	names := map[string]bool{}
	for _, m := range Merchants {
		if names[m.Name] {
			t.Errorf("merchant %q listed twice", m.Name)
		}
		names[m.Name] = true
		if _, ok := tally.LookupCategory(m.Category); !ok {
			t.Errorf("merchant %q: category %q is not a tally category", m.Name, m.Category)
		}
		if len(m.Descriptors) == 0 {
			t.Errorf("merchant %q: no descriptors", m.Name)
		}
		if m.Min > m.Max {
			t.Errorf("merchant %q: min %d over max %d", m.Name, m.Min, m.Max)
		}
		for _, d := range m.Examples(2 * len(m.Descriptors)) {
			if d == "" || strings.ContainsAny(d, "{}") {
				t.Errorf("merchant %q: bad example %q", m.Name, d)
			}
		}
		if ex := m.Example(7); ex != m.Example(7) {
			t.Errorf("merchant %q: Example is not deterministic", m.Name)
		}
	}
	if n := len(purchaseIndexes) + len(billIndexes); n < 40 || n > 80 {
		t.Errorf("got %d merchants, want 40-80", n)
	}
}

func TestExpand(t *testing.T) {
	t.Parallel()
	r := rng{s: 1}
	c := &expandCtx{store: 42, r: &r, city: city{"HOUSTON TX", "HOU"}, acct: "9876"}
	tests := []struct{ pattern, want string }{
		{"NETFLIX.COM", "NETFLIX.COM"},
		{"EXXONMOBIL {d5} {city}", "EXXONMOBIL ##### HOUSTON TX"},
		{"WHOLEFDS {abbr} {d5}", "WHOLEFDS HOU #####"},
		{"AMZN Mktp US*{a6}", "AMZN Mktp US*@@@@@@"},
		{"TRANSFER ...{acct}", "TRANSFER ...9876"},
		{"X {r3}", "X ###"},
	}
	for _, tt := range tests {
		got := expand(tt.pattern, c)
		if len(got) != len(tt.want) {
			t.Errorf("expand(%q) = %q, want the shape %q", tt.pattern, got, tt.want)
			continue
		}
		for i := range got {
			switch tt.want[i] {
			case '#':
				if got[i] < '0' || got[i] > '9' {
					t.Errorf("expand(%q) = %q, want a digit at %d", tt.pattern, got, i)
				}
			case '@':
				if !strings.ContainsRune(alnum, rune(got[i])) {
					t.Errorf("expand(%q) = %q, want a letter or digit at %d", tt.pattern, got, i)
				}
			default:
				if got[i] != tt.want[i] {
					t.Errorf("expand(%q) = %q, want %q", tt.pattern, got, tt.want)
				}
			}
		}
	}
	// Store numbers stay, reference codes change.
	a := expand("STORE {d5} REF {r6}", &expandCtx{store: 5, r: &rng{s: 1}})
	b := expand("STORE {d5} REF {r6}", &expandCtx{store: 5, r: &rng{s: 2}})
	if a[:11] != b[:11] || a[11:] == b[11:] {
		t.Errorf("got %q and %q, want the same store and different references", a, b)
	}
}

func TestSyntheticStatement(t *testing.T) {
	t.Parallel()
	st := SyntheticStatement(20000, 7)
	if len(st.Transactions) != 20000 {
		t.Fatalf("got %d transactions, want 20000", len(st.Transactions))
	}
	if !reflect.DeepEqual(st, SyntheticStatement(20000, 7)) {
		t.Error("SyntheticStatement is not deterministic")
	}
	seen := map[string]bool{}
	var sum int64
	for _, tx := range st.Transactions {
		if seen[tx.FITID] {
			t.Fatalf("FITID %q repeated", tx.FITID)
		}
		seen[tx.FITID] = true
		sum += tx.Amount
		if tx.Posted.Before(st.Start) || tx.Posted.After(st.End) {
			t.Fatalf("transaction posted %v outside %v - %v", tx.Posted, st.Start, st.End)
		}
	}
	if sum != st.Ledger.Amount {
		t.Errorf("got ledger %d, want the sum %d", st.Ledger.Amount, sum)
	}
	if got := len(SyntheticStatement(0, 1).Transactions); got != 0 {
		t.Errorf("got %d transactions for n=0, want 0", got)
	}
}

func TestLuhn(t *testing.T) {
	t.Parallel()
	if got := luhn("411111111111111"); got != "4111111111111111" {
		t.Errorf("luhn = %q, want 4111111111111111", got)
	}
}

func BenchmarkHistory(b *testing.B) {
	bank := pinned(testNow)
	for i := 0; b.Loop(); i++ {
		bank.Statements(testLogins[i%len(testLogins)], time.Time{}, time.Time{})
	}
}

func BenchmarkRecentWeek(b *testing.B) {
	bank := pinned(testNow)
	start := testNow.AddDate(0, 0, -7)
	for i := 0; b.Loop(); i++ {
		bank.Statements(testLogins[i%len(testLogins)], start, time.Time{})
	}
}

func BenchmarkSyntheticStatement100k(b *testing.B) {
	for b.Loop() {
		SyntheticStatement(100000, 1)
	}
}
