package notify_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/secret"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
)

// smtpSink accepts every message while up and refuses connections while
// down (its port closed).
type smtpSink struct {
	addr string
	mu   gosync.Mutex
	ln   net.Listener
	msgs []string
}

func (s *smtpSink) up(t *testing.T) {
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.ln, s.addr = ln, ln.Addr().String()
	s.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
}

func (s *smtpSink) down() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ln.Close()
}

func (s *smtpSink) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(l string) { io.WriteString(c, l+"\r\n") }
	say("220 sink")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
		case cmd == "DATA":
			say("354 go")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil || l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, b.String())
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

// With the SMTP server and the webhook receiver down for an hour on a
// pinned clock, deliveries retried on the deliver job's schedule (30 s
// doubling, capped at an hour) arrive exactly once each when they are back,
// and the webhook is not turned off.
func TestReceiversDownForAnHour(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var hookUp atomic.Bool
	var hookGot atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hookUp.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		hookGot.Add(1)
	}))
	t.Cleanup(hook.Close)
	sink := &smtpSink{addr: "127.0.0.1:0"}
	sink.up(t)
	sink.down()

	st := store.New(sqldbtest.Open(t), store.NoJobs{})
	start := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	now := start
	st.Now = func() time.Time { return now }
	box, _ := secret.New(make([]byte, 32))
	svc := &notify.Service{Store: st, Box: box, Now: func() time.Time { return now }, HTTP: hook.Client(),
		Email: &notify.Email{Addr: sink.addr, From: "tally@example.com"}}
	u, err := st.CreateUser(ctx, "down@example.com", "hash")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateProfile(ctx, u.ID, "2026-11", func(p *tally.Profile) error {
		p.NotifyEmail, p.WebhookURL, p.WebhookSecret = "me@example.com", hook.URL, box.Seal([]byte("k"), []byte(u.ID))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	added, err := st.AddNotifications(ctx, u.ID, []*tally.Notification{{Kind: tally.NotifyBudgetExceeded, Category: "groceries", Month: "2026-11", Message: "over"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := added[0].ID

	attempts := 0
	delivered := map[string]time.Duration{}
	wait := 30 * time.Second
	for at := time.Duration(0); len(delivered) < 2 && at < 3*time.Hour; at += wait {
		now = start.Add(at)
		if at >= time.Hour && !hookUp.Load() {
			hookUp.Store(true)
			sink.up(t)
		}
		for _, ch := range []string{tally.ChannelEmail, tally.ChannelWebhook} {
			if _, done := delivered[ch]; done {
				continue
			}
			attempts++
			if err := svc.Deliver(ctx, u.ID, id, ch); err == nil {
				delivered[ch] = at
			}
		}
		if at > 0 {
			wait = min(2*wait, time.Hour)
		}
	}
	// A repeated job (a crash after sending) sends nothing more.
	for _, ch := range []string{tally.ChannelEmail, tally.ChannelWebhook} {
		if err := svc.Deliver(ctx, u.ID, id, ch); err != nil {
			t.Errorf("%s again: %v", ch, err)
		}
	}
	sink.mu.Lock()
	mails := len(sink.msgs)
	sink.mu.Unlock()
	t.Logf("RESULT attempts=%d email_delivered_after=%s webhook_delivered_after=%s emails=%d webhooks=%d",
		attempts, delivered[tally.ChannelEmail], delivered[tally.ChannelWebhook], mails, hookGot.Load())
	if mails != 1 || hookGot.Load() != 1 {
		t.Fatalf("got %d emails and %d webhooks, want exactly one each", mails, hookGot.Load())
	}
	p, _ := st.Profile(ctx, u.ID)
	if p.WebhookDisabledAt != nil {
		t.Error("the webhook was turned off by an hour's outage")
	}
}
