package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally"
)

func TestDashboardBudgetsAndAlerts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	bob := e.user("bob@example.com")
	ctx := t.Context()
	acct := &tally.Account{ExternalID: "1", Name: "Checking", Type: tally.AccountChecking, Currency: "USD"}
	if err := e.store.CreateConnection(ctx, &tally.Connection{UserID: bob.ID, Kind: tally.ConnectionOFX, URL: "https://bank.example/ofx", Login: "bob"}, []byte("x"), []*tally.Account{acct}); err != nil {
		t.Fatal(err)
	}
	var txns []*tally.Transaction
	for i := range 5 {
		txns = append(txns, &tally.Transaction{AccountID: acct.ID, ExternalID: "c" + string(rune('a'+i)), PostedOn: time.Date(2026, 3, 1+i, 0, 0, 0, 0, time.UTC),
			Amount: -1000, Currency: "USD", Description: "COFFEE", Merchant: "Coffee", Category: "coffee_shops", CategorySource: tally.SourceDictionary})
	}
	if _, err := e.store.InsertTransactions(ctx, bob.ID, txns); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetBudget(ctx, bob.ID, "coffee_shops", 4000, "USD", "2026-03"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.AddNotifications(ctx, bob.ID, []*tally.Notification{{Kind: tally.NotifyBudgetExceeded, Category: "coffee_shops", Month: "2026-03",
		Message: "You've spent $50 of your $40 Coffee Shops budget for March (125 %): $10 over."}}, nil); err != nil {
		t.Fatal(err)
	}
	body(t, e.post("/signin", url.Values{"email": {"bob@example.com"}, "password": {"password123"}}, nil))
	_, page := e.get("/")
	for _, want := range []string{`id="budgets-title"`, `<li class="exceeded">`, "Coffee Shops", "$50.00 of $40.00", "set by you", "125 %", "$10.00 over",
		`id="alerts-title"`, "$10 over."} {
		if !strings.Contains(page, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
}
