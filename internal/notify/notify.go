// Package notify turns spending into alerts and delivers them: it loads a
// user's budget plan (package budget over the store's totals), creates the
// notifications a month calls for at most once, and delivers each to email
// (SMTP) and webhooks (HMAC-signed POSTs). The inbox is the notifications
// table itself. Jobs in internal/jobs call Check and Deliver; both are safe
// to run twice.
package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/budget"
	"github.com/tallyhq/tally/internal/outbound"
	"github.com/tallyhq/tally/internal/secret"
	"github.com/tallyhq/tally/internal/store"
)

// DefaultMaxWebhookFailures is how many failed webhook deliveries in a row
// turn a webhook off.
const DefaultMaxWebhookFailures = 5

// DefaultMinWebhookFailing is how long a webhook must have been failing
// before it is turned off.
const DefaultMinWebhookFailing = time.Hour

// Service checks budgets and delivers notifications.
type Service struct {
	Store *store.Store
	Box   *secret.Box // opens webhook secrets
	Email *Email      // nil: email is not configured and is skipped
	// HTTP posts webhooks; nil means outbound's public-only client, which
	// refuses private and loopback addresses.
	HTTP *http.Client
	// A webhook is turned off after MaxWebhookFailures failed attempts in a
	// row (DefaultMaxWebhookFailures when 0) spanning at least
	// MinWebhookFailing (DefaultMinWebhookFailing when 0).
	MaxWebhookFailures int
	MinWebhookFailing  time.Duration
	Now                func() time.Time // time.Now when nil
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Plan is a month's budgets for one user.
type Plan struct {
	Month    string
	Currency string
	Today    time.Time // in the user's time zone
	Profile  *tally.Profile
	Lines    []budget.Line
	// Recommended is what Tally would budget per category without the
	// user's own amounts: the figure a manual budget replaced.
	Recommended map[string]budget.Line
	// MonthTotals are the month's monthly totals of every account, hidden
	// ones included (what GET /spending shows).
	MonthTotals []tally.MonthlyTotal

	fingerprint string // of the totals and budgets the plan was made from
}

// CurrentMonth returns this month in the user's time zone.
func CurrentMonth(now time.Time, timeZone string) string {
	u := tally.User{TimeZone: timeZone}
	return now.In(u.Location()).Format(tally.MonthLayout)
}

// Plan loads what budget.Plan needs in five indexed reads (profile, first
// month, the month and its six predecessors' totals, what hidden accounts
// add to them, manual budgets) and returns the month's budgets. Hidden
// accounts count towards no budget.
func (s *Service) Plan(ctx context.Context, userID, month string) (*Plan, error) {
	start, err := time.Parse(tally.MonthLayout, month)
	if err != nil {
		return nil, tally.Errorf(tally.EINVALID, "month %q: want YYYY-MM", month)
	}
	p, err := s.Store.Profile(ctx, userID)
	if err != nil {
		return nil, err
	}
	u := tally.User{TimeZone: p.TimeZone}
	today := s.now().In(u.Location())
	manual, rollovers, err := s.Store.BudgetSettings(ctx, userID)
	if err != nil {
		return nil, err
	}
	from := start.AddDate(0, -budget.HistoryMonths, 0).Format(tally.MonthLayout)
	pastFrom := rolloverFrom(rollovers, start)
	totals, first, err := s.Store.BudgetTotals(ctx, userID, min(from, pastFrom), month)
	if err != nil {
		return nil, err
	}
	var monthTotals []tally.MonthlyTotal
	for _, t := range totals {
		if t.Month == month {
			monthTotals = append(monthTotals, t)
		}
	}
	hidden, err := s.Store.HiddenTotals(ctx, userID, min(from, pastFrom), month)
	if err != nil {
		return nil, err
	}
	totals = withoutHidden(totals, hidden)
	in := budget.Input{Month: month, Currency: p.Currency, Today: today, Income: p.MonthlyIncome, Manual: manual,
		ApproachingPercent: p.ApproachingPercent}
	if len(rollovers) > 0 {
		in.Rollover = map[string]budget.Rollover{}
		for c, r := range rollovers {
			in.Rollover[c] = budget.Rollover{Mode: r.Mode, Since: r.Since}
		}
		for _, t := range totals {
			if t.Month >= pastFrom && t.Month < month {
				in.Past = append(in.Past, t)
			}
		}
	}
	// Complete months: before the checked one and after the user's first
	// month, which a first sync brings only in part.
	for m := start.AddDate(0, -budget.HistoryMonths, 0); m.Before(start); m = m.AddDate(0, 1, 0) {
		if k := m.Format(tally.MonthLayout); first != "" && k > first {
			in.Months = append(in.Months, k)
		}
	}
	for _, t := range totals {
		if t.Month == month {
			in.Totals = append(in.Totals, t)
		} else if first != "" && t.Month > first && t.Month >= from {
			in.History = append(in.History, t)
		}
	}
	lines := budget.Plan(in)
	// Expected bills can only calm a history budget that would alert: the
	// recurring series are read only then.
	if mayBePaid(lines) {
		if in.Paid, err = s.expectedPaid(ctx, userID, month); err != nil {
			return nil, err
		}
		if len(in.Paid) > 0 {
			lines = budget.Plan(in)
		}
	}
	plan := &Plan{Month: month, Currency: p.Currency, Today: today, Profile: p, Lines: lines, MonthTotals: monthTotals,
		Recommended: map[string]budget.Line{}, fingerprint: fingerprintOf(month, in.Totals, manual)}
	if len(manual) > 0 {
		in.Manual = nil
		for _, l := range budget.Plan(in) {
			plan.Recommended[l.Category] = l
		}
	} else {
		for _, l := range plan.Lines {
			plan.Recommended[l.Category] = l
		}
	}
	return plan, nil
}

// withoutHidden subtracts the hidden accounts' share from totals.
func withoutHidden(totals, hidden []tally.MonthlyTotal) []tally.MonthlyTotal {
	if len(hidden) == 0 {
		return totals
	}
	type key struct{ month, category, currency string }
	sub := map[key]tally.MonthlyTotal{}
	for _, h := range hidden {
		sub[key{h.Month, h.Category, h.Currency}] = h
	}
	out := make([]tally.MonthlyTotal, 0, len(totals))
	for _, t := range totals {
		if h, ok := sub[key{t.Month, t.Category, t.Currency}]; ok {
			t.Amount -= h.Amount
			t.Count -= h.Count
		}
		if t.Count != 0 || t.Amount != 0 {
			out = append(out, t)
		}
	}
	return out
}

// Check creates the alerts the user's month calls for, each at most once,
// and enqueues their delivery in the same transaction. Only the current
// month (in the user's time zone) raises alerts: old news is no alert. It
// returns the notifications that are new.
//
// A write that commits while a check of the same month is running cannot
// enqueue the same check again (the job is unique while queued or running):
// it schedules a follow-up check instead, and Check itself reads the month's
// totals and budgets again at the end and starts over when they changed
// under it.
func (s *Service) Check(ctx context.Context, userID, month string) ([]*tally.Notification, error) {
	// While a sync's chunks are still arriving, budgets recommended from
	// history and the month's spending are both partial: no alert now; the
	// sync enqueues a check when its last chunk is in.
	if syncing, err := s.Store.UserSyncing(ctx, userID); err != nil || syncing {
		return nil, err
	}
	var all []*tally.Notification
	for round := 0; ; round++ {
		plan, err := s.Plan(ctx, userID, month)
		if err != nil {
			return nil, err
		}
		if plan.Today.Format(tally.MonthLayout) != month {
			return nil, nil
		}
		added, err := s.Store.AddNotifications(ctx, userID, alerts(plan), plan.Profile.ChannelsFor)
		if err != nil {
			return nil, err
		}
		all = append(all, added...)
		after, err := s.fingerprint(ctx, userID, month)
		if err != nil {
			return nil, err
		}
		if after == plan.fingerprint || round == 2 {
			return all, nil
		}
	}
}

// alerts lists the notifications a plan calls for.
func alerts(plan *Plan) []*tally.Notification {
	var ns []*tally.Notification
	for _, l := range plan.Lines {
		for _, kind := range l.Alerts() {
			ns = append(ns, &tally.Notification{
				Kind: kind, Category: l.Category, Month: plan.Month,
				Message: budget.Message(kind, l, plan.Month, plan.Currency),
				Data: map[string]any{
					"currency": plan.Currency, "budget": tally.FormatAmount(l.Amount, plan.Currency),
					"spent": tally.FormatAmount(l.Spent, plan.Currency), "percent": l.Percent, "source": l.Source,
				},
			})
		}
	}
	return ns
}

// fingerprint summarizes a month's totals and the manual budgets, to tell
// whether they changed.
func (s *Service) fingerprint(ctx context.Context, userID, month string) (string, error) {
	totals, err := s.Store.MonthlyTotals(ctx, userID, month)
	if err != nil {
		return "", err
	}
	manual, err := s.Store.Budgets(ctx, userID)
	if err != nil {
		return "", err
	}
	return fingerprintOf(month, totals, manual), nil
}

func fingerprintOf(month string, totals []tally.MonthlyTotal, manual map[string]int64) string {
	var parts []string
	for _, t := range totals {
		if t.Month == month && t.Count != 0 {
			parts = append(parts, fmt.Sprintf("%s/%s/%d/%d;", t.Category, t.Currency, t.Amount, t.Count))
		}
	}
	sort.Strings(parts)
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p)
	}
	keys := make([]string, 0, len(manual))
	for k := range manual {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%d;", k, manual[k])
	}
	return b.String()
}

// Payload is the JSON body of a webhook and the figures of an email.
type Payload struct {
	ID        string         `json:"id"`
	Kind      string         `json:"kind"`
	Category  string         `json:"category,omitempty"`
	Month     string         `json:"month,omitempty"`
	Message   string         `json:"message"`
	Data      map[string]any `json:"data,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
}

// PayloadOf returns the notification's outside form.
func PayloadOf(n *tally.Notification) Payload {
	return Payload{ID: n.ID, Kind: n.Kind, Category: n.Category, Month: n.Month, Message: n.Message, Data: n.Data, CreatedAt: n.CreatedAt}
}

// ErrGiveUp wraps a delivery error that retrying cannot fix.
var ErrGiveUp = errors.New("notify: giving up")

// Deliver sends a notification to one channel unless it was delivered
// there already; a successful send is recorded, so a repeated job sends
// nothing. An error means retry later; one wrapping ErrGiveUp means stop.
func (s *Service) Deliver(ctx context.Context, userID, notificationID, channel string) error {
	n, err := s.Store.Notification(ctx, userID, notificationID)
	if tally.ErrorCode(err) == tally.ENOTFOUND {
		return fmt.Errorf("%w: %v", ErrGiveUp, err)
	}
	if err != nil {
		return err
	}
	done, err := s.Store.Delivered(ctx, userID, notificationID, channel)
	if err != nil || done {
		return err
	}
	p, err := s.Store.Profile(ctx, userID)
	if err != nil {
		return err
	}
	switch channel {
	case tally.ChannelInbox:
		// The inbox is the notifications table: nothing to send.
	case tally.ChannelEmail:
		if p.NotifyEmail == "" || s.Email == nil {
			return nil
		}
		if err := s.Email.Send(ctx, p.NotifyEmail, n); err != nil {
			return err
		}
	case tally.ChannelWebhook:
		if p.WebhookURL == "" || p.WebhookDisabledAt != nil {
			return nil
		}
		key, err := s.Box.Open(p.WebhookSecret, []byte(userID))
		if err != nil {
			return fmt.Errorf("%w: open webhook secret: %v", ErrGiveUp, err)
		}
		body, err := json.Marshal(PayloadOf(n))
		if err != nil {
			return err
		}
		if err := PostWebhook(ctx, s.client(), p.WebhookURL, key, n.ID, body); err != nil {
			maxF := s.MaxWebhookFailures
			if maxF <= 0 {
				maxF = DefaultMaxWebhookFailures
			}
			minF := s.MinWebhookFailing
			if minF <= 0 {
				minF = DefaultMinWebhookFailing
			}
			disabled, ferr := s.Store.WebhookFailed(context.WithoutCancel(ctx), userID, maxF, minF, err.Error())
			if ferr != nil {
				return errors.Join(err, ferr)
			}
			if disabled {
				return fmt.Errorf("%w: webhook turned off: %v", ErrGiveUp, err)
			}
			return err
		}
	default:
		return fmt.Errorf("%w: unknown channel %q", ErrGiveUp, channel)
	}
	return s.Store.MarkDelivered(context.WithoutCancel(ctx), userID, notificationID, channel)
}

var publicOnly = new(outbound.Guard).Client(15 * time.Second)

func (s *Service) client() *http.Client {
	if s.HTTP != nil {
		return s.HTTP
	}
	return publicOnly
}

// SyncCompleted tells the user a sync brought new transactions; key (the
// sync job's id) makes the notice happen once per sync.
func (s *Service) SyncCompleted(ctx context.Context, userID, connectionID, key string, inserted int) error {
	p, err := s.Store.Profile(ctx, userID)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("%d new transactions arrived from your bank.", inserted)
	if inserted == 1 {
		msg = "1 new transaction arrived from your bank."
	}
	_, err = s.Store.AddNotifications(ctx, userID, []*tally.Notification{{
		Kind: tally.NotifySyncCompleted, Key: connectionID + "/" + key, Message: msg,
		Data: map[string]any{"connection_id": connectionID, "new_transactions": inserted},
	}}, p.ChannelsFor)
	return err
}

// NeedsAttention tells the user a connection stopped syncing and why. It
// happens once per connection and day.
func (s *Service) NeedsAttention(ctx context.Context, userID, connectionID, reason string) error {
	p, err := s.Store.Profile(ctx, userID)
	if err != nil {
		return err
	}
	name := connectionID
	if c, err := s.Store.Connection(ctx, userID, connectionID); err == nil && c.Institution != "" {
		name = c.Institution
	}
	_, err = s.Store.AddNotifications(ctx, userID, []*tally.Notification{{
		Kind: tally.NotifyAccountNeedsAttention, Key: connectionID + "/" + s.now().UTC().Format(tally.DateLayout),
		Message: fmt.Sprintf("Tally could not sync %s: %s. Check the connection's login.", name, reason),
		Data:    map[string]any{"connection_id": connectionID, "reason": reason},
	}}, p.ChannelsFor)
	return err
}
