package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/tallyhq/tally"
)

// A user's export holds every row of theirs and none of anyone else's, and
// no credential; deleting the account needs the password and removes it all.
func TestExportAndDeleteAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aliceID, alice := e.signUp("alice@example.com")
	bobID, bob := e.signUp("bob@example.com")
	for _, u := range []struct{ id, token string }{{aliceID, alice}, {bobID, bob}} {
		_, accts := e.link(u.token)
		e.seed(u.id, txn{account: accts[0], date: "2026-03-02", category: "groceries", merchant: "Whole Foods Market", amount: -1234})
		e.do("POST", "/api/v1/rules", u.token, map[string]string{"merchant": "Zebra Kiosk", "category": "hobbies"}).want(t, http.StatusCreated)
	}

	res := e.do("GET", "/api/v1/export", alice, nil).want(t, http.StatusOK)
	var doc struct {
		User   map[string]any              `json:"user"`
		Tables map[string][]map[string]any `json:"tables"`
	}
	if err := json.Unmarshal(res.raw, &doc); err != nil {
		t.Fatalf("export is not JSON: %v: %.300s", err, res.raw)
	}
	if doc.User["email"] != "alice@example.com" || len(doc.Tables["transactions"]) != 1 || len(doc.Tables["rules"]) != 1 ||
		len(doc.Tables["connections"]) != 1 || len(doc.Tables["accounts"]) == 0 {
		t.Fatalf("export: user %v, tables %v", doc.User, keysAndCounts(doc.Tables))
	}
	raw := string(res.raw)
	for _, bad := range []string{bobID, "password_hash", "token_hash", "s3cret-pw", "encrypted:"} {
		if strings.Contains(raw, bad) {
			t.Errorf("the export holds %q", bad)
		}
	}

	e.do("DELETE", "/api/v1/users/me", alice, map[string]string{"password": "wrong-password"}).wantError(t, http.StatusUnauthorized, "unauthenticated")
	e.do("DELETE", "/api/v1/users/me", alice, map[string]string{}).wantError(t, http.StatusBadRequest, "invalid_argument", "password")
	e.do("DELETE", "/api/v1/users/me", alice, map[string]string{"password": "password123"}).want(t, http.StatusNoContent)
	e.do("GET", "/api/v1/accounts", alice, nil).wantError(t, http.StatusUnauthorized, "unauthenticated")
	if _, err := e.store.User(context.Background(), aliceID); tally.ErrorCode(err) != tally.ENOTFOUND {
		t.Errorf("the user is still there: %v", err)
	}
	for table := range doc.Tables {
		var n int
		if err := e.store.DB().QueryRow(e.store.DB().Rebind(`SELECT COUNT(*) FROM `+table+` WHERE user_id = ?`), aliceID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s still has %d rows of the deleted user", table, n)
		}
	}
	if got := e.do("GET", "/api/v1/transactions", bob, nil).want(t, http.StatusOK).list("transactions"); len(got) != 1 {
		t.Errorf("bob has %d transactions after alice left, want 1", len(got))
	}
}

func keysAndCounts(m map[string][]map[string]any) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		out[k] = len(v)
	}
	return out
}
