package notify_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/outbound"
	"github.com/tallyhq/tally/internal/secret"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
)

func TestSignAndVerify(t *testing.T) {
	t.Parallel()
	key, body := []byte("whsec_test"), []byte(`{"id":"n1"}`)
	// printf '{"id":"n1"}' | openssl dgst -sha256 -hmac whsec_test
	const want = "sha256=3056c250606db5bece06ae6b82683a9ac62825778e375cc34e4656e808debef5"
	got := notify.Sign(key, body)
	if got != want {
		t.Fatalf("Sign: got %q, want %q", got, want)
	}
	if !notify.Verify(key, body, got) {
		t.Error("a signature does not verify")
	}
	if notify.Verify(key, []byte(`{"id":"n2"}`), got) || notify.Verify([]byte("other"), body, got) {
		t.Error("a signature verifies another body or key")
	}
}

func TestParseSMTPURL(t *testing.T) {
	t.Parallel()
	e, err := notify.ParseSMTPURL("smtp://user:p%40ss@mail.example:2525", "tally@example.com")
	if err != nil || e.Addr != "mail.example:2525" || e.Username != "user" || e.Password != "p@ss" {
		t.Errorf("got %+v, %v", e, err)
	}
	if e, err := notify.ParseSMTPURL("smtp://mail.example", "t@example.com"); err != nil || e.Addr != "mail.example:25" {
		t.Errorf("default port: got %+v, %v", e, err)
	}
	for _, bad := range []string{"http://mail.example", "smtp://", "mail.example:25"} {
		if _, err := notify.ParseSMTPURL(bad, "t@example.com"); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
	if _, err := notify.ParseSMTPURL("smtp://mail.example", ""); err == nil {
		t.Error("an empty sender was accepted")
	}
}

// A webhook that keeps failing for over an hour is turned off with a notice,
// and nothing is posted to it afterwards.
func TestWebhookTurnedOffAfterRepeatedFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var posts atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		http.Error(w, "down", http.StatusBadGateway)
	}))
	t.Cleanup(hook.Close)
	st := store.New(sqldbtest.Open(t), store.NoJobs{})
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	st.Now = func() time.Time { return now }
	box, _ := secret.New(make([]byte, 32))
	svc := &notify.Service{Store: st, Box: box, Now: func() time.Time { return now }, HTTP: hook.Client()}
	u, err := st.CreateUser(ctx, "hook@example.com", "hash")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateProfile(ctx, u.ID, "2026-11", func(p *tally.Profile) error {
		p.WebhookURL, p.WebhookSecret = hook.URL, box.Seal([]byte("k"), []byte(u.ID))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	added, err := st.AddNotifications(ctx, u.ID, []*tally.Notification{{Kind: tally.NotifyBudgetExceeded, Category: "groceries", Month: "2026-11", Message: "over"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := added[0].ID
	for i := 1; i <= 5; i++ {
		err := svc.Deliver(ctx, u.ID, id, tally.ChannelWebhook)
		if err == nil {
			t.Fatalf("attempt %d: delivered to a failing webhook", i)
		}
		if gaveUp := errors.Is(err, notify.ErrGiveUp); gaveUp != (i == 5) {
			t.Fatalf("attempt %d: gave up %v (%v)", i, gaveUp, err)
		}
		now = now.Add(20 * time.Minute)
	}
	if err := svc.Deliver(ctx, u.ID, id, tally.ChannelWebhook); err != nil {
		t.Errorf("delivery to a turned-off webhook: %v, want nothing to do", err)
	}
	if n := posts.Load(); n != 5 {
		t.Errorf("got %d posts, want 5", n)
	}
	ns, _, _, _ := st.Notifications(ctx, u.ID, "", 10)
	if len(ns) != 2 || ns[0].Kind != tally.NotifyAccountNeedsAttention {
		t.Fatalf("inbox: got %d, first %+v; want the notice first", len(ns), ns[0])
	}
	// The inbox channel has nothing to send and counts as delivered.
	if err := svc.Deliver(ctx, u.ID, id, tally.ChannelInbox); err != nil {
		t.Error(err)
	}
	if ok, _ := st.Delivered(ctx, u.ID, id, tally.ChannelInbox); !ok {
		t.Error("inbox delivery not recorded")
	}
}

// The default webhook client does not reach loopback or private addresses.
func TestWebhooksStayOffThePrivateNetwork(t *testing.T) {
	t.Parallel()
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { posts.Add(1) }))
	t.Cleanup(srv.Close)
	c := new(outbound.Guard).Client(5 * time.Second)
	for _, u := range []string{srv.URL, "http://10.0.0.1:9/", "http://169.254.169.254/latest/meta-data/", "http://[::1]:9/"} {
		err := notify.PostWebhook(context.Background(), c, u, []byte("k"), "n1", []byte("{}"))
		if err == nil || !outbound.IsBlocked(err) {
			t.Errorf("%s: got %v, want a refusal", u, err)
		}
	}
	if posts.Load() != 0 {
		t.Error("a webhook reached the loopback server")
	}
}
