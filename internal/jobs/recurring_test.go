package jobs_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/blob"
	"github.com/tallyhq/tally/internal/categorize"
	"github.com/tallyhq/tally/internal/demobank"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/insight"
	"github.com/tallyhq/tally/internal/jobs"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/outbound"
	"github.com/tallyhq/tally/internal/secret"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
)

// The three recurring alerts, raised by the pass a sync's insert enqueues,
// each arrive once in the inbox, by email and by webhook, however often
// the pass runs again.
func TestRecurringAlertsArriveOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
	db := sqldbtest.Open(t)
	if err := jobs.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	box, err := secret.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(db, store.NoJobs{})
	st.Now = clk.Now
	mail := startSMTP(t)
	email, err := notify.ParseSMTPURL("smtp://"+mail.ln.Addr().String(), "tally@example.com")
	if err != nil {
		t.Fatal(err)
	}
	svc := &notify.Service{Store: st, Box: box, Email: email, Now: clk.Now, HTTP: http.DefaultClient}
	client, err := jobs.New(db, jobs.Config{Workers: 2, PollInterval: 50 * time.Millisecond, Notify: svc, RetryBase: 50 * time.Millisecond,
		RefreshEvery: -1, Insight: &insight.Service{Store: st, Notify: svc, Now: clk.Now}, RecurringDelay: 10 * time.Millisecond}, nil, st)
	if err != nil {
		t.Fatal(err)
	}
	key := notify.NewWebhookSecret()
	hook := &hookReceiver{t: t, key: []byte(key), tried: map[string]bool{}, accepted: map[string][]notify.Payload{}}
	hookSrv := httptest.NewServer(hook)
	t.Cleanup(hookSrv.Close)
	u, err := st.CreateUser(ctx, "recurring@example.com", "hash")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateProfile(ctx, u.ID, "2026-11", func(p *tally.Profile) error {
		p.NotifyEmail, p.WebhookURL, p.WebhookSecret = "recurring@example.com", hookSrv.URL, box.Seal([]byte(key), []byte(u.ID))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	card := &tally.Account{ExternalID: "card", Name: "Visa", Type: tally.AccountCreditCard, Currency: "USD"}
	if err := st.CreateConnection(ctx, &tally.Connection{UserID: u.ID, Kind: tally.ConnectionFile, URL: "file", Login: "me"}, []byte("x"), []*tally.Account{card}); err != nil {
		t.Fatal(err)
	}
	// Jobs from here on: the file connection needs no sync.
	st.SetJobs(client)
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		client.Stop(sctx)
	})

	var txns []*tally.Transaction
	charge := func(merchant, category, day string, amount int64) {
		d, _ := time.Parse(tally.DateLayout, day)
		txns = append(txns, &tally.Transaction{AccountID: card.ID, ExternalID: merchant + day, PostedOn: d, Amount: amount, Currency: "USD",
			Description: merchant, Merchant: merchant, Category: category, CategorySource: tally.SourceDictionary})
	}
	for m := time.August; m <= time.November; m++ {
		// A subscription that started in August: new.
		charge("Acme Cloud", "electronics_software", time.Date(2026, m, 5, 0, 0, 0, 0, time.UTC).Format(tally.DateLayout), -999)
	}
	for m := time.January; m <= time.November; m++ {
		// A streaming service that went up from 9.99 to 12.99 this month.
		amount := int64(-999)
		if m == time.November {
			amount = -1299
		}
		charge("StreamCo", "streaming", time.Date(2026, m, 10, 0, 0, 0, 0, time.UTC).Format(tally.DateLayout), amount)
		// A gym that charged on the 8th until October: November's is late.
		if m <= time.October {
			charge("Iron Gym", "gym", time.Date(2026, m, 8, 0, 0, 0, 0, time.UTC).Format(tally.DateLayout), -4000)
		}
	}
	if _, err := st.InsertTransactions(ctx, u.ID, txns); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, db)

	check := func(when string) {
		t.Helper()
		ns, _, _, err := st.Notifications(ctx, u.ID, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string][]string{}
		for _, n := range ns {
			switch n.Kind {
			case tally.NotifyRecurringNew, tally.NotifyRecurringPriceIncrease, tally.NotifyRecurringMissing:
				kinds[n.Kind] = append(kinds[n.Kind], n.Message)
				mail.mu.Lock()
				mails := 0
				for _, bodies := range mail.accepted {
					for _, b := range bodies {
						if containsID(b, n.ID) {
							mails++
						}
					}
				}
				mail.mu.Unlock()
				hook.mu.Lock()
				hooks := len(hook.accepted[n.ID])
				hook.mu.Unlock()
				if mails != 1 || hooks != 1 {
					t.Errorf("%s: %s %q reached email %d times and the webhook %d times, want once each", when, n.Kind, n.Message, mails, hooks)
				}
			}
		}
		want := map[string]string{
			tally.NotifyRecurringNew:           "New subscription: Acme Cloud charges you $9.99 every month; next charge around December 5.",
			tally.NotifyRecurringPriceIncrease: "StreamCo went up from $9.99 to $12.99 on November 10.",
			tally.NotifyRecurringMissing:       "Iron Gym usually charges you $40.00 around November 8, and nothing has come yet.",
		}
		for k, msg := range want {
			if got := kinds[k]; len(got) != 1 || got[0] != msg {
				t.Errorf("%s: %s: got %q, want exactly %q", when, k, got, msg)
			}
		}
	}
	check("after the sync")

	// Another pass the same day and the daily pass the next day add
	// nothing.
	if err := client.EnqueueRecurringDetect(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, db)
	clk.Set(clk.Now().Add(24 * time.Hour))
	if n, err := client.RecurringDue(ctx, st); err != nil || n != 1 {
		t.Fatalf("daily pass: got %d users, %v; want 1", n, err)
	}
	waitIdle(t, db)
	check("after two more passes")
}

// containsID reports whether a mail is the notification's: its Message-ID
// names it.
func containsID(body, id string) bool {
	return strings.Contains(body, "Message-ID: <"+id+"@tally>")
}

// The demo user linked on the 1st of the month: the first sync brings two
// years with this month's rent. The budget check waits for the recurring
// pass, knows the rent for an expected bill, and raises no rent alert.
func TestFirstSyncOnTheFirstRaisesNoRentAlert(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)}
	db := sqldbtest.Open(t)
	if err := jobs.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	bank := demobank.New()
	bank.Now = clk.Now
	bankSrv := httptest.NewServer(bank)
	t.Cleanup(bankSrv.Close)
	box, err := secret.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(db, store.NoJobs{})
	st.Now = clk.Now
	syncer := &ingest.Service{Store: st, Blobs: blobs, Box: box, Categorize: categorize.New(), Now: clk.Now, HTTP: outbound.Loopback().Client(0)}
	svc := &notify.Service{Store: st, Box: box, Now: clk.Now}
	client, err := jobs.New(db, jobs.Config{Workers: 2, PollInterval: 50 * time.Millisecond, Notify: svc, RefreshEvery: -1,
		Insight: &insight.Service{Store: st, Notify: svc, Now: clk.Now}, RecurringDelay: 10 * time.Millisecond}, syncer, st)
	if err != nil {
		t.Fatal(err)
	}
	st.SetJobs(client)
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		client.Stop(sctx)
	})
	u, err := st.CreateUser(ctx, "demo@example.com", "hash")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := syncer.Connect(ctx, u.ID, ingest.ConnectRequest{URL: bankSrv.URL, Login: "demo", Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, db)
	plan, err := svc.Plan(ctx, u.ID, "2026-12")
	if err != nil {
		t.Fatal(err)
	}
	rentSeen := false
	for _, l := range plan.Lines {
		if l.Category == "rent_mortgage" {
			rentSeen = true
			if l.Status != "paid" || l.Spent != l.Amount {
				t.Errorf("rent budget: got %s, spent %d of %d; want paid in full", l.Status, l.Spent, l.Amount)
			}
		}
	}
	if !rentSeen {
		t.Fatal("no rent budget in December")
	}
	ns, _, _, err := st.Notifications(ctx, u.ID, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ns {
		if n.Category == "rent_mortgage" {
			t.Errorf("got %s %q, want no rent alert", n.Kind, n.Message)
		}
	}
}
