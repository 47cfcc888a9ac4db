package jobs_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/blob"
	"github.com/tallyhq/tally/internal/categorize"
	"github.com/tallyhq/tally/internal/demobank"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/jobs"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/outbound"
	"github.com/tallyhq/tally/internal/secret"
	"github.com/tallyhq/tally/internal/sqldb"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
)

// clock is a settable time shared by the bank, the store and the services.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// smtpServer is a minimal SMTP server: it accepts every message except the
// first attempt of each Message-ID, which it answers 451 (try again later).
type smtpServer struct {
	ln       net.Listener
	mu       sync.Mutex
	tried    map[string]bool
	accepted map[string][]string // Message-ID -> bodies accepted
}

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln, tried: map[string]bool{}, accepted: map[string][]string{}}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { io.WriteString(c, line+"\r\n") }
	say("220 test ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 test")
		case strings.HasPrefix(cmd, "MAIL"), strings.HasPrefix(cmd, "RCPT"), strings.HasPrefix(cmd, "RSET"), strings.HasPrefix(cmd, "NOOP"):
			say("250 ok")
		case cmd == "DATA":
			say("354 go ahead")
			var msg strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				msg.WriteString(l)
			}
			id := ""
			for _, h := range strings.Split(msg.String(), "\r\n") {
				if v, ok := strings.CutPrefix(h, "Message-ID: "); ok {
					id = v
				}
			}
			s.mu.Lock()
			first := !s.tried[id]
			s.tried[id] = true
			if !first {
				s.accepted[id] = append(s.accepted[id], msg.String())
			}
			s.mu.Unlock()
			if first {
				say("451 try again later")
			} else {
				say("250 queued")
			}
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("502 not implemented")
		}
	}
}

// hookReceiver is a webhook endpoint that verifies signatures and fails the
// first attempt of each delivery.
type hookReceiver struct {
	t        *testing.T
	key      []byte
	mu       sync.Mutex
	tried    map[string]bool
	accepted map[string][]notify.Payload
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	if !notify.Verify(h.key, body, r.Header.Get(notify.SignatureHeader)) {
		h.t.Errorf("webhook signature %q does not verify", r.Header.Get(notify.SignatureHeader))
		http.Error(w, "bad signature", http.StatusBadRequest)
		return
	}
	id := r.Header.Get(notify.DeliveryHeader)
	if !h.tried[id] {
		h.tried[id] = true
		http.Error(w, "not now", http.StatusServiceUnavailable)
		return
	}
	var p notify.Payload
	if err := json.Unmarshal(body, &p); err != nil || p.ID != id {
		h.t.Errorf("webhook body %s: id %q, header %q, err %v", body, p.ID, id, err)
	}
	h.accepted[id] = append(h.accepted[id], p)
}

// waitIdle waits until no job is waiting, running or due for a retry.
func waitIdle(t *testing.T, db *sqldb.DB) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM river_job WHERE state NOT IN ('completed', 'cancelled', 'discarded')`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs still pending after 90s", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The acceptance test: a month driven past 80 % and then 100 % of a
// budget by real syncs from the demo bank gives exactly one approaching and
// one exceeded alert, in the inbox, by email and by signed webhook, even
// when every job runs twice and both outside channels fail the first try.
func TestBudgetAlertsArriveOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := sqldbtest.Open(t)
	if err := jobs.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	clk := &clock{}
	at := func(day int) time.Time { return time.Date(2026, 10, day, 18, 0, 0, 0, time.UTC) }
	clk.Set(at(28))

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
	loopback, _ := outbound.ParseAllowList("127.0.0.1/32")
	syncer := &ingest.Service{Store: st, Blobs: blobs, Box: box, Categorize: categorize.New(), Now: clk.Now,
		HTTP: outbound.New(loopback).Client(0)}
	mail := startSMTP(t)
	email, err := notify.ParseSMTPURL("smtp://"+mail.ln.Addr().String(), "tally@example.com")
	if err != nil {
		t.Fatal(err)
	}
	svc := &notify.Service{Store: st, Box: box, Email: email, Now: clk.Now, HTTP: http.DefaultClient}
	client, err := jobs.New(db, jobs.Config{Workers: 2, PollInterval: 50 * time.Millisecond, Notify: svc, RetryBase: 50 * time.Millisecond, RefreshEvery: -1}, syncer, st)
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
	const login = "budget-alerts"

	// A probe user with the same demo login learns how the month's spending
	// grows day by day, to pick a budget and the days to sync on.
	probe, err := st.CreateUser(ctx, "probe@example.com", "hash")
	if err != nil {
		t.Fatal(err)
	}
	pconn, _, err := syncer.Connect(ctx, probe.ID, ingest.ConnectRequest{URL: bankSrv.URL, Login: login, Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	waitIdle(t, db)
	_ = pconn
	txns, _, err := st.Transactions(ctx, probe.ID, tally.TransactionFilter{Month: "2026-10", Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var category string
	var budgetAmount int64
	var days [3]int
	for _, cat := range []string{"food_dining", "shopping", "auto_transport", "entertainment", "health_fitness"} {
		var cum [29]int64
		for _, tx := range txns {
			if tally.TopLevel(tx.Category) == cat && tx.PostedOn.Day() <= 28 {
				cum[tx.PostedOn.Day()] += -tx.Amount
			}
		}
		for d := 1; d <= 28; d++ {
			cum[d] += cum[d-1]
		}
		b := cum[28]
		if b <= 0 {
			continue
		}
		d2 := 0
		for d := 1; d < 28; d++ {
			if cum[d]*100 >= b*80 && cum[d] < b {
				d2 = d
				break
			}
		}
		if d2 <= 1 || cum[d2-1]*100 >= b*80 || cum[d2-1] <= 0 {
			continue
		}
		category, budgetAmount, days = cat, b, [3]int{d2 - 1, d2, 28}
		break
	}
	if category == "" {
		t.Fatal("the demo month has no category whose spending crosses 80 % and 100 % on different days")
	}
	t.Logf("budget %s %d; syncs on days %v", category, budgetAmount, days)

	// The user: email, a webhook and a manual budget, then the demo bank.
	key := notify.NewWebhookSecret()
	hook := &hookReceiver{t: t, key: []byte(key), tried: map[string]bool{}, accepted: map[string][]notify.Payload{}}
	hookSrv := httptest.NewServer(hook)
	t.Cleanup(hookSrv.Close)
	clk.Set(at(days[0]))
	u, err := st.CreateUser(ctx, "alerts@example.com", "hash")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateProfile(ctx, u.ID, "2026-10", func(p *tally.Profile) error {
		p.NotifyEmail, p.WebhookURL, p.WebhookSecret = "alerts@example.com", hookSrv.URL, box.Seal([]byte(key), []byte(u.ID))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetBudget(ctx, u.ID, category, budgetAmount, "USD", "2026-10"); err != nil {
		t.Fatal(err)
	}
	conn, _, err := syncer.Connect(ctx, u.ID, ingest.ConnectRequest{URL: bankSrv.URL, Login: login, Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	waitIdle(t, db)

	alerts := func() map[string][]*tally.Notification {
		t.Helper()
		ns, _, _, err := st.Notifications(ctx, u.ID, "", 500)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]*tally.Notification{}
		for _, n := range ns {
			if n.Category == category {
				out[n.Kind] = append(out[n.Kind], n)
			}
		}
		return out
	}
	if a := alerts(); len(a[tally.NotifyBudgetApproaching]) != 0 || len(a[tally.NotifyBudgetExceeded]) != 0 {
		t.Fatalf("day %d: got alerts %v, want none under 80 %%", days[0], a)
	}
	for i, d := range days[1:] {
		clk.Set(at(d))
		if err := st.RequestSync(ctx, u.ID, conn.ID); err != nil {
			t.Fatal(err)
		}
		waitIdle(t, db)
		if a := alerts(); len(a[tally.NotifyBudgetApproaching]) != 1 || len(a[tally.NotifyBudgetExceeded]) != i {
			t.Fatalf("day %d: got %d approaching, %d exceeded; want 1, %d", d, len(a[tally.NotifyBudgetApproaching]), len(a[tally.NotifyBudgetExceeded]), i)
		}
	}

	// Every job again: syncs, checks and deliveries.
	if err := st.RequestSync(ctx, u.ID, conn.ID); err != nil {
		t.Fatal(err)
	}
	if err := client.EnqueueBudgetCheck(ctx, u.ID, "2026-10"); err != nil {
		t.Fatal(err)
	}
	all, _, _, _ := st.Notifications(ctx, u.ID, "", 500)
	for _, n := range all {
		for _, ch := range []string{tally.ChannelInbox, tally.ChannelEmail, tally.ChannelWebhook} {
			if err := client.EnqueueDeliver(ctx, u.ID, n.ID, ch); err != nil {
				t.Fatal(err)
			}
		}
	}
	waitIdle(t, db)
	if err := client.EnqueueBudgetCheck(ctx, u.ID, "2026-10"); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, db)

	a := alerts()
	for _, kind := range []string{tally.NotifyBudgetApproaching, tally.NotifyBudgetExceeded} {
		if len(a[kind]) != 1 {
			t.Fatalf("inbox: got %d %s alerts for %s, want 1", len(a[kind]), kind, category)
		}
		n := a[kind][0]
		if !strings.Contains(n.Message, "budget for October") ||
			!(strings.HasPrefix(n.Message, "You've spent $") || strings.HasPrefix(n.Message, "You've reached your $")) {
			t.Errorf("message %q does not read well", n.Message)
		}
		mail.mu.Lock()
		got := len(mail.accepted["<"+n.ID+"@tally>"])
		mail.mu.Unlock()
		if got != 1 || !mail.tried["<"+n.ID+"@tally>"] {
			t.Errorf("email: %s accepted %d times, want once after a refused first try", kind, got)
		}
		hook.mu.Lock()
		hp := hook.accepted[n.ID]
		hook.mu.Unlock()
		if len(hp) != 1 || hp[0].Kind != kind || hp[0].Message != n.Message {
			t.Errorf("webhook: %s received %v, want it once", kind, hp)
		}
	}
	var failed int
	if err := db.QueryRow(`SELECT COUNT(*) FROM river_job WHERE state IN ('cancelled', 'discarded')`).Scan(&failed); err != nil {
		t.Fatal(err)
	}
	if failed != 0 {
		t.Errorf("%d jobs were cancelled or discarded, want 0", failed)
	}
	if p, _ := st.Profile(ctx, u.ID); p.WebhookFailures != 0 || p.WebhookDisabledAt != nil {
		t.Errorf("webhook after recovered failures: %d failures, disabled %v; want 0, enabled", p.WebhookFailures, p.WebhookDisabledAt)
	}
	var syncNotices int
	for _, n := range all {
		if n.Kind == tally.NotifySyncCompleted {
			syncNotices++
		}
	}
	if syncNotices == 0 {
		t.Error("no sync_completed notice in the inbox")
	}
}
