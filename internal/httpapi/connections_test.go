package httpapi_test

import (
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

var accountKeys = []string{"balance", "connection_id", "currency", "hidden", "id", "last_synced_at", "mask", "name", "status", "type"}

func TestConnectAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aliceID, alice := e.signUp("alice@example.com")
	bobID, _ := e.signUp("bob@example.com")

	body := func(userID, login, password string) map[string]string {
		b := map[string]string{"account_url": "https://bank.example/ofx", "account_login": login, "account_password": password}
		if userID != "" {
			b["user_id"] = userID
		}
		return b
	}

	// Refused credentials and a failed institution pass through; nothing is stored.
	e.do("POST", "/api/v1/account", alice, body("", "alice", "wrong")).wantError(t, http.StatusUnprocessableEntity, "unprocessable", "refused")
	e.do("POST", "/api/v1/account", alice, body("", "down-alice", "pw")).wantError(t, http.StatusBadGateway, "upstream_error")
	if n := len(e.do("GET", "/api/v1/connections", alice, nil).want(t, 200).list("connections")); n != 0 {
		t.Fatalf("got %d connections after failed connects, want 0", n)
	}
	if e.jobs.count() != 0 {
		t.Fatalf("got %d sync jobs after failed connects, want 0", e.jobs.count())
	}

	// user_id must be the caller.
	e.do("POST", "/api/v1/account", alice, body(bobID, "alice", "pw")).wantError(t, http.StatusForbidden, "forbidden", "user_id")
	// Missing fields are named.
	e.do("POST", "/api/v1/account", alice, map[string]string{"account_url": "https://bank.example/ofx", "account_password": "pw"}).
		wantError(t, http.StatusBadRequest, "invalid_argument", "account_login")
	// The design's field names, not the connections endpoint's.
	e.do("POST", "/api/v1/account", alice, map[string]string{"url": "https://bank.example/ofx", "login": "a", "password": "b"}).
		wantError(t, http.StatusBadRequest, "invalid_argument", "unknown field")
	// A bad URL is the connector's EINVALID.
	e.do("POST", "/api/v1/account", alice, map[string]string{"account_url": "ftp://x", "account_login": "a", "account_password": "b"}).
		wantError(t, http.StatusBadRequest, "invalid_argument", "url")

	for _, userID := range []string{"", aliceID} {
		res := e.do("POST", "/api/v1/account", alice, body(userID, "alice", "pw")).want(t, http.StatusCreated)
		if got, want := keys(res.body), []string{"account_id", "accounts", "action", "status", "user_id"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("got keys %v, want %v", got, want)
		}
		if res.str("user_id") != aliceID || res.str("action") != "connect" || res.str("status") != "success" || res.str("account_id") == "" {
			t.Fatalf("got %s, want user_id %s, action connect, status success and an account_id", res.raw, aliceID)
		}
		accounts := res.list("accounts")
		if len(accounts) != 2 {
			t.Fatalf("got %d accounts, want 2", len(accounts))
		}
		for _, a := range accounts {
			if got := keys(a); !reflect.DeepEqual(got, accountKeys) {
				t.Fatalf("got account keys %v, want %v", got, accountKeys)
			}
			if a["connection_id"] != res.str("account_id") {
				t.Fatalf("account %v: connection_id is not the answer's account_id %s", a, res.str("account_id"))
			}
		}
		if accounts[0]["balance"] != "1234.56" || accounts[1]["balance"] != "-42.50" {
			t.Fatalf("got balances %v and %v, want \"1234.56\" and \"-42.50\"", accounts[0]["balance"], accounts[1]["balance"])
		}
		// account_id is the new connection.
		e.do("POST", "/api/v1/connections/"+res.str("account_id")+"/refresh", alice, nil).want(t, http.StatusAccepted)
	}
	if strings.Contains(e.logs.String(), `"pw"`) || strings.Contains(e.logs.String(), "s3cret") {
		t.Fatal("a password reached the logs")
	}
}

func TestConnections(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, alice := e.signUp("alice@example.com")
	_, bob := e.signUp("bob@example.com")

	res := e.do("POST", "/api/v1/connections", alice, map[string]string{
		"kind": "ofx", "url": "https://bank.example/ofx", "login": "alice", "password": "s3cret-pw",
	}).want(t, http.StatusCreated)
	connID := res.str("id")
	if res.str("kind") != "ofx" || res.str("login") != "alice" || res.str("status") != "syncing" || len(res.list("accounts")) != 2 {
		t.Fatalf("got %s, want the ofx connection, syncing, with 2 accounts", res.raw)
	}
	if e.jobs.count() != 1 {
		t.Fatalf("got %d sync jobs, want 1", e.jobs.count())
	}

	e.do("POST", "/api/v1/connections", alice, map[string]string{"kind": "plaid", "url": "https://x", "login": "a", "password": "b"}).
		wantError(t, http.StatusBadRequest, "invalid_argument", "kind")
	e.do("POST", "/api/v1/connections", alice, map[string]string{"kind": "ofx", "url": "https://x", "login": "a"}).
		wantError(t, http.StatusBadRequest, "invalid_argument", "password")
	e.do("POST", "/api/v1/connections", alice, map[string]string{"url": "https://x", "login": "a", "password": "wrong"}).
		wantError(t, http.StatusUnprocessableEntity, "unprocessable")

	list := e.do("GET", "/api/v1/connections", alice, nil).want(t, http.StatusOK)
	conns := list.list("connections")
	if len(conns) != 1 || conns[0]["id"] != connID {
		t.Fatalf("got %s, want one connection %s", list.raw, connID)
	}
	want := []string{"created_at", "id", "institution", "kind", "last_synced_at", "login", "status", "status_reason", "url"}
	if got := keys(conns[0]); !reflect.DeepEqual(got, want) {
		t.Fatalf("got keys %v, want %v", got, want)
	}
	if strings.Contains(string(list.raw), "s3cret") || strings.Contains(string(res.raw), "s3cret") {
		t.Fatal("the password came back in an answer")
	}
	if conns[0]["created_at"] != "2026-03-15T12:00:00Z" || conns[0]["last_synced_at"] != nil {
		t.Fatalf("got created_at %v, last_synced_at %v; want RFC 3339 UTC and null", conns[0]["created_at"], conns[0]["last_synced_at"])
	}
	if n := len(e.do("GET", "/api/v1/connections", bob, nil).want(t, http.StatusOK).list("connections")); n != 0 {
		t.Fatalf("bob sees %d connections, want 0", n)
	}

	// Another user's connection id is not found.
	e.do("POST", "/api/v1/connections/"+connID+"/refresh", bob, nil).wantError(t, http.StatusNotFound, "not_found")
	e.do("DELETE", "/api/v1/connections/"+connID, bob, nil).wantError(t, http.StatusNotFound, "not_found")

	res = e.do("POST", "/api/v1/connections/"+connID+"/refresh", alice, nil).want(t, http.StatusAccepted)
	if res.str("status") != "queued" || e.jobs.count() != 2 {
		t.Fatalf("got %s and %d jobs, want queued and 2", res.raw, e.jobs.count())
	}

	e.do("DELETE", "/api/v1/connections/"+connID, alice, nil).want(t, http.StatusNoContent)
	e.do("DELETE", "/api/v1/connections/"+connID, alice, nil).wantError(t, http.StatusNotFound, "not_found")
	e.do("POST", "/api/v1/connections/"+connID+"/refresh", alice, nil).wantError(t, http.StatusNotFound, "not_found")
	if n := len(e.do("GET", "/api/v1/accounts", alice, nil).want(t, 200).list("accounts")); n != 0 {
		t.Fatalf("got %d accounts after deleting the connection, want 0", n)
	}
}

func TestAccounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, alice := e.signUp("alice@example.com")
	_, bob := e.signUp("bob@example.com")
	connID, ids := e.link(alice)

	res := e.do("GET", "/api/v1/accounts", alice, nil).want(t, http.StatusOK)
	accounts := res.list("accounts")
	if len(accounts) != 2 {
		t.Fatalf("got %s, want 2 accounts", res.raw)
	}
	for _, a := range accounts {
		if got := keys(a); !reflect.DeepEqual(got, accountKeys) {
			t.Fatalf("got keys %v, want %v", got, accountKeys)
		}
		if a["connection_id"] != connID || a["status"] != "syncing" || a["currency"] != "USD" {
			t.Fatalf("got %v, want connection %s, syncing, USD", a, connID)
		}
	}
	e.do("GET", "/api/v1/accounts/"+ids[0], alice, nil).want(t, http.StatusOK)
	e.do("GET", "/api/v1/accounts/"+ids[0], bob, nil).wantError(t, http.StatusNotFound, "not_found")
	if n := len(e.do("GET", "/api/v1/accounts", bob, nil).want(t, 200).list("accounts")); n != 0 {
		t.Fatalf("bob sees %d accounts, want 0", n)
	}
}
