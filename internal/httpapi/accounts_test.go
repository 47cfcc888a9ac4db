package httpapi_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/httpapi"
	"github.com/tallyhq/tally/internal/httpx"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
)

// closedServer is an API server whose sign-up is closed, over a database
// with no user yet.
func closedServer(t *testing.T) (*env, *store.Store) {
	t.Helper()
	st := store.New(sqldbtest.Open(t), store.NoJobs{})
	e := &env{t: t, store: st, logs: &syncBuffer{}}
	s := &httpapi.Server{Store: st, Now: func() time.Time { return now }}
	mux := http.NewServeMux()
	s.Routes(mux)
	e.srv = httptest.NewServer(httpx.Middleware(mux, nil))
	t.Cleanup(e.srv.Close)
	return e, st
}

func TestSignupClosed(t *testing.T) {
	t.Parallel()
	e, st := closedServer(t)

	// The first user of an instance may always sign up; the second not.
	e.do("POST", "/api/v1/users", "", map[string]string{"email": "first@example.com", "password": "password123"}).want(t, http.StatusCreated)
	e.do("POST", "/api/v1/users", "", map[string]string{"email": "second@example.com", "password": "password123"}).
		wantError(t, http.StatusForbidden, "forbidden", "sign-up is closed")
	if _, _, err := st.UserByEmail(context.Background(), "second@example.com"); tally.ErrorCode(err) != tally.ENOTFOUND {
		t.Fatalf("a refused sign-up stored the user: %v", err)
	}
}

// First sign-ups arriving at once on a closed instance, as on two API
// processes at its first start: one gets in, the others are refused, and
// one user is stored.
func TestSignupClosedToConcurrentFirstSignups(t *testing.T) {
	t.Parallel()
	e, st := closedServer(t)

	const n = 4
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := strings.NewReader(fmt.Sprintf(`{"email": "first%d@example.com", "password": "password123"}`, i))
			res, err := http.Post(e.srv.URL+"/api/v1/users", "application/json", body)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			codes[i] = res.StatusCode
		}()
	}
	wg.Wait()
	created := 0
	for _, c := range codes {
		switch c {
		case http.StatusCreated:
			created++
		case http.StatusForbidden:
		default:
			t.Errorf("a first sign-up answered %d, want 201 or 403", c)
		}
	}
	stored := 0
	for i := range n {
		if _, _, err := st.UserByEmail(context.Background(), fmt.Sprintf("first%d@example.com", i)); err == nil {
			stored++
		}
	}
	if created != 1 || stored != 1 {
		t.Fatalf("%d of %d concurrent first sign-ups were answered 201 and %d users stored, want 1 and 1", created, n, stored)
	}
}

func TestTokensNamedListedRevoked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, token := e.signUp("alice@example.com")
	_, bobToken := e.signUp("bob@example.com")

	res := e.do("POST", "/api/v1/tokens", "", map[string]any{"email": "alice@example.com", "password": "password123", "name": "spreadsheet",
		"expires_at": now.Add(48 * time.Hour).Format(time.RFC3339)}).want(t, http.StatusCreated)
	named, namedID := res.str("token"), res.str("id")
	if res.str("name") != "spreadsheet" || res.str("expires_at") == "" {
		t.Fatalf("got %s, want the name and expiry back", res.raw)
	}
	e.do("POST", "/api/v1/tokens", "", map[string]any{"email": "alice@example.com", "password": "password123", "name": strings.Repeat("n", 101)}).
		wantError(t, http.StatusBadRequest, "invalid_argument", "name")
	e.do("POST", "/api/v1/tokens", "", map[string]any{"email": "alice@example.com", "password": "password123", "expires_at": "tomorrow"}).
		wantError(t, http.StatusBadRequest, "invalid_argument", "expires_at")
	e.do("POST", "/api/v1/tokens", "", map[string]any{"email": "alice@example.com", "password": "password123", "expires_at": now.Add(-time.Hour).Format(time.RFC3339)}).
		wantError(t, http.StatusBadRequest, "invalid_argument", "past")

	e.do("GET", "/api/v1/accounts", named, nil).want(t, http.StatusOK)
	list := e.do("GET", "/api/v1/tokens", token, nil).want(t, http.StatusOK).list("tokens")
	if len(list) != 2 {
		t.Fatalf("got %d tokens, want 2", len(list))
	}
	for _, tk := range list {
		if _, leaked := tk["token"]; leaked {
			t.Fatal("the token list shows a token")
		}
		if tk["id"] == namedID && (tk["name"] != "spreadsheet" || tk["last_used_at"] == nil) {
			t.Fatalf("got %v, want the name and its last use", tk)
		}
	}
	// Another user's token is not found; the owner's is revoked.
	e.do("DELETE", "/api/v1/tokens/"+namedID, bobToken, nil).wantError(t, http.StatusNotFound, "not_found")
	e.do("DELETE", "/api/v1/tokens/"+namedID, token, nil).want(t, http.StatusNoContent)
	e.do("GET", "/api/v1/accounts", named, nil).wantError(t, http.StatusUnauthorized, "unauthenticated")
}

func TestPatchAndDeleteAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	aliceID, token := e.signUp("alice@example.com")
	_, bobToken := e.signUp("bob@example.com")
	_, linked := e.link(token)

	res := e.do("PATCH", "/api/v1/accounts/"+linked[0], token, map[string]any{"name": "  Bills  ", "hidden": true}).want(t, http.StatusOK)
	if res.str("name") != "Bills" || res.body["hidden"] != true {
		t.Fatalf("got %s", res.raw)
	}
	e.do("PATCH", "/api/v1/accounts/"+linked[0], token, map[string]any{"name": ""}).wantError(t, http.StatusBadRequest, "invalid_argument", "name")
	e.do("PATCH", "/api/v1/accounts/"+linked[0], token, map[string]any{"hidden": "yes"}).wantError(t, http.StatusBadRequest, "invalid_argument")
	e.do("PATCH", "/api/v1/accounts/"+linked[0], bobToken, map[string]any{"name": "Mine"}).wantError(t, http.StatusNotFound, "not_found")
	e.do("DELETE", "/api/v1/accounts/"+linked[0], token, nil).wantError(t, http.StatusConflict, "conflict", "connection")

	// A file account goes with its transactions and monthly totals.
	connID, err := e.store.EnsureFileConnection(ctx, aliceID)
	if err != nil {
		t.Fatal(err)
	}
	file, err := e.store.EnsureAccount(ctx, &tally.Account{UserID: aliceID, ConnectionID: connID, ExternalID: "file:cash.qif", Name: "cash.qif", Type: tally.AccountOther, Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	e.seed(aliceID, txn{account: file.ID, date: "2026-03-02", category: "groceries", amount: -5000},
		txn{account: linked[0], date: "2026-03-03", category: "groceries", amount: -700})
	e.do("DELETE", "/api/v1/accounts/"+file.ID, bobToken, nil).wantError(t, http.StatusNotFound, "not_found")
	e.do("DELETE", "/api/v1/accounts/"+file.ID, token, nil).want(t, http.StatusNoContent)
	e.do("GET", "/api/v1/accounts/"+file.ID, token, nil).wantError(t, http.StatusNotFound, "not_found")
	sp := e.do("GET", "/api/v1/spending?month=2026-03", token, nil).want(t, http.StatusOK)
	if sp.str("total") != "7.00" {
		t.Fatalf("spending after the delete: got %s, want 7.00", sp.raw)
	}
	if n := len(e.do("GET", "/api/v1/transactions", token, nil).list("transactions")); n != 1 {
		t.Fatalf("got %d transactions, want 1", n)
	}
	if drift, err := e.store.ReconcileUser(ctx, aliceID, false); err != nil || len(drift) != 0 {
		t.Fatalf("monthly totals drifted: %v %v", drift, err)
	}
}

func TestTransactionsCSV(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aliceID, token := e.signUp("alice@example.com")
	_, accts := e.link(token)
	var txns []txn
	for i := range 1203 {
		txns = append(txns, txn{account: accts[0], date: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%80).Format(tally.DateLayout),
			category: "groceries", amount: -int64(100 + i), merchant: "Shop, \"Quoted\" " + string(rune('A'+i%3))})
	}
	e.seed(aliceID, txns...)

	res := e.do("GET", "/api/v1/transactions.csv?category=food_dining", token, nil).want(t, http.StatusOK)
	if ct := res.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	rows, err := csv.NewReader(strings.NewReader(string(res.raw))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1204 || rows[0][0] != "id" || rows[0][8] != "amount" {
		t.Fatalf("got %d rows starting %v, want a header and 1203 rows", len(rows), rows[0])
	}
	if !strings.Contains(string(res.raw), "\r\n") {
		t.Error("rows do not end in CRLF")
	}
	// The rows are the API's, newest first.
	page := e.do("GET", "/api/v1/transactions?limit=3", token, nil).list("transactions")
	for i, tx := range page {
		if rows[i+1][0] != tx["id"] || rows[i+1][8] != tx["amount"] || rows[i+1][5] != tx["merchant"] {
			t.Errorf("row %d %v, want %v", i+1, rows[i+1], tx)
		}
	}
	res = e.do("GET", "/api/v1/transactions.csv?month=2026-02&q=%22quoted%22+c", token, nil).want(t, http.StatusOK)
	rows, _ = csv.NewReader(strings.NewReader(string(res.raw))).ReadAll()
	for _, r := range rows[1:] {
		if !strings.HasPrefix(r[1], "2026-02") || !strings.HasSuffix(r[5], "C") {
			t.Fatalf("row %v escapes the filters", r)
		}
	}
	e.do("GET", "/api/v1/transactions.csv?month=13", token, nil).wantError(t, http.StatusBadRequest, "invalid_argument", "month")
	e.do("GET", "/api/v1/transactions.csv", "", nil).wantError(t, http.StatusUnauthorized, "unauthenticated")
}

func TestTrendsAndReadAll(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aliceID, token := e.signUp("alice@example.com")
	_, accts := e.link(token)
	e.seed(aliceID,
		txn{account: accts[0], date: "2026-01-05", category: "groceries", amount: -10000},
		txn{account: accts[0], date: "2026-01-06", category: "restaurants", amount: -2500},
		txn{account: accts[0], date: "2026-02-06", category: "gas_fuel", amount: -4000},
		txn{account: accts[0], date: "2026-02-15", category: "paycheck", amount: 300000},
		txn{account: accts[0], date: "2026-02-16", category: "credit_card_payment", amount: -99999},
	)
	res := e.do("GET", "/api/v1/trends?from=2025-12&to=2026-03", token, nil).want(t, http.StatusOK)
	months := res.list("months")
	if len(months) != 4 || months[0]["month"] != "2025-12" || months[3]["month"] != "2026-03" {
		t.Fatalf("got %s", res.raw)
	}
	jan, feb := months[1], months[2]
	if jan["spending"] != "125.00" || jan["categories"].(map[string]any)["food_dining"] != "125.00" {
		t.Errorf("January: %v", jan)
	}
	if feb["income"] != "3000.00" || feb["spending"] != "40.00" || feb["categories"].(map[string]any)["auto_transport"] != "40.00" {
		t.Errorf("February (transfers are not spending): %v", feb)
	}
	res = e.do("GET", "/api/v1/trends?from=2026-01&to=2026-01&category=food_dining", token, nil).want(t, http.StatusOK)
	cats := res.list("months")[0]["categories"].(map[string]any)
	if cats["groceries"] != "100.00" || cats["restaurants"] != "25.00" {
		t.Errorf("food_dining by subcategory: %v", cats)
	}
	for _, q := range []string{"from=2026-13&to=2026-01", "from=2026-02&to=2026-01", "from=2000-01&to=2026-01", "category=groceries", "category=nope"} {
		e.do("GET", "/api/v1/trends?"+q, token, nil).wantError(t, http.StatusBadRequest, "invalid_argument")
	}

	if _, err := e.store.AddNotifications(context.Background(), aliceID, []*tally.Notification{
		{Kind: tally.NotifyBudgetExceeded, Category: "groceries", Month: "2026-03", Message: "over"},
		{Kind: tally.NotifyBudgetApproaching, Category: "gas_fuel", Month: "2026-03", Message: "close"},
	}, nil); err != nil {
		t.Fatal(err)
	}
	res = e.do("POST", "/api/v1/notifications/read-all", token, nil).want(t, http.StatusOK)
	if res.body["marked"] != float64(2) {
		t.Fatalf("got %s, want 2 marked", res.raw)
	}
	if res := e.do("GET", "/api/v1/notifications", token, nil).want(t, http.StatusOK); res.body["unread"] != float64(0) {
		t.Fatalf("unread after read-all: %s", res.raw)
	}
}

func TestHiddenAccountLeavesBudgets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aliceID, token := e.signUp("alice@example.com")
	_, accts := e.link(token)
	month := now.Format(tally.MonthLayout)
	e.seed(aliceID, txn{account: accts[0], date: month + "-02", category: "groceries", amount: -3000},
		txn{account: accts[1], date: month + "-03", category: "groceries", amount: -5000})
	e.do("PUT", "/api/v1/budgets/groceries", token, map[string]string{"amount": "100.00"}).want(t, http.StatusOK)
	spent := func() string {
		for _, c := range e.do("GET", "/api/v1/budgets", token, nil).want(t, http.StatusOK).list("categories") {
			if c["category"] == "groceries" {
				return c["spent"].(string)
			}
		}
		return ""
	}
	if got := spent(); got != "80.00" {
		t.Fatalf("spent before hiding: got %s, want 80.00", got)
	}
	e.do("PATCH", "/api/v1/accounts/"+accts[1], token, map[string]any{"hidden": true}).want(t, http.StatusOK)
	if got := spent(); got != "30.00" {
		t.Fatalf("spent with the card hidden: got %s, want 30.00", got)
	}
	// Spending itself still counts every account.
	if sp := e.do("GET", "/api/v1/spending?month="+month, token, nil).want(t, http.StatusOK); sp.str("total") != "80.00" {
		t.Fatalf("spending: %s", sp.raw)
	}
	e.do("PATCH", "/api/v1/accounts/"+accts[1], token, map[string]any{"hidden": false}).want(t, http.StatusOK)
	if got := spent(); got != "80.00" {
		t.Fatalf("spent after showing the card again: got %s, want 80.00", got)
	}
}
