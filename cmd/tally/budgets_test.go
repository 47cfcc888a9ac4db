package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// serve --demo shows the demo user's budgets, from history and their own,
// and the alerts the first sync's budget check raised.
func TestDemoShowsBudgetsAndAlerts(t *testing.T) {
	t.Parallel()
	m := startMain(t, true)
	out := m.Stdout.(*bytes.Buffer).String()
	password := strings.Fields(out[strings.Index(out, "password: ")+len("password: "):])[0]
	c := &client{t: t, base: m.URL()}
	c.token = c.must(201, "POST", "/api/v1/tokens", map[string]string{"email": demoEmail, "password": password})["token"].(string)

	sources := map[string]int{}
	eventually(t, jobWait, "the demo budgets from history", func() bool {
		clear(sources)
		for _, x := range c.must(200, "GET", "/api/v1/budgets", nil)["categories"].([]any) {
			sources[x.(map[string]any)["source"].(string)]++
		}
		return sources["history"] > 3 && sources["manual"] == 1
	})
	if p := c.must(200, "GET", "/api/v1/profile", nil); p["monthly_income"] != "6200.00" {
		t.Errorf("demo profile: %v", p)
	}
	if time.Now().Day() < 5 {
		t.Skip("too early in the month for the demo's coffee budget to be spent")
	}
	eventually(t, jobWait, "a budget alert in the demo inbox", func() bool {
		for _, x := range c.must(200, "GET", "/api/v1/notifications", nil)["notifications"].([]any) {
			n := x.(map[string]any)
			if strings.HasPrefix(n["kind"].(string), "budget_") && n["category"] == "coffee_shops" {
				return true
			}
		}
		return false
	})
}
