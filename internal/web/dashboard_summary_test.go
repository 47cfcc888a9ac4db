package web_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/cache"
	"github.com/tallyhq/tally/internal/httpapi"
	"github.com/tallyhq/tally/internal/httpx"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/summary"
	"github.com/tallyhq/tally/internal/web"
)

// usd renders an API amount ("-1234.50") the way pages show it
// ("−$1,234.50").
func usd(t *testing.T, amount string) string {
	t.Helper()
	neg := strings.HasPrefix(amount, "-")
	whole, frac, _ := strings.Cut(strings.TrimPrefix(amount, "-"), ".")
	if _, err := strconv.ParseUint(whole, 10, 64); err != nil {
		t.Fatalf("amount %q: %v", amount, err)
	}
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	s := "$" + b.String() + "." + frac
	if neg {
		s = "−" + s
	}
	return s
}

var (
	netWorthRE = regexp.MustCompile(`<span class="sub">Net worth</span><span class="kpi[^"]*">([^<]+)</span>`)
	unreadRE   = regexp.MustCompile(`<span class="sub">Unread alerts</span><span class="kpi">(\d+)</span>`)
	spendingRE = regexp.MustCompile(`<tr><th scope="row">([^<]+)</th><td>(\d+)</td><td>([^<]+)</td></tr>`)
	budgetRE   = regexp.MustCompile(`<span class="budget-name">([^<]+)</span><span class="num">([^<]+) of ([^<]+)</span>`)
	balanceRE  = regexp.MustCompile(`<td data-label="Balance" class="num[^"]*">([^<]+)</td>`)
	recentRE   = regexp.MustCompile(`<li><span class="who"><a href="/transactions/([^"]+)">`)
)

// dashboardAgrees checks that the dashboard shows what GET
// /api/v1/summary answers: net worth, account balances, spending per
// category, budgets, the latest transactions and the unread count.
func dashboardAgrees(t *testing.T, page string, sum map[string]any) {
	t.Helper()
	one := func(re *regexp.Regexp) string {
		m := re.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("the dashboard has no %s", re)
		}
		return m[1]
	}
	main := sum["net_worth"].([]any)[0].(map[string]any)
	if got, want := one(netWorthRE), usd(t, main["total"].(string)); got != want {
		t.Errorf("net worth: dashboard %s, summary %s", got, want)
	}
	if got, want := one(unreadRE), fmt.Sprint(sum["unread_notifications"]); got != want {
		t.Errorf("unread: dashboard %s, summary %s", got, want)
	}
	var balances, wantBalances []string
	for _, m := range balanceRE.FindAllStringSubmatch(page, -1) {
		balances = append(balances, m[1])
	}
	for _, a := range sum["accounts"].([]any) {
		if a := a.(map[string]any); !a["hidden"].(bool) {
			wantBalances = append(wantBalances, usd(t, a["balance"].(string)))
		}
	}
	if !slices.Equal(balances, wantBalances) {
		t.Errorf("balances: dashboard %v, summary %v", balances, wantBalances)
	}
	spending := map[string]string{}
	for _, m := range spendingRE.FindAllStringSubmatch(page, -1) {
		spending[m[1]] = m[2] + " " + m[3]
	}
	cats := sum["spending"].(map[string]any)["categories"].([]any)
	if len(spending) != len(cats) || len(cats) == 0 {
		t.Errorf("spending: dashboard has %d categories, summary %d", len(spending), len(cats))
	}
	for _, c := range cats {
		c := c.(map[string]any)
		cat, _ := tally.LookupCategory(c["category"].(string))
		if got, want := spending[cat.Name], fmt.Sprintf("%v %s", c["count"], usd(t, c["amount"].(string))); got != want {
			t.Errorf("spending on %s: dashboard %q, summary %q", cat.Name, got, want)
		}
	}
	budgets := map[string]string{}
	for _, m := range budgetRE.FindAllStringSubmatch(page, -1) {
		budgets[m[1]] = m[2] + " of " + m[3]
	}
	bs := sum["budgets"].([]any)
	if len(budgets) != len(bs) || len(bs) == 0 {
		t.Errorf("budgets: dashboard shows %d, summary %d", len(budgets), len(bs))
	}
	for _, b := range bs {
		b := b.(map[string]any)
		if got, want := budgets[b["name"].(string)], usd(t, b["spent"].(string))+" of "+usd(t, b["amount"].(string)); got != want {
			t.Errorf("budget %s: dashboard %q, summary %q", b["name"], got, want)
		}
	}
	var recent, wantRecent []string
	for _, m := range recentRE.FindAllStringSubmatch(page, -1) {
		recent = append(recent, m[1])
	}
	for _, tx := range sum["recent_transactions"].([]any) {
		wantRecent = append(wantRecent, tx.(map[string]any)["id"].(string))
	}
	if !slices.Equal(recent, wantRecent) || len(recent) == 0 {
		t.Errorf("latest transactions: dashboard %v, summary %v", recent, wantRecent)
	}
}

// TestDashboardIsTheSummary: the web dashboard and GET /api/v1/summary,
// served by one process with a cache, show the same figures; a second
// load is served from the cache; and a write (a sync's new transaction,
// an alert read) shows on the next load of each.
func TestDashboardIsTheSummary(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := sqldbtest.Open(t)
	db.Statements = &atomic.Int64{}
	st := store.New(db, store.NoJobs{})
	st.Now = func() time.Time { return now }
	c := cache.New(cache.NewMemory(100), cache.Options{})
	st.SetInvalidator(c)
	clock := func() time.Time { return now }
	notifier := &notify.Service{Store: st, Now: clock}
	sums := &summary.Service{Store: st, Notify: notifier, Cache: c, Now: clock}
	logger := slog.New(slog.DiscardHandler)
	api := &httpapi.Server{Store: st, Logger: logger, Now: clock, Cache: c, Notify: notifier, Summary: sums}
	h, err := web.New(web.Config{Store: st, Logger: logger, Now: clock, Notify: notifier, Summary: sums})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	api.Routes(mux)
	h.Routes(mux)
	srv := httptest.NewServer(httpx.Middleware(mux, logger))
	t.Cleanup(srv.Close)
	e := newEnvOn(t, st, srv)

	u := e.user("same@example.com")
	checking := &tally.Account{ExternalID: "1", Name: "Checking", Type: tally.AccountChecking, Currency: "USD", Balance: 1234567}
	card := &tally.Account{ExternalID: "2", Name: "Card", Type: tally.AccountCreditCard, Currency: "USD", Balance: -43210}
	if err := st.CreateConnection(ctx, &tally.Connection{UserID: u.ID, Kind: tally.ConnectionOFX, URL: "https://bank.example/ofx", Login: "same"},
		[]byte("x"), []*tally.Account{checking, card}); err != nil {
		t.Fatal(err)
	}
	txn := func(acct *tally.Account, id string, day, amount int, merchant, category string) *tally.Transaction {
		return &tally.Transaction{AccountID: acct.ID, ExternalID: id, PostedOn: time.Date(2026, 3, day, 0, 0, 0, 0, time.UTC), Amount: int64(amount),
			Currency: "USD", Description: strings.ToUpper(merchant), Merchant: merchant, Category: category, CategorySource: tally.SourceDictionary}
	}
	if _, err := st.InsertTransactions(ctx, u.ID, []*tally.Transaction{
		txn(checking, "a", 2, -4250, "Corner Market", "groceries"), txn(card, "b", 3, -1275, "Blue Bottle", "coffee_shops"),
		txn(card, "c", 5, -899, "Blue Bottle", "coffee_shops"), txn(checking, "d", 9, -120000, "Landlord", "rent"),
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetBudget(ctx, u.ID, "coffee_shops", 2000, "USD", "2026-03"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddNotifications(ctx, u.ID, []*tally.Notification{
		{Kind: tally.NotifyBudgetExceeded, Category: "coffee_shops", Month: "2026-03", Message: "Coffee over budget."},
		{Kind: tally.NotifyBudgetApproaching, Category: "groceries", Month: "2026-03", Message: "Groceries close to budget."},
	}, nil); err != nil {
		t.Fatal(err)
	}
	token := "tly_dashboard_and_summary"
	if err := st.CreateToken(ctx, u.ID, auth.HashToken(token), store.TokenAPI, nil); err != nil {
		t.Fatal(err)
	}
	apiSummary := func() map[string]any {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/summary", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("GET /api/v1/summary: %d, %v", res.StatusCode, err)
		}
		return out
	}
	body(t, e.post("/signin", url.Values{"email": {"same@example.com"}, "password": {"password123"}}, nil))

	// The token's first use is a write (its last use shows in the token
	// list), so it comes before the dashboard's answer is cached.
	first := apiSummary()
	_, page := e.get("/")
	before := db.Statements.Load()
	if _, again := e.get("/"); again != page {
		t.Error("the dashboard changed without a write")
	}
	// A cached load reads only the session from the database.
	if got := db.Statements.Load() - before; got != 1 {
		t.Errorf("a second dashboard load ran %d statements, want 1 (the session): the rest comes from the cache", got)
	}
	dashboardAgrees(t, page, first)
	if !strings.Contains(page, "$12,345.67") || !strings.Contains(page, "$21.74 of $20.00") {
		t.Errorf("the dashboard lacks the checking balance or the coffee budget")
	}

	// A sync brings a new transaction and a new balance; an alert is read.
	if _, err := st.InsertTransactions(ctx, u.ID, []*tally.Transaction{txn(card, "e", 14, -650, "Blue Bottle", "coffee_shops")}); err != nil {
		t.Fatal(err)
	}
	ns, _, err := st.UnreadNotifications(ctx, u.ID, 1)
	if err != nil || len(ns) != 1 {
		t.Fatalf("unread: %v, %v", ns, err)
	}
	if _, err := st.MarkNotificationRead(ctx, u.ID, ns[0].ID); err != nil {
		t.Fatal(err)
	}
	_, page = e.get("/")
	second := apiSummary()
	dashboardAgrees(t, page, second)
	if got := fmt.Sprint(second["unread_notifications"]); got != "1" {
		t.Errorf("after reading an alert: %s unread, want 1", got)
	}
	if got := second["recent_transactions"].([]any)[0].(map[string]any)["posted_on"]; got != "2026-03-14" {
		t.Errorf("after the sync: newest transaction of %v, want 2026-03-14", got)
	}
	if !strings.Contains(page, "$28.24 of $20.00") {
		t.Errorf("after the sync: the coffee budget does not show $28.24 spent")
	}
}
