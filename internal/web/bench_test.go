package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/web"
)

// benchSellers are the sellers of the benchmark's transactions: name,
// category, typical amount in cents (negative: spending).
var benchSellers = []struct {
	merchant, category string
	amount             int64
}{
	{"Whole Foods Market", "groceries", -8400}, {"Trader Joe's", "groceries", -5200}, {"Blue Bottle Coffee", "coffee_shops", -550},
	{"Starbucks", "coffee_shops", -620}, {"Chipotle", "fast_food", -1400}, {"Olive Garden", "restaurants", -4800},
	{"Shell", "gas_fuel", -4500}, {"Uber", "ride_share", -1900}, {"Amazon", "shopping", -3500}, {"Target", "shopping", -6100},
	{"Netflix", "television", -1599}, {"Comcast", "internet", -7999}, {"PG&E", "utilities", -11200}, {"CVS Pharmacy", "pharmacy", -2300},
	{"24 Hour Fitness", "gym", -4999}, {"Delta Air Lines", "air_travel", -38000}, {"Marriott", "hotel", -21000}, {"Home Depot", "home_improvement", -7600},
	{"Rent", "rent_mortgage", -180000}, {"Acme Payroll", "paycheck", 310000},
}

// benchSite is a web app over a database holding one user with n
// transactions over ten years ending on the pinned date, and that user's
// session cookie.
func benchSite(b *testing.B, n int) (http.Handler, *http.Cookie, map[string]string) {
	b.Helper()
	ctx := context.Background()
	st := store.New(sqldbtest.Open(b), store.NoJobs{})
	st.Now = func() time.Time { return now }
	hash, err := auth.HashPassword("password123")
	if err != nil {
		b.Fatal(err)
	}
	u, err := st.CreateUser(ctx, "bench@example.com", hash)
	if err != nil {
		b.Fatal(err)
	}
	accts := []*tally.Account{
		{ExternalID: "1", Name: "Checking", Type: tally.AccountChecking, Currency: "USD", Balance: 523400},
		{ExternalID: "2", Name: "Visa", Type: tally.AccountCreditCard, Currency: "USD", Balance: -123400},
		{ExternalID: "3", Name: "Savings", Type: tally.AccountSavings, Currency: "USD", Balance: 2500000},
	}
	if err := st.CreateConnection(ctx, &tally.Connection{UserID: u.ID, Kind: tally.ConnectionOFX, URL: "https://bank.example/ofx", Login: "b"}, []byte("x"), accts); err != nil {
		b.Fatal(err)
	}
	start := now.AddDate(-10, 0, 0)
	days := int(now.Sub(start).Hours() / 24)
	var chunk []*tally.Transaction
	for i := range n {
		s := benchSellers[i%len(benchSellers)]
		day := start.AddDate(0, 0, i*days/n)
		chunk = append(chunk, &tally.Transaction{AccountID: accts[i%2].ID, ExternalID: fmt.Sprint("b", i), PostedOn: time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC),
			Amount: s.amount - int64(i%97), Currency: "USD", Description: fmt.Sprintf("%s #%d", s.merchant, i%500), Merchant: s.merchant, Category: s.category,
			CategorySource: tally.SourceDictionary})
		if len(chunk) == 10_000 || i == n-1 {
			if _, err := st.InsertTransactions(ctx, u.ID, chunk); err != nil {
				b.Fatal(err)
			}
			chunk = chunk[:0]
		}
	}
	if _, _, err := st.PutRule(ctx, u.ID, "starbucks", "Starbucks", "coffee_shops"); err != nil {
		b.Fatal(err)
	}
	if err := st.SetBudget(ctx, u.ID, "coffee_shops", 5000, "USD", now.Format(tally.MonthLayout)); err != nil {
		b.Fatal(err)
	}
	var ns []*tally.Notification
	for k := range 60 {
		ns = append(ns, &tally.Notification{Kind: tally.NotifySyncCompleted, Key: fmt.Sprint("k", k), Message: "New transactions arrived from your bank."})
	}
	if _, err := st.AddNotifications(ctx, u.ID, ns, nil); err != nil {
		b.Fatal(err)
	}
	h, err := web.New(web.Config{Store: st, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Routes(mux)
	token, err := auth.NewToken()
	if err != nil {
		b.Fatal(err)
	}
	exp := now.Add(time.Hour)
	if err := st.CreateToken(ctx, u.ID, auth.HashToken(token), store.TokenSession, &exp); err != nil {
		b.Fatal(err)
	}
	txns, _, err := st.Transactions(ctx, u.ID, tally.TransactionFilter{Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	ids := map[string]string{"TXN": txns[0].ID, "ACCOUNT": accts[0].ID}
	return mux, &http.Cookie{Name: web.SessionCookie, Value: token}, ids
}

// benchPages are the pages the benchmark serves.
var benchPages = []struct{ name, path string }{
	{"dashboard", "/"},
	{"dashboard_past_month", "/?month=2020-06"},
	{"accounts", "/accounts"},
	{"transactions", "/transactions"},
	{"transactions_filtered", "/transactions?category=food_dining&month=2024-05&account=ACCOUNT"},
	{"transactions_search", "/transactions?q=coffee"},
	{"transactions_search_rare", "/transactions?q=no+such+seller"},
	{"transactions_edit", "/transactions?edit=TXN"},
	{"transaction", "/transactions/TXN"},
	{"rules", "/rules"},
	{"budgets", "/budgets"},
	{"trends", "/trends"},
	{"trends_category", "/trends?category=food_dining"},
	{"alerts", "/alerts"},
	{"settings", "/settings"},
	{"imports", "/imports"},
}

// BenchmarkPages serves every page for a user with 100,000 transactions
// over ten years, and for one with 1,000 over the same years as the
// baseline. It reports the median server time (p50-ms), the HTML size
// (html-bytes) and the ratio of the large user's median to the baseline's
// (x-baseline).
//
//	go test -run '^$' -bench BenchmarkPages -benchtime 200x ./internal/web
func BenchmarkPages(b *testing.B) {
	type site struct {
		h      http.Handler
		cookie *http.Cookie
		ids    map[string]string
	}
	sites := map[int]site{}
	for _, n := range []int{1_000, 100_000} {
		h, c, ids := benchSite(b, n)
		sites[n] = site{h, c, ids}
	}
	serve := func(s site, path string) (time.Duration, int) {
		for k, v := range s.ids {
			path = replaceAll(path, k, v)
		}
		req := httptest.NewRequest("GET", path, nil)
		req.AddCookie(s.cookie)
		rec := httptest.NewRecorder()
		start := time.Now()
		s.h.ServeHTTP(rec, req)
		d := time.Since(start)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: %d", path, rec.Code)
		}
		return d, rec.Body.Len()
	}
	median := func(ds []time.Duration) time.Duration {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return ds[len(ds)/2]
	}
	for _, p := range benchPages {
		b.Run(p.name, func(b *testing.B) {
			var base, large []time.Duration
			size := 0
			for b.Loop() {
				d, _ := serve(sites[1_000], p.path)
				base = append(base, d)
				d, size = serve(sites[100_000], p.path)
				large = append(large, d)
			}
			m := median(large)
			b.ReportMetric(float64(m.Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(size), "html-bytes")
			b.ReportMetric(float64(m)/float64(median(base)), "x-baseline")
		})
	}
}

func replaceAll(s, old, new string) string {
	for {
		i := indexOf(s, old)
		if i < 0 {
			return s
		}
		s = s[:i] + new + s[i+len(old):]
	}
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
