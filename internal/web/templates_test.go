package web

import (
	"bytes"
	"strings"
	"testing"

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
		"dashboard": {
			{"full", &dashboardPage{
				layout: layout{Title: "Dashboard", Email: "alice@example.com"}, Month: "March 2026",
				Accounts: []accountRow{
					{Name: "Checking", Type: "Checking", Mask: "1234", Balance: "$1,234.56", Status: "active", StatusLabel: "Up to date"},
					{Name: "Visa <Gold>", Type: "Credit card", Mask: "9876", Balance: "−$42.50", Negative: true, Status: "needs_attention", StatusLabel: "Needs attention", StatusReason: "The bank refused the password; update it."},
				},
				Spending: []spendingRow{{Category: "Groceries", Amount: "$84.12", Count: 3, Width: 100}, {Category: "Coffee Shops", Amount: "$6.50", Count: 1, Width: 10}},
				Total:    "$90.62",
				Transactions: []transactionRow{
					{Date: "Mar 2", Merchant: "Whole Foods Market", Category: "Groceries", Amount: "−$84.12", Negative: true},
					{Date: "Mar 1", Merchant: "Acme Payroll", Category: "Paycheck", Amount: "$2,500.00", Pending: true},
				},
				Budgets: []budgetRow{{Category: "Groceries", Spent: "$412.00", Amount: "$500.00", Source: "set by you", Percent: 82, Status: "approaching", Width: 80}},
				Alerts:  []alertRow{{Kind: "budget_approaching", Message: "You've spent $412 of your $500 Groceries budget for March (82 %)."}},
			}, []string{"Budgets for March 2026", "$412.00 of $500.00", "set by you", `<tr class="approaching">`, "You&#39;ve spent $412 of your $500 Groceries budget for March (82 %).", "Checking", "··1234", "$1,234.56", "Needs attention", "The bank refused the password", "Spending in March 2026", "Groceries", `class="bar w100"`, "3 transactions", "1 transaction<", "$90.62", "Whole Foods Market", "Pending", "Sign out", "alice@example.com", "Visa &lt;Gold&gt;"}, []string{"refresh", "Syncing your accounts"}},
			{"syncing", &dashboardPage{layout: layout{Title: "Dashboard", Email: "new@example.com", Syncing: true}, Month: "March 2026", Total: "$0.00",
				Accounts: []accountRow{{Name: "Checking", Type: "Checking", Balance: "$0.00", Status: "syncing", StatusLabel: "Syncing"}}},
				[]string{`<meta http-equiv="refresh" content="3">`, "Syncing your accounts…", "No spending this month yet.", "No transactions yet.", "No budgets yet"}, []string{"Alerts"}},
			{"empty", &dashboardPage{layout: layout{Title: "Dashboard", Email: "new@example.com"}, Month: "March 2026", Total: "$0.00"},
				[]string{"No accounts linked yet."}, []string{"refresh"}},
		},
		"imports": {
			{"empty", importsPage{layout: layout{Title: "Import a statement", Email: "a@example.com"}, MaxSize: "64 MiB"},
				[]string{`enctype="multipart/form-data"`, "up to 64 MiB", "No files imported yet."}, []string{"refresh", `role="alert"`}},
			{"running and refused", importsPage{layout: layout{Title: "Import a statement", Email: "a@example.com", Syncing: true}, MaxSize: "64 MiB",
				Error: "this file is a PDF document, which Tally cannot import",
				Imports: []importRow{
					{Import: &tally.Import{Filename: "big.ofx", Format: "ofx", Status: "running", Parsed: 30000, Inserted: 29990, Duplicates: 10}, Created: "Mar 15, 12:00 UTC", Active: true},
					{Import: &tally.Import{Filename: "card <1>.csv", Format: "csv", Status: "done", Parsed: 2, Inserted: 2, Rejected: 1, Errors: []tally.ImportError{{Line: 4, Reason: `amount "abc" is not a number`}}}, Created: "Mar 14, 09:00 UTC"},
				}},
				[]string{`role="alert"`, "PDF document", `http-equiv="refresh"`, "Importing…", "big.ofx", "29990", "card &lt;1&gt;.csv", "Line 4: amount &#34;abc&#34; is not a number"}, []string{"No files imported yet."}},
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
