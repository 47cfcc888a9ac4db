package web

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally"
)

// TestRenderEveryPage renders each page with sample data, so a template
// error fails here rather than in front of a user.
func TestRenderEveryPage(t *testing.T) {
	t.Parallel()
	ps, err := pages()
	if err != nil {
		t.Fatal(err)
	}
	samples := map[string][]struct {
		name     string
		data     any
		contains []string
		absent   []string
	}{
		"signin": {
			{"plain", signInPage{layout: layout{Title: "Sign in"}}, []string{`<form method="post" action="/signin">`, `name="email"`, `type="password"`, `autocomplete="current-password"`}, []string{"role=\"alert\"", "Sign out", "refresh"}},
			{"error and demo hint", signInPage{layout: layout{Title: "Sign in"}, FormEmail: `eve"<script>@x.com`, Error: "Email or password is incorrect.", DemoHint: "Demo: sign in as demo@tally.local with password hunter22"},
				[]string{`role="alert"`, "Email or password is incorrect.", "demo@tally.local", `value="eve&#34;&lt;script&gt;@x.com"`}, []string{"<script>"}},
			{"two-factor code", signInPage{layout: layout{Title: "Sign in"}, FormEmail: "a@example.com", NeedCode: true},
				[]string{`name="code"`, `autocomplete="one-time-code"`}, nil},
		},
		"totp": {
			{"off", totpPage{layout: layout{Title: "Two-factor sign-in", Email: "a@example.com"}},
				[]string{`action="/settings/two-factor/enroll"`, `action="/signout/everywhere"`}, []string{"recovery", `role="alert"`}},
			{"enrolling", totpPage{layout: layout{Title: "Two-factor sign-in", Email: "a@example.com"}, Enrolling: true, Secret: "JBSWY3DPEHPK3PXP", QR: `<svg xmlns="http://www.w3.org/2000/svg"></svg>`},
				[]string{`<svg xmlns="http://www.w3.org/2000/svg"></svg>`, "JBSWY3DPEHPK3PXP", `action="/settings/two-factor/confirm"`, `autocomplete="one-time-code"`}, nil},
			{"recovery codes", totpPage{layout: layout{Title: "Two-factor sign-in", Email: "a@example.com"}, Enabled: true, RecoveryCodes: []string{"abcd2345-efgh6789"}},
				[]string{"abcd2345-efgh6789", "shown only now"}, []string{`action="/settings/two-factor/enroll"`}},
			{"on, wrong code", totpPage{layout: layout{Title: "Two-factor sign-in", Email: "a@example.com"}, Enabled: true, Error: "the two-factor code is incorrect"},
				[]string{`role="alert"`, `action="/settings/two-factor/disable"`}, nil},
		},
		"signup": {
			{"form", signUpPage{layout: layout{Title: "Sign up"}}, []string{`action="/signup"`, `name="password_confirm"`, `autocomplete="new-password"`}, []string{"Sign-up is closed"}},
			{"refused", signUpPage{layout: layout{Title: "Sign up", Form: form{Name: "signup", Values: map[string][]string{"email": {"a@b"}}, Errors: map[string]string{"email": "Enter an email address such as you@example.com."}}}},
				[]string{`value="a@b"`, `aria-invalid="true"`, "Enter an email address such as you@example.com."}, nil},
			{"closed", signUpPage{layout: layout{Title: "Sign up"}, Closed: true}, []string{"Sign-up is closed on this server"}, []string{`action="/signup"`}},
		},
		"error": {
			{"404 signed in", errorPageData{layout: layout{Title: "Not Found", Email: "a@example.com", Nav: "", Unread: 3, CSRF: "tok"}, Status: 404, Message: "There is no page at this address."},
				[]string{"Page not found", "There is no page at this address.", `href="/alerts"`, ">3<", `name="csrf" value="tok"`}, nil},
			{"500 visitor", errorPageData{layout: layout{Title: "Internal Server Error"}, Status: 500, Message: "Something went wrong on our side."}, []string{"Something went wrong"}, []string{"Sign out"}},
		},
		"confirm": {
			{"remove", confirmPage{layout: layout{Title: "Remove", Email: "a@example.com", CSRF: "tok"}, Heading: "Remove Demo <Bank>?", Message: "Its accounts leave Tally.", Action: "/connections/c1/remove", Button: "Remove", Cancel: "/accounts"},
				[]string{"Remove Demo &lt;Bank&gt;?", `action="/connections/c1/remove"`, `name="csrf" value="tok"`, `href="/accounts"`}, nil},
		},
		"dashboard": {
			{"full", &dashboardPage{
				layout: layout{Title: "Dashboard", Email: "alice@example.com", Nav: "dashboard", Unread: 1, CSRF: "tok"}, monthNav: newMonthNav("2026-03", "2026-03"),
				Accounts: []accountRow{
					{Name: "Checking", Type: "Checking", Mask: "1234", Balance: "$1,234.56", Status: "active", StatusLabel: "Up to date"},
					{Name: "Visa <Gold>", Type: "Credit card", Mask: "9876", Balance: "−$42.50", Negative: true, Status: "needs_attention", StatusLabel: "Needs attention", StatusReason: "The bank refused the password; update it."},
				},
				netWorthHistory: netWorthHistory{NetChart: lineChart("Net worth at the end of each month", []linePoint{{Label: "Feb", Value: 90000, Partial: true}, {Label: "Mar", Value: 119206}}),
					NetHistory: []netWorthRow{{Month: "Feb 2026", Assets: "$900.00", Liabilities: "$0.00", Net: "$900.00", Partial: true}, {Month: "Mar 2026", Assets: "$1,234.56", Liabilities: "$42.50", Net: "$1,192.06"}},
					NetPartial: "Months marked * count only the cash in Brokerage: investment positions were first reported on Mar 1, 2026, and their value before then is not known."},
				NetWorth: "$1,192.06", NetByType: []netRow{{Type: "Checking", Amount: "$1,234.56"}, {Type: "Credit card", Amount: "−$42.50", Negative: true}},
				Spending:      []spendingRow{{Category: "Groceries", ID: "groceries", Amount: "$84.12", Count: 3}, {Category: "Coffee Shops", ID: "coffee_shops", Amount: "$6.50", Count: 1}},
				SpendingChart: barChart("Spending by category in March 2026", []barDatum{{Label: "Groceries", Value: 8412, Amount: "$84.12"}}),
				Total:         "$90.62",
				Transactions: []transactionRow{
					{ID: "t1", Date: "Mar 2", Merchant: "Whole Foods Market", Category: "Groceries", Amount: "−$84.12", Negative: true},
					{ID: "t2", Date: "Mar 1", Merchant: "Acme Payroll", Category: "Paycheck", Amount: "$2,500.00", Pending: true},
				},
				Budgets: []budgetRow{{Category: "Groceries", ID: "groceries", Spent: "$412.00", Amount: "$500.00", Left: "$88.00 left", Source: "set by you", Percent: 82, Status: "approaching", Width: 80}},
				Alerts:  []alertRow{{ID: "n1", Kind: "budget_approaching", Message: "You've spent $412 of your $500 Groceries budget for March (82 %)."}},
			}, []string{"This month", "March 2026", "$412.00 of $500.00", "set by you", `<li class="approaching">`, "$88.00 left", `class="fill w80"`,
				"You&#39;ve spent $412 of your $500 Groceries budget for March (82 %).", `action="/alerts/n1/read"`, "Checking", "··1234", "$1,234.56", "Needs attention",
				"The bank refused the password", "Net worth", "$1,192.06", "Net worth at the end of each month", "<polyline", "Feb 2026", `data-label="Owed"`, "$42.50</td>", "Spending by category in March 2026", "<svg", "<title", "<caption>Spending by category",
				"3</td>", "$90.62", "Whole Foods Market", `href="/transactions/t1"`, "Pending", "Sign out", `aria-current="page"`, "Visa &lt;Gold&gt;"},
				[]string{"refresh", "Syncing your accounts", "Get started"}},
			{"syncing", &dashboardPage{layout: layout{Title: "Dashboard", Email: "new@example.com", Syncing: true}, monthNav: newMonthNav("2026-03", "2026-03"), Total: "$0.00",
				Accounts: []accountRow{{Name: "Checking", Type: "Checking", Balance: "$0.00", Status: "syncing", StatusLabel: "Syncing"}}},
				[]string{`<meta http-equiv="refresh" content="3">`, "Syncing your accounts…", "No spending in March 2026 yet.", "No transactions yet.", "No budgets yet"}, []string{`id="alerts-title"`}},
			{"empty past month", &dashboardPage{layout: layout{Title: "Dashboard", Email: "new@example.com"}, monthNav: newMonthNav("2026-01", "2026-03"), Total: "$0.00"},
				[]string{"Get started", `href="/accounts"`, `href="/imports"`, `href="/settings"`, `href="/?month=2026-02"`, `href="/?month=2025-12"`, "January 2026"}, []string{"refresh"}},
		},
		"accounts": {
			{"linked and refused", &accountsPage{layout: layout{Title: "Accounts", Email: "a@example.com", CSRF: "tok",
				Form: form{Name: "link-ofx", Values: map[string][]string{"url": {"https://bank.example/ofx"}, "login": {"bob"}}, Errors: map[string]string{"password": "The institution refused the login."}}},
				CanLink: true, Connections: []connectionRow{{ID: "c1", Kind: "ofx", KindLabel: "OFX Direct Connect", Institution: "Demo <Bank>", Login: "bob", Status: "needs_attention",
					StatusLabel: "Needs attention", Reason: "Password refused", LastSync: "Last synced 2 h ago", Cooldown: "You can refresh again in 40 s.",
					Accounts: []accountItem{{accountRow: accountRow{ID: "a1", Name: "Checking", Type: "Checking", Balance: "$1.00"}, Hidden: true}}},
					{ID: "c2", Kind: "file", IsFile: true, Institution: "Statement files", Accounts: []accountItem{{accountRow: accountRow{ID: "a2", Name: "cash.qif", Balance: "$0.00"}}}}}},
				[]string{"Demo &lt;Bank&gt;", "Password refused", "You can refresh again in 40 s.", `action="/connections/c1/refresh"`, `href="/connections/c1/remove"`,
					`action="/connections/c1/credentials"`, `action="/accounts/a1"`, `name="hidden" checked`, `href="/accounts/a2/delete"`, `value="https://bank.example/ofx"`,
					"The institution refused the login.", `name="setup_token"`, `name="kind" value="simplefin"`}, []string{`href="/accounts/a1/delete"`}},
			{"empty", &accountsPage{layout: layout{Title: "Accounts", Email: "a@example.com"}}, []string{"Nothing linked yet"}, []string{"Link with SimpleFIN"}},
		},
		"transactions": {
			{"list with edit", transactionsPage{layout: layout{Title: "Transactions", Email: "a@example.com", CSRF: "tok"}, Q: "coffee", Category: "food_dining", Edit: "t1",
				Self: "/transactions?q=coffee&edit=t1", CSV: "/transactions.csv?q=coffee", Filtered: true, Next: "?cursor=abc&q=coffee", First: "?q=coffee",
				Accounts: []*tally.Account{{ID: "a1", Name: "Checking"}}, Groups: categoryGroups(),
				Rows: []txnListRow{{transactionRow: transactionRow{ID: "t1", Date: "Mar 2", Merchant: "Blue Bottle", Category: "Coffee Shops", Amount: "−$4.50", Negative: true},
					CategoryID: "coffee_shops", Account: "Checking", EditLink: "/transactions?edit=t1#t-t1"}}},
				[]string{`value="coffee"`, `<option value="food_dining" selected>`, `action="/transactions/t1/category"`, `name="apply"`, `<optgroup label="Food &amp; Dining">`,
					`<option value="coffee_shops" selected>Coffee Shops</option>`, "/transactions.csv?q=coffee", "Search older transactions", "First page", `name="back" value="/transactions?q=coffee&amp;edit=t1"`}, nil},
			{"no match", transactionsPage{layout: layout{Title: "Transactions", Email: "a@example.com", Form: form{Errors: map[string]string{"month": "The month must look like 2026-03."}}}, Filtered: true, Month: "2026-13"},
				[]string{"No transactions match", "The month must look like 2026-03."}, []string{"Next page"}},
			{"transfer", transactionsPage{layout: layout{Title: "Transactions", Email: "a@example.com", CSRF: "tok"}, Groups: categoryGroups(),
				Rows: []txnListRow{{transactionRow: transactionRow{ID: "t9", Date: "Mar 3", Merchant: "Online transfer", Category: "Transfer", Amount: "−$300.00", Negative: true},
					CategoryID: "account_transfer", Account: "Checking", transferNote: newTransferNote(true, "Savings <2>", "t10")}}},
				[]string{`href="/transactions/t10" class="transfer">Transfer to Savings &lt;2&gt;</a>`}, nil},
		},
		"transaction": {
			{"detail", transactionPage{layout: layout{Title: "Transaction", Email: "a@example.com", CSRF: "tok"}, transactionRow: transactionRow{ID: "t1", Merchant: "Whole Foods", Category: "Groceries", Amount: "−$84.12"},
				CategoryID: "groceries", Description: "WHOLEFDS HOU 10236", Account: "Checking", Posted: "Monday, March 2, 2026", Reason: "Filed under Groceries by the seller dictionary (Whole Foods)", Groups: categoryGroups(), HasSeller: true},
				[]string{"WHOLEFDS HOU 10236", "Filed under Groceries by the seller dictionary", `<option value="groceries" selected>`, "Apply to every transaction from Whole Foods"}, []string{"Not a transfer"}},
			{"transfer", transactionPage{layout: layout{Title: "Transaction", Email: "a@example.com", CSRF: "tok"}, transactionRow: transactionRow{ID: "t10", Merchant: "Online transfer", Category: "Transfer", Amount: "$300.00"},
				CategoryID: "account_transfer", Account: "Savings", Groups: categoryGroups(), transferNote: newTransferNote(false, "Checking", "t9")},
				[]string{`<a href="/transactions/t9">Transfer from Checking</a>`, `action="/transactions/t10/transfer/unlink"`, "Not a transfer", `name="csrf" value="tok"`}, nil},
		},
		"rules": {
			{"rules", rulesPage{layout: layout{Title: "Rules", Email: "a@example.com", CSRF: "tok"}, Groups: categoryGroups(), Rules: []ruleRow{{ID: "r1", Merchant: "Blue Bottle", Category: "Coffee Shops", Created: "Mar 2, 2026", Link: "/transactions?q=Blue+Bottle"}}},
				[]string{"Blue Bottle", `action="/rules/r1/delete"`, `action="/rules"`}, []string{"No rules yet"}},
			{"refused", rulesPage{layout: layout{Title: "Rules", Email: "a@example.com", Form: form{Name: "rule", Values: map[string][]string{"merchant": {"???"}}, Errors: map[string]string{"merchant": "names no merchant"}}}, Groups: categoryGroups()},
				[]string{"No rules yet", `value="???"`, "names no merchant"}, nil},
		},
		"budgets": {
			{"plan", budgetsPage{layout: layout{Title: "Budgets", Email: "a@example.com", CSRF: "tok"}, monthNav: newMonthNav("2026-02", "2026-03"), Total: "$1,000.00", Income: "$5,000.00", HasIncome: true,
				Left: "$4,000.00 of your income not budgeted", Spending: []tally.Category{{ID: "pets", Name: "Pets"}},
				Lines: []budgetLine{{budgetRow: budgetRow{Category: "Groceries", ID: "groceries", Spent: "$520.00", Amount: "$500.00", Left: "$20.00 over", Percent: 104, Status: "exceeded", Width: 100, Projected: "On pace for $700.00"},
					Input: "500.00", Manual: true, Recommended: "Recommended $450.00: the median of your last complete months"}}},
				[]string{"February 2026", `href="/budgets?month=2026-03"`, "Over budget", "$20.00 over", "On pace for $700.00", `value="500.00"`, `formaction="/budgets/groceries/reset"`,
					"Recommended $450.00", "$5,000.00", `action="/budgets/new"`, `<option value="pets">`}, nil},
			{"rollover and paid", budgetsPage{layout: layout{Title: "Budgets", Email: "a@example.com", CSRF: "tok",
				Form: form{Name: "budget-utilities", Values: map[string][]string{"amount": {"120.00"}, "rollover": {"forever"}}, Errors: map[string]string{"rollover": "Choose how leftover money carries over."}}},
				monthNav: newMonthNav("2026-03", "2026-03"), Total: "$300.00",
				Lines: []budgetLine{
					{budgetRow: budgetRow{Category: "Groceries", ID: "groceries", Spent: "$100.00", Amount: "$200.00", Left: "$150.00 left", Status: "under"}, Input: "200.00", Manual: true,
						Rollover: "surplus", Carried: "$50.00", Available: "$250.00"},
					{budgetRow: budgetRow{Category: "Utilities", ID: "utilities", Spent: "$95.00", Amount: "$100.00", Left: "$5.00 left", Status: "paid"}, Input: "100.00", Rollover: "none"},
				}},
				[]string{`<option value="surplus" selected>`, "Carried from past months: <span class=\"num\">$50.00</span>", "$250.00", `class="status paid"`, "Bills paid",
					`id="rollover-utilities" name="rollover" aria-invalid="true"`, "Choose how leftover money carries over.", `value="120.00"`, `<label for="rollover-groceries">`}, []string{"Over budget"}},
			{"empty", budgetsPage{layout: layout{Title: "Budgets", Email: "a@example.com"}, monthNav: newMonthNav("2026-03", "2026-03"), Total: "$0.00"}, []string{"No budgets yet", "Set your monthly income"}, []string{"Reset"}},
		},
		"trends": {
			{"trends", trendsPage{layout: layout{Title: "Trends", Email: "a@example.com"}, From: "2025-04", To: "2026-03",
				Months:        []trendMonth{{Label: "Mar 2026", Income: "$5,000.00", Spending: "$6,000.00", Net: "−$1,000.00", NetNegative: true}},
				Categories:    []trendCategory{{ID: "food_dining", Name: "Food & Dining", Total: "$1,200.00", Average: "$100.00", Link: "/trends?category=food_dining"}},
				MonthsChart:   columnChart("Income and spending per month", "Income", "Spending", []columnDatum{{Label: "Mar", A: 5000, B: 6000}}),
				CategoryChart: barChart("Spending per category over 12 months", []barDatum{{Label: "Food & Dining", Value: 120000, Amount: "$1,200.00"}})},
				[]string{"Income and spending", "Mar 2026", "−$1,000.00", "Food &amp; Dining", `href="/trends?category=food_dining"`, "<svg", "<caption"}, []string{"No history yet"}},
			{"empty", trendsPage{layout: layout{Title: "Trends", Email: "a@example.com"}, Empty: true}, []string{"No history yet"}, nil},
		},
		"alerts": {
			{"inbox", alertsPage{layout: layout{Title: "Alerts", Email: "a@example.com", Unread: 1, CSRF: "tok"}, First: true, Next: "/alerts?cursor=x",
				Alerts: []alertRow{{ID: "n1", Kind: "budget_exceeded", Message: "Over <budget>", Created: "Mar 2, 10:00"}, {ID: "n2", Kind: "sync_completed", Message: "Synced", Read: true}}},
				[]string{`action="/alerts/read-all"`, `action="/alerts/n1/read"`, "Over &lt;budget&gt;", "Older"}, []string{`action="/alerts/n2/read"`}},
			{"empty", alertsPage{layout: layout{Title: "Alerts", Email: "a@example.com"}, First: true}, []string{"No alerts."}, []string{"read-all"}},
		},
		"settings": {
			{"secrets shown once", settingsPage{layout: layout{Title: "Settings", Email: "a@example.com", CSRF: "tok"}, Income: "5200.00", Currency: "USD", TimeZone: "Europe/Paris",
				TimeZones: timeZones, Approaching: 80, NotifyEmail: "a@example.com", WebhookURL: "https://hooks.example.com/t", WebhookSecret: "whsec_123",
				Kinds:  []kindChannels{{Kind: "budget_exceeded", Name: "Budget exceeded", Email: true}},
				Tokens: []tokenRow{{ID: "k1", Name: "spreadsheet", Created: "Mar 1, 2026", LastUsed: "Never used"}}, NewToken: "tok_secret", NewTokenName: "spreadsheet"},
				[]string{`value="5200.00"`, `<option selected>Europe/Paris</option>`, `name="email_budget_exceeded" aria-label="Budget exceeded by email" checked`, "whsec_123", "tok_secret",
					`action="/settings/tokens/k1/revoke"`, "Never used", `value="rotate"`, `name="current_password"`}, nil},
			{"refused", settingsPage{layout: layout{Title: "Settings", Email: "a@example.com", Form: form{Name: "profile", Values: map[string][]string{"income": {"lots"}, "approaching": {"150"}},
				Errors: map[string]string{"income": "Enter your monthly income", "approaching": "Enter a whole percentage from 1 to 99."}}}, TimeZone: "UTC", TimeZones: timeZones, Currency: "USD"},
				[]string{`value="lots"`, `value="150"`, "Enter a whole percentage from 1 to 99.", "No API tokens."}, []string{"shown once"}},
		},
		"imports": {
			{"empty", importsPage{layout: layout{Title: "Import a statement", Email: "a@example.com", CSRF: "tok"}, MaxSize: "64 MiB"},
				[]string{`enctype="multipart/form-data"`, `action="/imports?csrf=tok"`, "up to 64 MiB", "No files imported yet."}, []string{"refresh", `role="alert"`}},
			{"running and refused", importsPage{layout: layout{Title: "Import a statement", Email: "a@example.com", Syncing: true}, MaxSize: "64 MiB",
				Error: "this file is a PDF document, which Tally cannot import",
				Imports: []importRow{
					{Import: &tally.Import{Filename: "big.ofx", Format: "ofx", Status: "running", Parsed: 30000, Inserted: 29990, Duplicates: 10}, Created: "Mar 15, 12:00 UTC", Active: true},
					{Import: &tally.Import{Filename: "card <1>.csv", Format: "csv", Status: "done", Parsed: 2, Inserted: 2, Rejected: 1, Errors: []tally.ImportError{{Line: 4, Reason: `amount "abc" is not a number`}}}, Created: "Mar 14, 09:00 UTC"},
				}},
				[]string{`role="alert"`, "PDF document", `http-equiv="refresh"`, "Importing…", "big.ofx", "29990", "card &lt;1&gt;.csv", "Line 4: amount &#34;abc&#34; is not a number"}, []string{"No files imported yet."}},
		},
		"recurring": {
			{"series and upcoming", recurringPage{layout: layout{Title: "Recurring", Email: "a@example.com", Nav: "recurring", CSRF: "tok"},
				Series: []recurringRow{
					{ID: "r1", Merchant: "Netflix <HD>", Kind: "subscription", Cadence: "monthly", Amount: "−$15.49", Negative: true, Last: "Mar 1, 2026", Next: "Apr 1, 2026", Status: "active", StatusLabel: "Active", Link: "/transactions?q=Netflix"},
					{ID: "r2", Merchant: "Gym", Kind: "subscription", Cadence: "monthly", Amount: "−$40.00", Negative: true, Last: "Jan 3, 2026", Next: "Feb 3, 2026", Status: "ignored", StatusLabel: "Ignored", Ignored: true},
					{ID: "r3", Merchant: "Acme Payroll", Kind: "income", Cadence: "biweekly", Amount: "$2,500.00", Last: "Mar 13, 2026", Next: "Mar 27, 2026", Status: "active", StatusLabel: "Active", Confirmed: true},
				},
				Upcoming: []upcomingRow{{Date: "Wed, Apr 1", Merchant: "Netflix <HD>", Kind: "subscription", Amount: "−$15.49", Negative: true}}},
				[]string{`href="/recurring" aria-current="page"`, "Netflix &lt;HD&gt;", "Wed, Apr 1", "monthly", "biweekly", "Apr 1, 2026", `class="status ignored"`, ">Confirmed<",
					`action="/recurring/r1/confirm"`, `action="/recurring/r1/ignore"`, `action="/recurring/r2/confirm"`, `action="/recurring/r3/ignore"`, `name="csrf" value="tok"`, `data-label="Next"`},
				[]string{`action="/recurring/r2/ignore"`, `action="/recurring/r3/confirm"`, "No recurring charges found yet"}},
			{"empty", recurringPage{layout: layout{Title: "Recurring", Email: "a@example.com"}}, []string{"No recurring charges found yet", "No bills or subscriptions are expected"}, []string{"<table"}},
		},
		"investments": {
			{"holdings and values", func() investmentsPage {
				day := func(s string) time.Time { d, _ := time.Parse(tally.DateLayout, s); return d }
				heads, months, chart := accountValues(map[string][]tally.AccountBalance{
					"a1": {{AccountID: "a1", Day: day("2026-01-31"), Balance: 100000, Currency: "USD"}, {AccountID: "a1", Day: day("2026-03-10"), Balance: 125050, Currency: "USD"}},
				}, map[string]string{"a1": "Brokerage <IRA>"}, monthEnds(day("2026-03-15"), 12))
				return investmentsPage{layout: layout{Title: "Investments", Email: "a@example.com", Nav: "accounts"}, Total: "$1,250.50",
					Holdings: []holdingRow{{Account: "Brokerage <IRA>", Security: "922908769", IDType: "CUSIP", Units: "10.5", Price: "119.10", Value: "$1,250.50", AsOf: "Mar 10, 2026"}},
					Accounts: heads, Months: months, Chart: chart}
			}(), []string{"922908769", "CUSIP", "10.5", "119.10", "$1,250.50 in all", "Mar 10, 2026", "Brokerage &lt;IRA&gt;", "Jan 2026", "Mar 2026", "$1,000.00",
				"<svg", "<title", "<polyline", "Market value of each account at the end of each month", `class="dot"`, `data-label="Brokerage &lt;IRA&gt;"`},
				[]string{"Dec 2025", "No holdings yet"}},
			{"empty", investmentsPage{layout: layout{Title: "Investments", Email: "a@example.com"}}, []string{"No holdings yet"}, []string{"<svg class=\"chart"}},
		},
	}
	for name := range ps {
		if len(samples[name]) == 0 {
			t.Errorf("page %s has no sample data in this test", name)
		}
	}
	for name, cases := range samples {
		for _, tc := range cases {
			var buf bytes.Buffer
			if err := renderPage(&buf, name, tc.data); err != nil {
				t.Fatalf("%s/%s: %v", name, tc.name, err)
			}
			html := buf.String()
			if !strings.HasPrefix(html, "<!doctype html>") || !strings.Contains(html, `<html lang="en">`) || !strings.Contains(html, "/static/tally.css") {
				t.Errorf("%s/%s: not a whole page: %.200s", name, tc.name, html)
			}
			for _, c := range tc.contains {
				if !strings.Contains(html, c) {
					t.Errorf("%s/%s: page lacks %q", name, tc.name, c)
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(html, a) {
					t.Errorf("%s/%s: page contains %q", name, tc.name, a)
				}
			}
		}
	}
}

func TestFormatMoney(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		minor    int64
		currency string
		want     string
	}{
		{0, "USD", "$0.00"},
		{5, "USD", "$0.05"},
		{123456, "USD", "$1,234.56"},
		{-4250, "USD", "−$42.50"},
		{123456789, "EUR", "€1,234,567.89"},
		{100000, "JPY", "¥100,000"},
		{100000, "CHF", "1,000.00 CHF"},
		{-100, "CHF", "−1.00 CHF"},
	} {
		if got := formatMoney(tc.minor, tc.currency); got != tc.want {
			t.Errorf("formatMoney(%d, %s): got %q, want %q", tc.minor, tc.currency, got, tc.want)
		}
	}
}

func TestBarWidth(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		amount, largest int64
		want            int
	}{
		{100, 100, 100}, {50, 100, 50}, {1, 1000, 5}, {0, 100, 0}, {-10, 100, 0}, {48, 100, 50}, {47, 100, 45}, {10, 0, 0},
	} {
		if got := barWidth(tc.amount, tc.largest); got != tc.want {
			t.Errorf("barWidth(%d, %d): got %d, want %d", tc.amount, tc.largest, got, tc.want)
		}
	}
}
