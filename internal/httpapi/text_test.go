package httpapi_test

import (
	"net/http"
	"testing"
)

// NUL bytes and invalid UTF-8 are refused with 400 before any query: on
// PostgreSQL they once answered 500 at eleven endpoints.
func TestNULAndInvalidUTF8AreRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, token := e.signUp("alice@example.com")
	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/v1/transactions?q=%00", nil},
		{"GET", "/api/v1/transactions?q=%ff%fe", nil},
		{"GET", "/api/v1/transactions?category=%00", nil},
		{"GET", "/api/v1/transactions?cursor=%00abc", nil},
		{"GET", "/api/v1/transactions/%00", nil},
		{"GET", "/api/v1/accounts/ab%00cd", nil},
		{"PATCH", "/api/v1/transactions/%c3%28", map[string]string{"category": "groceries"}},
		{"DELETE", "/api/v1/connections/%00", nil},
		{"DELETE", "/api/v1/rules/%00", nil},
		{"PUT", "/api/v1/budgets/%00", map[string]string{"amount": "10.00"}},
		{"GET", "/api/v1/budgets?month=2026-0%00", nil},
		{"POST", "/api/v1/account", map[string]string{"account_url": "https://bank.example/ofx", "account_login": "a\x00b", "account_password": "pw"}},
		{"POST", "/api/v1/rules", map[string]string{"merchant": "Joe\u0000s", "category": "groceries"}},
		{"POST", "/api/v1/rules", "{\"merchant\":\"Jo\xffe\",\"category\":\"groceries\"}"},
		{"POST", "/api/v1/tokens", map[string]string{"email": "alice@example.com\x00", "password": "password123"}},
		{"PUT", "/api/v1/profile", map[string]string{"time_zone": "UTC\x00"}},
	} {
		res := e.do(tc.method, tc.path, token, tc.body)
		if res.status != http.StatusBadRequest {
			t.Errorf("%s %s: got %d %s, want 400", tc.method, tc.path, res.status, res.raw)
		}
	}
	// An escaped backslash before u0000 is ordinary text.
	e.do("POST", "/api/v1/rules", token, `{"merchant":"Joe\\u0000s","category":"groceries"}`).want(t, http.StatusCreated)
}
