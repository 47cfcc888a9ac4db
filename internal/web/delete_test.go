package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/blob"
	"github.com/tallyhq/tally/internal/web"
)

// Deleting the account from settings asks for the password, then removes
// every row of the user and every object of theirs in the object store,
// and signs the browser out; another user's objects stay.
func TestDeleteAccountFromSettings(t *testing.T) {
	t.Parallel()
	store, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, func(c *web.Config) { c.Blobs = store })
	alice, bob := e.user("alice@example.com"), e.user("bob@example.com")
	e.seedCard(alice, 3)
	ctx := context.Background()
	put := func(key string) {
		t.Helper()
		if err := store.Put(ctx, key, strings.NewReader(key), int64(len(key))); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []*tally.User{alice, bob} {
		put(blob.Key(blob.RawPrefix(u.ID), []byte("<OFX>"), ".ofx"))
		put(blob.Key(blob.UploadPrefix(u.ID), []byte("Date,Amount"), ".csv"))
	}
	left := func(u *tally.User) int {
		t.Helper()
		n := 0
		for _, p := range []string{blob.RawPrefix(u.ID) + "/", blob.UploadPrefix(u.ID) + "/"} {
			keys, err := store.List(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			n += len(keys)
		}
		return n
	}
	e.signIn("alice@example.com")
	if _, page := e.get("/settings"); !strings.Contains(page, `action="/settings/delete"`) {
		t.Fatal("no delete form on /settings")
	}

	for _, pw := range []string{"", "not-her-password"} {
		res := e.post("/settings/delete", url.Values{"delete_password": {pw}}, nil)
		page := body(t, res)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "password") {
			t.Fatalf("delete with password %q: %d, want 422 asking for the password", pw, res.StatusCode)
		}
	}
	if _, err := e.store.User(ctx, alice.ID); err != nil || left(alice) != 2 {
		t.Fatalf("a refused deletion removed something: %v, %d objects left", err, left(alice))
	}

	res := e.post("/settings/delete", url.Values{"delete_password": {"password123"}}, nil)
	body(t, res)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin" {
		t.Fatalf("delete: %d to %q, want 303 to /signin", res.StatusCode, res.Header.Get("Location"))
	}
	if _, err := e.store.User(ctx, alice.ID); tally.ErrorCode(err) != tally.ENOTFOUND {
		t.Fatalf("alice is still there: %v", err)
	}
	if n := left(alice); n != 0 {
		t.Fatalf("%d of alice's objects are left in the store", n)
	}
	if n := left(bob); n != 2 {
		t.Fatalf("bob has %d objects after alice left, want 2", n)
	}
	if status, _ := e.get("/settings"); status != http.StatusSeeOther {
		t.Fatalf("GET /settings after deleting: %d, want the sign-in redirect", status)
	}
}
