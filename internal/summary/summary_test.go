package summary_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/cache"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/summary"
)

func TestNetWorthOf(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	accounts := []*tally.Account{
		{ID: "chk", Currency: "USD", Balance: 250000},
		{ID: "card", Currency: "USD", Balance: -40000},
		{ID: "brk", Currency: "USD", Balance: 5000},                 // cash; positions below
		{ID: "old", Currency: "USD", Balance: 900000, Hidden: true}, // hidden: never counts
		{ID: "eur", Currency: "EUR", Balance: 1000},
		{ID: "cad", Currency: "CAD", Balance: -500},
		{ID: "gbp", Currency: "GBP", Balance: 7000, Hidden: true},
	}
	// Stored balances, where the pass has run, are the day's figure.
	balances := map[string][]tally.AccountBalance{
		"chk": {{AccountID: "chk", Day: today.AddDate(0, 0, -2), Balance: 240000}},
		"old": {{AccountID: "old", Day: today, Balance: 900000}},
	}
	values := map[string][]tally.AccountBalance{
		"brk": {{AccountID: "brk", Day: today.AddDate(0, 0, -1), Balance: 70000}},
	}
	got := summary.NetWorthOf(accounts, "USD", balances, values, today)
	want := []summary.NetWorth{
		{Currency: "USD", Assets: 240000 + 5000 + 70000, Liabilities: 40000, Total: 275000},
		{Currency: "CAD", Assets: 0, Liabilities: 500, Total: -500},
		{Currency: "EUR", Assets: 1000, Liabilities: 0, Total: 1000},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if got := summary.NetWorthOf(nil, "GBP", nil, nil, today); len(got) != 1 || got[0] != (summary.NetWorth{Currency: "GBP"}) {
		t.Fatalf("no accounts: got %+v, want a zero GBP entry", got)
	}
	// No account in the profile's currency: the first account's leads.
	if got := summary.NetWorthOf(accounts[4:], "USD", nil, nil, today); len(got) != 2 || got[0].Currency != "EUR" || got[0].Total != 1000 {
		t.Fatalf("no USD account: got %+v, want EUR first, then CAD", got)
	}
}

// The service the web dashboard reads: cached until the user's next write.
func TestServiceCachesUntilAWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	st := store.New(sqldbtest.Open(t), store.NoJobs{})
	st.Now = func() time.Time { return now }
	c := cache.New(cache.NewMemory(100), cache.Options{})
	st.SetInvalidator(c)
	svc := &summary.Service{Store: st, Notify: &notify.Service{Store: st, Now: st.Now}, Cache: c, Now: st.Now}

	u, err := st.CreateUser(ctx, "dash@example.com", "hash")
	if err != nil {
		t.Fatal(err)
	}
	conn := &tally.Connection{UserID: u.ID, Kind: tally.ConnectionOFX, URL: "https://bank.example/ofx", Login: "dash"}
	acct := &tally.Account{ExternalID: "1", Name: "Checking", Type: tally.AccountChecking, Currency: "USD", Balance: 10000}
	if err := st.CreateConnection(ctx, conn, []byte("x"), []*tally.Account{acct}); err != nil {
		t.Fatal(err)
	}
	first, err := svc.Summary(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Accounts) != 1 || first.NetWorth[0].Total != 10000 || len(first.Recent) != 0 {
		t.Fatalf("first summary: %+v", first)
	}
	if _, err := st.InsertTransactions(ctx, u.ID, []*tally.Transaction{{
		AccountID: acct.ID, ExternalID: "t1", PostedOn: time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC),
		Amount: -2500, Currency: "USD", Description: "CORNER MARKET", Merchant: "Corner Market",
		Category: "groceries", CategorySource: tally.SourceDictionary,
	}}); err != nil {
		t.Fatal(err)
	}
	second, err := svc.Summary(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Recent) != 1 || second.Spending.Total != 2500 || second.Recent[0].PostedOn.Format(tally.DateLayout) != "2026-03-14" {
		t.Fatalf("after a sync chunk: got %d recent, spending %d; want the new transaction and 25.00", len(second.Recent), second.Spending.Total)
	}
}

// A month's summary lists that month's transactions and spending; every
// summary carries the newest unread alerts with their count and the
// user's income.
func TestMonthSummaryAlertsAndIncome(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	st := store.New(sqldbtest.Open(t), store.NoJobs{})
	st.Now = func() time.Time { return now }
	c := cache.New(cache.NewMemory(100), cache.Options{})
	st.SetInvalidator(c)
	svc := &summary.Service{Store: st, Notify: &notify.Service{Store: st, Now: st.Now}, Cache: c, Now: st.Now}
	u, err := st.CreateUser(ctx, "month@example.com", "hash")
	if err != nil {
		t.Fatal(err)
	}
	acct := &tally.Account{ExternalID: "1", Name: "Checking", Type: tally.AccountChecking, Currency: "USD"}
	if err := st.CreateConnection(ctx, &tally.Connection{UserID: u.ID, Kind: tally.ConnectionOFX, URL: "https://bank.example/ofx", Login: "m"},
		[]byte("x"), []*tally.Account{acct}); err != nil {
		t.Fatal(err)
	}
	var txns []*tally.Transaction
	for i, day := range []time.Time{time.Date(2026, 2, 10, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)} {
		txns = append(txns, &tally.Transaction{AccountID: acct.ID, ExternalID: string(rune('a' + i)), PostedOn: day, Amount: -1000 * int64(i+1),
			Currency: "USD", Description: "MARKET", Merchant: "Market", Category: "groceries", CategorySource: tally.SourceDictionary})
	}
	if _, err := st.InsertTransactions(ctx, u.ID, txns); err != nil {
		t.Fatal(err)
	}
	var ns []*tally.Notification
	for i := range summary.UnreadShown + 2 {
		ns = append(ns, &tally.Notification{Kind: tally.NotifyBudgetApproaching, Category: "groceries", Month: "2026-03", Key: string(rune('a' + i)), Message: "close"})
	}
	if _, err := st.AddNotifications(ctx, u.ID, ns, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateProfile(ctx, u.ID, "2026-03", func(p *tally.Profile) error { p.MonthlyIncome = 500000; return nil }); err != nil {
		t.Fatal(err)
	}
	feb, err := svc.MonthSummary(ctx, u, "2026-02")
	if err != nil {
		t.Fatal(err)
	}
	if feb.Month != "2026-02" || len(feb.Recent) != 2 || feb.Spending.Total != 3000 {
		t.Errorf("February: got month %s, %d transactions, spending %d; want 2026-02, 2, 3000", feb.Month, len(feb.Recent), feb.Spending.Total)
	}
	mar, err := svc.Summary(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if mar.Month != "2026-03" || len(mar.Recent) != 3 || mar.Spending.Total != 3000 {
		t.Errorf("March: got month %s, %d transactions, spending %d; want 2026-03, all 3, 3000", mar.Month, len(mar.Recent), mar.Spending.Total)
	}
	if mar.Unread != summary.UnreadShown+2 || len(mar.Alerts) != summary.UnreadShown || mar.Income != 500000 {
		t.Errorf("got %d unread, %d alerts, income %d; want %d, %d, 500000", mar.Unread, len(mar.Alerts), mar.Income, summary.UnreadShown+2, summary.UnreadShown)
	}
}
