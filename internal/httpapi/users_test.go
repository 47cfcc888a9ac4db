package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestUsersAndTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	res := e.do("POST", "/api/v1/users", "", map[string]string{"email": " Alice@Example.com ", "password": "password123"}).want(t, http.StatusCreated)
	if len(res.body) != 2 || res.str("id") == "" || res.str("email") != "alice@example.com" {
		t.Fatalf("got %s, want {\"id\",\"email\":\"alice@example.com\"}", res.raw)
	}

	// A taken email (in any case) gets the same answer as a new one, so
	// registration does not tell which emails have accounts; nothing
	// changes for the account that exists.
	again := e.do("POST", "/api/v1/users", "", map[string]string{"email": "ALICE@example.com", "password": "password456"}).want(t, http.StatusCreated)
	if len(again.body) != 2 || again.str("email") != "alice@example.com" || again.str("id") == "" || again.str("id") == res.str("id") {
		t.Fatalf("a taken email: got %s, want the shape of %s with another id", again.raw, res.raw)
	}
	e.do("POST", "/api/v1/tokens", "", map[string]string{"email": "alice@example.com", "password": "password456"}).wantError(t, http.StatusUnauthorized, "unauthenticated")

	for _, tc := range []struct {
		name, email, password, contains string
	}{
		{"no email", "", "password123", "email"},
		{"bad email", "not-an-email", "password123", "email"},
		{"display name", "Bob <bob@example.com>", "password123", "email"},
		{"no domain dot", "bob@example", "password123", "email"},
		{"short password", "bob@example.com", "short", "at least 8"},
		{"long password", "bob@example.com", strings.Repeat("x", 1025), "at most 1024"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.do("POST", "/api/v1/users", "", map[string]string{"email": tc.email, "password": tc.password}).
				wantError(t, http.StatusBadRequest, "invalid_argument", tc.contains)
		})
	}

	res = e.do("POST", "/api/v1/tokens", "", map[string]string{"email": "alice@example.com", "password": "password123"}).want(t, http.StatusCreated)
	token := res.str("token")
	if len(token) != 43 || res.str("id") == "" {
		t.Fatalf("got %s, want a 43-character token and its id", res.raw)
	}
	e.do("GET", "/api/v1/accounts", token, nil).want(t, http.StatusOK)

	// A wrong password and an unknown email get the same answer.
	wrong := e.do("POST", "/api/v1/tokens", "", map[string]string{"email": "alice@example.com", "password": "password124"})
	wrong.wantError(t, http.StatusUnauthorized, "unauthenticated")
	unknown := e.do("POST", "/api/v1/tokens", "", map[string]string{"email": "nobody@example.com", "password": "password123"})
	unknown.wantError(t, http.StatusUnauthorized, "unauthenticated")
	if string(wrong.raw) != string(unknown.raw) {
		t.Fatalf("wrong password answered %s, unknown email %s; want the same", wrong.raw, unknown.raw)
	}
	e.do("POST", "/api/v1/tokens", "", map[string]string{"email": "alice@example.com"}).wantError(t, http.StatusUnauthorized, "unauthenticated")
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, token := e.signUp("alice@example.com")

	for _, tc := range []struct{ name, header string }{
		{"none", ""},
		{"unknown token", "Bearer " + strings.Repeat("A", 43)},
		{"basic", "Basic YWxpY2U6cGFzc3dvcmQxMjM="},
		{"empty bearer", "Bearer "},
		{"token without scheme", token},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/api/v1/accounts", "/api/v1/connections", "/api/v1/transactions", "/api/v1/categories", "/api/v1/spending"} {
				req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
				if tc.header != "" {
					req.Header.Set("Authorization", tc.header)
				}
				res, err := e.srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != http.StatusUnauthorized {
					t.Fatalf("%s: got %d, want 401", path, res.StatusCode)
				}
				if !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Fatalf("%s: got WWW-Authenticate %q, want Bearer", path, res.Header.Get("WWW-Authenticate"))
				}
			}
		})
	}
	e.do("GET", "/api/v1/accounts", "", nil).wantError(t, http.StatusUnauthorized, "unauthenticated", "Authorization")
	// The scheme is case-insensitive.
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/accounts", nil)
	req.Header.Set("Authorization", "bearer "+token)
	res, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("lowercase bearer: got %d, want 200", res.StatusCode)
	}
}
