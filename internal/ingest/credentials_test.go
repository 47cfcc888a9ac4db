package ingest_test

import (
	"context"
	"testing"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/ingest"
)

// A connection the institution refused stays in needs_attention until the
// user gives credentials the institution accepts; then it syncs again.
func TestUpdateCredentialsClearsNeedsAttention(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	conn, _, err := f.svc.Connect(ctx, f.user.ID, ingest.ConnectRequest{URL: f.url, Login: "ivy", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.FinishSync(ctx, f.user.ID, conn.ID, tally.StatusNeedsAttention, "The institution refused the login"); err != nil {
		t.Fatal(err)
	}
	status := func() *tally.Connection {
		c, err := f.st.Connection(ctx, f.user.ID, conn.ID)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	if _, err := f.svc.UpdateCredentials(ctx, f.user.ID, conn.ID, "", "wrong"); tally.ErrorCode(err) != tally.EUNPROCESSABLE {
		t.Fatalf("refused credentials: got %v, want unprocessable", err)
	}
	if c := status(); c.Status != tally.StatusNeedsAttention || c.StatusReason == "" {
		t.Fatalf("after refused credentials the connection is %s (%q), want still needs_attention", c.Status, c.StatusReason)
	}
	other, err := f.st.CreateUser(ctx, "other@example.com", "hash")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.UpdateCredentials(ctx, other.ID, conn.ID, "", "pw2"); tally.ErrorCode(err) != tally.ENOTFOUND {
		t.Fatalf("another user's connection: got %v, want not found", err)
	}

	c, err := f.svc.UpdateCredentials(ctx, f.user.ID, conn.ID, "", "new-pw")
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != tally.StatusSyncing || c.StatusReason != "" || c.Login != "ivy" {
		t.Fatalf("after new credentials: %s %q login %q, want syncing with no reason and the login kept", c.Status, c.StatusReason, c.Login)
	}
	res, err := f.svc.Sync(ctx, f.user.ID, conn.ID)
	if err != nil {
		t.Fatalf("sync with the new credentials: %v", err)
	}
	if res.Inserted == 0 || status().Status != tally.StatusActive {
		t.Fatalf("sync inserted %d and left %s", res.Inserted, status().Status)
	}
}
