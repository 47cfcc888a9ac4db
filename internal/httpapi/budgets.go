package httpapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/budget"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/outbound"
	"github.com/tallyhq/tally/internal/store"
)

// notifier returns the service that computes budget plans.
func (s *Server) notifier() *notify.Service {
	if s.Notify != nil {
		return s.Notify
	}
	return &notify.Service{Store: s.Store, Now: s.now}
}

// currentMonth is this month in the user's time zone.
func (s *Server) currentMonth(u *tally.User) string {
	return s.now().In(u.Location()).Format(tally.MonthLayout)
}

type budgetLineJSON struct {
	Category  string `json:"category"`
	Name      string `json:"name"`
	Amount    string `json:"amount"`
	Source    string `json:"source"`
	Spent     string `json:"spent"`
	Remaining string `json:"remaining"`
	Percent   int64  `json:"percent"`
	Status    string `json:"status"`
	Projected bool   `json:"projected"`
	Rollover  string `json:"rollover"`
	Carried   string `json:"carried"`
	Available string `json:"available"`
	Paid      string `json:"paid"`
}

type budgetsJSON struct {
	Month      string           `json:"month"`
	Currency   string           `json:"currency"`
	Categories []budgetLineJSON `json:"categories"`
}

func newBudgetLineJSON(l budget.Line, currency string) budgetLineJSON {
	name := l.Category
	if c, ok := tally.LookupCategory(l.Category); ok {
		name = c.Name
	}
	return budgetLineJSON{Category: l.Category, Name: name, Amount: tally.FormatAmount(l.Amount, currency), Source: l.Source,
		Spent: tally.FormatAmount(l.Spent, currency), Remaining: tally.FormatAmount(l.Remaining, currency), Percent: l.Percent,
		Status: l.Status, Projected: l.Projected, Rollover: l.Rollover, Carried: tally.FormatAmount(l.Carried, currency),
		Available: tally.FormatAmount(l.Available, currency), Paid: tally.FormatAmount(l.Paid, currency)}
}

// GET /api/v1/budgets?month=YYYY-MM: every budgeted category, its amount and
// where it came from, and the month's spending against it.
func (s *Server) getBudgets(w http.ResponseWriter, r *http.Request, u *tally.User) {
	month := s.currentMonth(u)
	if v := r.URL.Query().Get("month"); v != "" {
		m, err := parseMonth(v)
		if err != nil {
			s.error(w, r, err)
			return
		}
		month = m
	}
	// Statuses project the month from today's date: the entry is the day's.
	s.cachedJSON(w, r, u, "budgets:"+month+":"+s.now().In(u.Location()).Format(tally.DateLayout), func(ctx context.Context) (any, error) {
		plan, err := s.notifier().Plan(ctx, u.ID, month)
		if err != nil {
			return nil, err
		}
		out := budgetsJSON{Month: month, Currency: plan.Currency, Categories: make([]budgetLineJSON, 0, len(plan.Lines))}
		for _, l := range plan.Lines {
			out.Categories = append(out.Categories, newBudgetLineJSON(l, plan.Currency))
		}
		return out, nil
	})
}

// budgetCategory validates the {category} of a budget path.
func budgetCategory(r *http.Request) (string, error) {
	id := r.PathValue("category")
	if _, ok := tally.LookupCategory(id); !ok {
		return "", tally.Errorf(tally.EINVALID, "category %q is not a known category id; see GET /api/v1/categories", id)
	}
	if !tally.IsSpending(id) {
		return "", tally.Errorf(tally.EINVALID, "category %q is not a spending category; budgets cover expenses only", id)
	}
	return id, nil
}

// PUT /api/v1/budgets/{category} {"amount":"450.00"}: a manual budget.
func (s *Server) putBudget(w http.ResponseWriter, r *http.Request, u *tally.User) {
	category, err := budgetCategory(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	var req struct {
		Amount   *string `json:"amount"`
		Rollover *string `json:"rollover"`
	}
	if err := decodeJSON(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	if req.Amount == nil && req.Rollover == nil {
		s.error(w, r, tally.Errorf(tally.EINVALID, `amount is required, as a decimal string such as "450.00" (or rollover alone)`))
		return
	}
	if req.Rollover != nil && !validRollover(*req.Rollover) {
		s.error(w, r, tally.Errorf(tally.EINVALID, "rollover %q is not allowed: want none, surplus or surplus_and_deficit", *req.Rollover))
		return
	}
	p, err := s.Store.Profile(r.Context(), u.ID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	var amount *int64
	if req.Amount != nil {
		a, err := tally.ParseAmount(*req.Amount, p.Currency)
		if err != nil || a <= 0 {
			s.error(w, r, tally.Errorf(tally.EINVALID, "amount %q: want a positive decimal amount of %s up to %s", *req.Amount, p.Currency, tally.FormatAmount(tally.MaxAmount, p.Currency)))
			return
		}
		amount = &a
	}
	month := s.currentMonth(u)
	if err := s.Store.PutBudget(r.Context(), u.ID, category, amount, p.Currency, req.Rollover, month); err != nil {
		s.error(w, r, err)
		return
	}
	s.writeBudgetLine(w, r, u, month, category)
}

func (s *Server) writeBudgetLine(w http.ResponseWriter, r *http.Request, u *tally.User, month, category string) {
	plan, err := s.notifier().Plan(r.Context(), u.ID, month)
	if err != nil {
		s.error(w, r, err)
		return
	}
	for _, l := range plan.Lines {
		if l.Category == category {
			writeJSON(w, http.StatusOK, newBudgetLineJSON(l, plan.Currency))
			return
		}
	}
	s.error(w, r, tally.Errorf(tally.ENOTFOUND, "no budget for %s", category))
}

func validRollover(v string) bool {
	return v == tally.RolloverNone || v == tally.RolloverSurplus || v == tally.RolloverSurplusAndDeficit
}

// DELETE /api/v1/budgets/{category}: back to the recommendation.
func (s *Server) deleteBudget(w http.ResponseWriter, r *http.Request, u *tally.User) {
	category, err := budgetCategory(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if err := s.Store.DeleteBudget(r.Context(), u.ID, category, s.currentMonth(u)); err != nil {
		s.error(w, r, err)
		return
	}
	noContent(w)
}

type profileJSON struct {
	MonthlyIncome      string              `json:"monthly_income"`
	Currency           string              `json:"currency"`
	TimeZone           string              `json:"time_zone"`
	NotifyEmail        string              `json:"notify_email"`
	WebhookURL         string              `json:"webhook_url"`
	WebhookEnabled     bool                `json:"webhook_enabled"`
	WebhookSecret      string              `json:"webhook_secret,omitempty"`
	ApproachingPercent int                 `json:"approaching_percent"`
	Channels           map[string][]string `json:"channels"`
}

// redactURL hides the user:password part of an address Tally calls.
func redactURL(u string) string {
	if u == "" {
		return ""
	}
	return outbound.Redact(u)
}

func newProfileJSON(p *tally.Profile) profileJSON {
	ch := map[string][]string{}
	for _, k := range tally.NotificationKinds {
		c := []string{tally.ChannelInbox}
		want, ok := p.Channels[k]
		if !ok && k != tally.NotifySyncCompleted {
			want = []string{tally.ChannelEmail, tally.ChannelWebhook}
		}
		ch[k] = append(c, want...)
	}
	return profileJSON{MonthlyIncome: tally.FormatAmount(p.MonthlyIncome, p.Currency), Currency: p.Currency, TimeZone: p.TimeZone,
		NotifyEmail: p.NotifyEmail, WebhookURL: redactURL(p.WebhookURL), WebhookEnabled: p.WebhookURL != "" && p.WebhookDisabledAt == nil,
		ApproachingPercent: p.ApproachingPercent, Channels: ch}
}

// GET /api/v1/profile.
func (s *Server) getProfile(w http.ResponseWriter, r *http.Request, u *tally.User) {
	s.cachedJSON(w, r, u, "profile", func(ctx context.Context) (any, error) {
		p, err := s.Store.Profile(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		return newProfileJSON(p), nil
	})
}

type profileRequest struct {
	MonthlyIncome      *string              `json:"monthly_income"`
	TimeZone           *string              `json:"time_zone"`
	NotifyEmail        *string              `json:"notify_email"`
	WebhookURL         *string              `json:"webhook_url"`
	ApproachingPercent *int                 `json:"approaching_percent"`
	Channels           *map[string][]string `json:"channels"`
}

// PUT /api/v1/profile: changes the fields present. The answer that sets a
// webhook_url on a profile without one carries the webhook_secret, once.
func (s *Server) putProfile(w http.ResponseWriter, r *http.Request, u *tally.User) {
	var req profileRequest
	if err := decodeJSON(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	if v := req.WebhookURL; v != nil && *v != "" {
		// Resolved before the write, not inside its transaction.
		if err := s.guard().CheckURL(r.Context(), "webhook_url", *v); err != nil {
			s.error(w, r, tally.Errorf(tally.EINVALID, "%s", err.Error()))
			return
		}
	}
	var secret string
	p, err := s.Store.UpdateProfile(r.Context(), u.ID, s.currentMonth(u), func(p *tally.Profile) error {
		var err error
		secret, err = s.applyProfile(p, req)
		return err
	})
	if err != nil {
		s.error(w, r, err)
		return
	}
	out := newProfileJSON(p)
	out.WebhookSecret = secret
	writeJSON(w, http.StatusOK, out)
}

// applyProfile validates req and applies it to p (tally.ProfileChange, and
// the webhook here); it returns a new webhook secret when it made one.
func (s *Server) applyProfile(p *tally.Profile, req profileRequest) (string, error) {
	change := tally.ProfileChange{MonthlyIncome: req.MonthlyIncome, TimeZone: req.TimeZone, NotifyEmail: req.NotifyEmail,
		ApproachingPercent: req.ApproachingPercent, Channels: req.Channels}
	if err := change.Apply(p); err != nil {
		return "", err
	}
	secret := ""
	if v := req.WebhookURL; v != nil {
		switch {
		case *v == "":
			p.WebhookURL, p.WebhookSecret, p.WebhookDisabledAt, p.WebhookFailures = "", nil, nil, 0
		default:
			if err := notify.CheckWebhookURL(*v); err != nil {
				return "", tally.Errorf(tally.EINVALID, "%s", err.Error())
			}
			if s.Secrets == nil {
				return "", tally.Errorf(tally.EINTERNAL, "webhooks are not available: the server has no secret key")
			}
			if p.WebhookURL == "" || p.WebhookSecret == nil {
				secret = notify.NewWebhookSecret()
				p.WebhookSecret = s.Secrets.Seal([]byte(secret), []byte(p.UserID))
			}
			// Setting the address again turns a disabled webhook back on.
			p.WebhookURL, p.WebhookDisabledAt, p.WebhookFailures = *v, nil, 0
		}
	}
	return secret, nil
}

type notificationJSON struct {
	ID        string         `json:"id"`
	Kind      string         `json:"kind"`
	Category  string         `json:"category,omitempty"`
	Month     string         `json:"month,omitempty"`
	Message   string         `json:"message"`
	Data      map[string]any `json:"data,omitempty"`
	CreatedAt string         `json:"created_at"`
	Read      bool           `json:"read"`
	ReadAt    *string        `json:"read_at"`
}

func newNotificationJSON(n *tally.Notification) notificationJSON {
	return notificationJSON{ID: n.ID, Kind: n.Kind, Category: n.Category, Month: n.Month, Message: n.Message, Data: n.Data,
		CreatedAt: timeJSON(n.CreatedAt), Read: n.ReadAt != nil, ReadAt: optTime(n.ReadAt)}
}

// GET /api/v1/notifications?cursor=&limit=: the inbox, newest first.
func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request, u *tally.User) {
	q := r.URL.Query()
	limit := 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > store.MaxPageSize {
			s.error(w, r, tally.Errorf(tally.EINVALID, "limit %q: want a whole number from 1 to %d", v, store.MaxPageSize))
			return
		}
		limit = n
	}
	s.cachedJSON(w, r, u, "notifications:"+q.Encode(), func(ctx context.Context) (any, error) {
		ns, next, unread, err := s.Store.Notifications(ctx, u.ID, q.Get("cursor"), limit)
		if err != nil {
			return nil, err
		}
		out := struct {
			Notifications []notificationJSON `json:"notifications"`
			Unread        int                `json:"unread"`
			NextCursor    *string            `json:"next_cursor"`
		}{Notifications: make([]notificationJSON, 0, len(ns)), Unread: unread}
		for _, n := range ns {
			out.Notifications = append(out.Notifications, newNotificationJSON(n))
		}
		if next != "" {
			out.NextCursor = &next
		}
		return out, nil
	})
}

// POST /api/v1/notifications/{id}/read.
func (s *Server) readNotification(w http.ResponseWriter, r *http.Request, u *tally.User) {
	n, err := s.Store.MarkNotificationRead(r.Context(), u.ID, r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newNotificationJSON(n))
}

// POST /api/v1/notifications/read-all: mark every unread notification read.
func (s *Server) readAllNotifications(w http.ResponseWriter, r *http.Request, u *tally.User) {
	n, err := s.Store.MarkAllNotificationsRead(r.Context(), u.ID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Marked int `json:"marked"`
	}{n})
}
