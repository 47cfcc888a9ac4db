package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tallyhq/tally"
)

// maxStatementsPerPage is the most SQL statements one page may issue.
const maxStatementsPerPage = 10

// TestStatementsPerPage counts the SQL statements each page issues, for a
// user with a few transactions and for one with ten times as many: at most
// maxStatementsPerPage, and no more for the larger (nothing per row).
func TestStatementsPerPage(t *testing.T) {
	t.Parallel()
	counts := map[string][2]int64{}
	for i, n := range []int{12, 120} {
		e, alice := site(t)
		ctx := context.Background()
		acct, txns := e.seedCard(alice, n)
		if _, _, err := e.store.PutRule(ctx, alice.ID, "blue_bottle_coffee", "Blue Bottle Coffee", "coffee_shops"); err != nil {
			t.Fatal(err)
		}
		if err := e.store.SetBudget(ctx, alice.ID, "coffee_shops", 2000, "USD", "2026-03"); err != nil {
			t.Fatal(err)
		}
		var ns []*tally.Notification
		for k := range n / 4 {
			ns = append(ns, &tally.Notification{Kind: tally.NotifySyncCompleted, Key: string(rune('a'+k%26)) + string(rune('a'+k/26)), Message: "synced"})
		}
		if _, err := e.store.AddNotifications(ctx, alice.ID, ns, nil); err != nil {
			t.Fatal(err)
		}
		db := e.store.DB()
		for _, path := range []string{
			"/", "/?month=2026-02", "/accounts", "/transactions", "/transactions?q=blue&category=food_dining&month=2026-03&account=ACCOUNT",
			"/transactions?edit=TXN", "/transactions/TXN", "/rules", "/budgets", "/budgets?month=2026-02", "/trends",
			"/trends?category=food_dining", "/alerts", "/settings", "/imports", "/recurring", "/investments", "/nowhere",
		} {
			key := path
			path = strings.NewReplacer("ACCOUNT", acct.ID, "TXN", txns[0].ID).Replace(path)
			before := db.Statements.Load()
			status, _ := e.get(path)
			got := db.Statements.Load() - before
			if status != 200 && path != "/nowhere" {
				t.Fatalf("GET %s: %d", path, status)
			}
			if got > maxStatementsPerPage {
				t.Errorf("GET %s issued %d SQL statements, want at most %d", path, got, maxStatementsPerPage)
			}
			c := counts[key]
			c[i] = got
			counts[key] = c
		}
	}
	for path, c := range counts {
		if c[1] > c[0] {
			t.Errorf("GET %s issued %d statements for a small user and %d for one with ten times the rows", path, c[0], c[1])
		}
	}
}
