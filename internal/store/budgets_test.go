package store_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
)

// recordJobs records the jobs the store enqueues.
type recordJobs struct {
	store.NoJobs
	mu       sync.Mutex
	checks   []string // user|month
	delivers []string // notification|channel
	crowd    []string // merchant keys
}

func (j *recordJobs) EnqueueCrowdApplyTx(_ context.Context, _ *sql.Tx, merchantKey string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.crowd = append(j.crowd, merchantKey)
	return nil
}

func (j *recordJobs) EnqueueSyncTx(context.Context, *sql.Tx, string, string) error { return nil }
func (j *recordJobs) EnqueueBudgetCheckTx(_ context.Context, _ *sql.Tx, userID, month string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.checks = append(j.checks, userID+"|"+month)
	return nil
}
func (j *recordJobs) EnqueueDeliverTx(_ context.Context, _ *sql.Tx, _, id, channel string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.delivers = append(j.delivers, id+"|"+channel)
	return nil
}

func TestProfileBudgetsAndNotifications(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	jobs := &recordJobs{}
	s := store.New(sqldbtest.Open(t), jobs)
	u, acct := seedAccount(t, s, "b@example.com")
	other, _ := seedAccount(t, s, "other@example.com")

	p, err := s.Profile(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.ApproachingPercent != 80 || p.Currency != "USD" || p.TimeZone != "UTC" || len(p.ChannelsFor(tally.NotifyBudgetExceeded)) != 0 {
		t.Fatalf("default profile: got %+v", p)
	}
	_, err = s.UpdateProfile(ctx, u.ID, "2026-11", func(p *tally.Profile) error {
		p.MonthlyIncome, p.TimeZone, p.NotifyEmail, p.WebhookURL = 500000, "Europe/Paris", "me@example.com", "http://hook.test/"
		p.Channels = map[string][]string{tally.NotifySyncCompleted: {}}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.User(ctx, u.ID); got.TimeZone != "Europe/Paris" {
		t.Errorf("users.time_zone: got %q, want Europe/Paris", got.TimeZone)
	}
	p, _ = s.Profile(ctx, u.ID)
	if p.MonthlyIncome != 500000 || len(p.ChannelsFor(tally.NotifyBudgetExceeded)) != 2 || len(p.ChannelsFor(tally.NotifySyncCompleted)) != 0 {
		t.Errorf("profile: got %+v", p)
	}

	if err := s.SetBudget(ctx, u.ID, "groceries", 40000, "USD", "2026-11"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetBudget(ctx, u.ID, "groceries", 45000, "USD", "2026-11"); err != nil {
		t.Fatal(err)
	}
	if b, _ := s.Budgets(ctx, u.ID); len(b) != 1 || b["groceries"] != 45000 {
		t.Errorf("budgets: got %v, want groceries 45000", b)
	}
	if b, _ := s.Budgets(ctx, other.ID); len(b) != 0 {
		t.Errorf("other user's budgets: got %v, want none", b)
	}
	if err := s.DeleteBudget(ctx, u.ID, "groceries", "2026-11"); err != nil {
		t.Fatal(err)
	}
	if b, _ := s.Budgets(ctx, u.ID); len(b) != 0 {
		t.Errorf("budgets after delete: got %v, want none", b)
	}
	// A sync chunk enqueues a check of the recent months it touched only.
	now := s.Now().UTC()
	jobs.checks = nil
	if _, err := s.InsertTransactions(ctx, u.ID, []*tally.Transaction{
		txn(acct, "1", now.Format(tally.DateLayout), -1000, "groceries"),
		txn(acct, "2", now.AddDate(-1, 0, 0).Format(tally.DateLayout), -1000, "groceries"),
	}); err != nil {
		t.Fatal(err)
	}
	if want := u.ID + "|" + now.Format(tally.MonthLayout); len(jobs.checks) != 1 || jobs.checks[0] != want {
		t.Errorf("checks after insert: got %v, want [%s]", jobs.checks, want)
	}
	// A category set by hand, through either entry point, checks its month.
	mine, _, err := s.Transactions(ctx, u.ID, tally.TransactionFilter{Month: now.Format(tally.MonthLayout)})
	if err != nil || len(mine) != 1 {
		t.Fatalf("this month's transactions: %v, %v", mine, err)
	}
	jobs.checks = nil
	if _, err := s.SetCategory(ctx, u.ID, mine[0].ID, "restaurants"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Recategorize(ctx, u.ID, mine[0].ID, "coffee_shops", store.CategoryChange{}); err != nil {
		t.Fatal(err)
	}
	if want := u.ID + "|" + now.Format(tally.MonthLayout); len(jobs.checks) != 2 || jobs.checks[0] != want || jobs.checks[1] != want {
		t.Errorf("checks after recategorizing: got %v, want [%s %s]", jobs.checks, want, want)
	}
	// So does a rule that re-files past transactions.
	jobs.checks = nil
	if _, _, err := s.PutRule(ctx, u.ID, "merchant_2", "Merchant 2", "shopping"); err != nil {
		t.Fatal(err)
	}
	if len(jobs.checks) != 0 {
		t.Errorf("a rule that moved nothing this month enqueued checks %v", jobs.checks)
	}
	if _, err := s.InsertTransactions(ctx, u.ID, []*tally.Transaction{txn(acct, "3", now.Format(tally.DateLayout), -700, "groceries")}); err != nil {
		t.Fatal(err)
	}
	jobs.checks = nil
	if _, n, err := s.PutRule(ctx, u.ID, "merchant_3", "Merchant 3", "shopping"); err != nil || n != 1 {
		t.Fatalf("PutRule = %d, %v; want 1 re-filed", n, err)
	}
	if want := u.ID + "|" + now.Format(tally.MonthLayout); len(jobs.checks) != 1 || jobs.checks[0] != want {
		t.Errorf("checks after a rule re-filed this month: got %v, want [%s]", jobs.checks, want)
	}

	mk := func() []*tally.Notification {
		return []*tally.Notification{
			{Kind: tally.NotifyBudgetApproaching, Category: "groceries", Month: "2026-11", Message: "a"},
			{Kind: tally.NotifyBudgetExceeded, Category: "groceries", Month: "2026-11", Message: "b"},
		}
	}
	added, err := s.AddNotifications(ctx, u.ID, mk(), p.ChannelsFor)
	if err != nil || len(added) != 2 {
		t.Fatalf("add: got %d, %v; want 2", len(added), err)
	}
	again, err := s.AddNotifications(ctx, u.ID, mk(), p.ChannelsFor)
	if err != nil || len(again) != 0 {
		t.Fatalf("add again: got %d, %v; want 0", len(again), err)
	}
	if len(jobs.delivers) != 4 {
		t.Errorf("deliveries enqueued: got %v, want 4 (2 notifications x email, webhook)", jobs.delivers)
	}
	page, next, unread, err := s.Notifications(ctx, u.ID, "", 1)
	if err != nil || len(page) != 1 || next == "" || unread != 2 {
		t.Fatalf("page 1: got %d next=%q unread=%d err=%v", len(page), next, unread, err)
	}
	page2, next2, _, err := s.Notifications(ctx, u.ID, next, 1)
	if err != nil || len(page2) != 1 || next2 != "" || page2[0].ID == page[0].ID {
		t.Fatalf("page 2: got %v next=%q err=%v", page2, next2, err)
	}
	if _, err := s.MarkNotificationRead(ctx, other.ID, page[0].ID); tally.ErrorCode(err) != tally.ENOTFOUND {
		t.Errorf("other user's read: got %v, want ENOTFOUND", err)
	}
	if n, err := s.MarkNotificationRead(ctx, u.ID, page[0].ID); err != nil || n.ReadAt == nil {
		t.Errorf("read: got %+v, %v", n, err)
	}
	if _, _, unread, _ := s.Notifications(ctx, u.ID, "", 10); unread != 1 {
		t.Errorf("unread: got %d, want 1", unread)
	}

	// Five failures in a row turn the webhook off, once, with a notice; not
	// when they all happened within the minimum failing time.
	for range 6 {
		if disabled, err := s.WebhookFailed(ctx, u.ID, 5, time.Hour, "HTTP 500"); err != nil || disabled {
			t.Fatalf("failures within an hour: disabled %v, %v", disabled, err)
		}
	}
	if err := s.MarkDelivered(ctx, u.ID, page[0].ID, tally.ChannelWebhook); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 6; i++ {
		disabled, err := s.WebhookFailed(ctx, u.ID, 5, 0, "HTTP 500")
		if err != nil {
			t.Fatal(err)
		}
		if disabled != (i >= 5) {
			t.Errorf("failure %d: disabled %v", i, disabled)
		}
	}
	p, _ = s.Profile(ctx, u.ID)
	if p.WebhookDisabledAt == nil || len(p.ChannelsFor(tally.NotifyBudgetExceeded)) != 1 {
		t.Errorf("after failures: got %+v", p)
	}
	list, _, _, _ := s.Notifications(ctx, u.ID, "", 10)
	if len(list) != 3 || list[0].Kind != tally.NotifyAccountNeedsAttention {
		t.Errorf("notices: got %d, first %+v; want 3 with account_needs_attention first", len(list), list[0])
	}
}
