package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/tallyhq/tally"
)

// UpdateCredentials stands in for the institution's check: "wrong" is
// refused; otherwise the store takes the new credentials.
func (c *fakeConnector) UpdateCredentials(ctx context.Context, userID, connectionID, login, password string) (*tally.Connection, error) {
	if _, err := c.store.Connection(ctx, userID, connectionID); err != nil {
		return nil, err
	}
	if password == "wrong" {
		return nil, tally.Errorf(tally.EUNPROCESSABLE, "the institution refused the login")
	}
	if err := c.store.UpdateCredentials(ctx, userID, connectionID, login, []byte("encrypted:"+password)); err != nil {
		return nil, err
	}
	return c.store.Connection(ctx, userID, connectionID)
}

func TestPatchConnectionCredentials(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, alice := e.signUp("alice@example.com")
	_, bob := e.signUp("bob@example.com")
	connID, _ := e.link(alice)
	before := e.jobs.count()
	path := "/api/v1/connections/" + connID
	e.do("PATCH", path, alice, map[string]string{"login": "alice"}).wantError(t, http.StatusBadRequest, "invalid_argument", "password")
	e.do("PATCH", path, alice, map[string]string{"password": "wrong"}).wantError(t, http.StatusUnprocessableEntity, "unprocessable")
	e.do("PATCH", path, bob, map[string]string{"password": "new-pw"}).wantError(t, http.StatusNotFound, "not_found")
	res := e.do("PATCH", path, alice, map[string]string{"login": "alice2", "password": "new-pw"}).want(t, http.StatusOK)
	if res.str("status") != tally.StatusSyncing || res.str("login") != "alice2" || res.str("id") != connID {
		t.Fatalf("PATCH answered %s, want the connection syncing with login alice2", res.raw)
	}
	if got := e.jobs.count(); got != before+1 {
		t.Fatalf("%d sync jobs, want %d", got, before+1)
	}
}

func TestCreateSimpleFINConnectionNeedsSetupToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, alice := e.signUp("alice@example.com")
	e.do("POST", "/api/v1/connections", alice, map[string]string{"kind": "simplefin"}).wantError(t, http.StatusBadRequest, "invalid_argument", "setup_token")
	e.do("POST", "/api/v1/connections", alice, map[string]string{"kind": "simplefin", "setup_token": "   "}).wantError(t, http.StatusBadRequest, "invalid_argument", "setup_token")
}
