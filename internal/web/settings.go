package web

import (
	"errors"
	"net/http"
	"net/mail"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/httpx"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/store"
)

// timeZones is the settings page's list of time zones (the user's own is
// added when it is not here).
var timeZones = []string{
	"UTC",
	"Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles", "America/Phoenix", "America/Denver", "America/Chicago",
	"America/New_York", "America/Halifax", "America/St_Johns", "America/Mexico_City", "America/Bogota", "America/Lima",
	"America/Santiago", "America/Sao_Paulo", "America/Argentina/Buenos_Aires", "America/Toronto", "America/Vancouver",
	"Atlantic/Reykjavik", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Madrid",
	"Europe/Rome", "Europe/Amsterdam", "Europe/Brussels", "Europe/Zurich", "Europe/Stockholm", "Europe/Oslo", "Europe/Copenhagen",
	"Europe/Warsaw", "Europe/Prague", "Europe/Vienna", "Europe/Athens", "Europe/Helsinki", "Europe/Istanbul", "Europe/Kyiv",
	"Europe/Moscow", "Africa/Cairo", "Africa/Lagos", "Africa/Johannesburg", "Africa/Nairobi", "Asia/Jerusalem", "Asia/Dubai",
	"Asia/Karachi", "Asia/Kolkata", "Asia/Dhaka", "Asia/Bangkok", "Asia/Jakarta", "Asia/Singapore", "Asia/Hong_Kong",
	"Asia/Shanghai", "Asia/Taipei", "Asia/Manila", "Asia/Seoul", "Asia/Tokyo", "Australia/Perth", "Australia/Adelaide",
	"Australia/Brisbane", "Australia/Sydney", "Pacific/Auckland",
}

var kindNames = map[string]string{
	tally.NotifyBudgetApproaching:      "Budget approaching",
	tally.NotifyBudgetExceeded:         "Budget exceeded",
	tally.NotifyBudgetProjected:        "Budget on pace to be exceeded",
	tally.NotifySyncCompleted:          "Sync completed",
	tally.NotifyAccountNeedsAttention:  "Account needs attention",
	tally.NotifyRecurringNew:           "New subscription or bill found",
	tally.NotifyRecurringPriceIncrease: "Subscription price went up",
	tally.NotifyRecurringMissing:       "Expected bill did not arrive",
}

// settingsPage is the profile, alert channels, webhook, API tokens and
// password forms.
type settingsPage struct {
	layout
	Income        string
	Currency      string
	TimeZone      string
	TimeZones     []string
	Approaching   int
	NotifyEmail   string
	Kinds         []kindChannels
	WebhookURL    string
	WebhookOff    bool
	WebhookSecret string // shown once, right after it is made
	Tokens        []tokenRow
	NewToken      string // shown once, right after it is made
	NewTokenName  string
}

type kindChannels struct {
	Kind, Name     string
	Email, Webhook bool
}

type tokenRow struct {
	ID, Name, Created, LastUsed, Expires string
}

// GET /settings
func (h *Handler) settings(w http.ResponseWriter, r *http.Request, u *tally.User) {
	h.renderSettings(w, r, u, http.StatusOK, h.page(w, r, u, "Settings", "settings"), nil)
}

func (h *Handler) renderSettings(w http.ResponseWriter, r *http.Request, u *tally.User, status int, l layout, fill func(*settingsPage)) {
	p, err := h.Store.Profile(r.Context(), u.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	tokens, err := h.Store.APITokens(r.Context(), u.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	page := settingsPage{layout: l, Income: tally.FormatAmount(p.MonthlyIncome, p.Currency), Currency: p.Currency, TimeZone: p.TimeZone,
		TimeZones: timeZones, Approaching: p.ApproachingPercent, NotifyEmail: p.NotifyEmail, WebhookURL: p.WebhookURL,
		WebhookOff: p.WebhookURL != "" && p.WebhookDisabledAt != nil}
	if p.MonthlyIncome == 0 {
		page.Income = ""
	}
	if page.Approaching == 0 {
		page.Approaching = 80
	}
	if !containsString(timeZones, p.TimeZone) {
		page.TimeZones = append([]string{p.TimeZone}, timeZones...)
	}
	for _, k := range tally.NotificationKinds {
		want, ok := p.Channels[k]
		if !ok && k != tally.NotifySyncCompleted {
			want = []string{tally.ChannelEmail, tally.ChannelWebhook}
		}
		page.Kinds = append(page.Kinds, kindChannels{Kind: k, Name: label(kindNames, k),
			Email: containsString(want, tally.ChannelEmail), Webhook: containsString(want, tally.ChannelWebhook)})
	}
	loc := u.Location()
	for _, t := range tokens {
		row := tokenRow{ID: t.ID, Name: t.Name, Created: t.CreatedAt.In(loc).Format("Jan 2, 2006"), LastUsed: "Never used"}
		if row.Name == "" {
			row.Name = "Unnamed token"
		}
		if t.LastUsedAt != nil {
			row.LastUsed = "Last used " + ago(h.now(), *t.LastUsedAt)
		}
		if t.ExpiresAt != nil {
			row.Expires = "Expires " + t.ExpiresAt.In(loc).Format("Jan 2, 2006")
		}
		page.Tokens = append(page.Tokens, row)
	}
	if fill != nil {
		fill(&page)
	}
	h.render(w, r, status, "settings", page)
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (h *Handler) refuseSettings(w http.ResponseWriter, r *http.Request, u *tally.User, f form) {
	l := h.base(r, u, "Settings", "settings")
	l.Form = f
	h.renderSettings(w, r, u, http.StatusUnprocessableEntity, l, nil)
}

// POST /settings/profile: income, time_zone, approaching, notify_email and
// a checkbox per kind and channel (email_KIND, webhook_KIND).
func (h *Handler) saveProfile(w http.ResponseWriter, r *http.Request, u *tally.User) {
	f := newForm("profile", r)
	pf := r.PostForm
	current, err := h.Store.Profile(r.Context(), u.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	income := int64(0)
	if raw := strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(pf.Get("income")), "$"), ",", ""); raw != "" {
		v, err := tally.ParseAmount(raw, current.Currency)
		switch {
		case len(raw) > 20 || err != nil:
			f.set("income", "Enter your monthly income such as 5200.00, or leave it empty to detect it from paychecks.")
		case v < 0:
			f.set("income", "Income cannot be negative.")
		default:
			income = v
		}
	}
	tz := pf.Get("time_zone")
	if _, err := time.LoadLocation(tz); err != nil || tz == "" || strings.EqualFold(tz, "local") || len(tz) > 64 {
		f.set("time_zone", "Choose a time zone from the list.")
	}
	approaching, err := strconv.Atoi(strings.TrimSpace(pf.Get("approaching")))
	if err != nil || approaching < 1 || approaching > 99 {
		f.set("approaching", "Enter a whole percentage from 1 to 99.")
	}
	email := strings.TrimSpace(pf.Get("notify_email"))
	if email != "" {
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
			f.set("notify_email", "Enter an email address such as you@example.com, or leave it empty.")
		}
	}
	channels := map[string][]string{}
	for _, k := range tally.NotificationKinds {
		list := []string{}
		for _, c := range []string{tally.ChannelEmail, tally.ChannelWebhook} {
			if pf.Get(c+"_"+k) == "on" {
				list = append(list, c)
			}
		}
		sort.Strings(list)
		channels[k] = list
	}
	if f.Failed() {
		h.refuseSettings(w, r, u, f)
		return
	}
	_, err = h.Store.UpdateProfile(r.Context(), u.ID, h.currentMonth(u), func(p *tally.Profile) error {
		p.MonthlyIncome, p.TimeZone, p.ApproachingPercent, p.NotifyEmail, p.Channels = income, tz, approaching, email, channels
		return nil
	})
	if err != nil {
		h.failed(w, r, u, err)
		return
	}
	redirect(w, r, "/settings", "Settings saved.")
}

// POST /settings/webhook: action set (webhook_url), rotate or remove. The
// secret of a new or rotated webhook is shown once, on the answer itself.
func (h *Handler) saveWebhook(w http.ResponseWriter, r *http.Request, u *tally.User) {
	f := newForm("webhook", r)
	action := r.PostForm.Get("action")
	raw := strings.TrimSpace(r.PostForm.Get("webhook_url"))
	switch action {
	case "set":
		if raw == "" {
			f.set("webhook_url", "Enter the https:// address that should receive alerts.")
		} else if len(raw) > 2048 {
			f.set("webhook_url", "The address is longer than 2048 characters.")
		} else if err := notify.CheckWebhookURL(raw); err != nil {
			f.set("webhook_url", capitalize(err.Error())+".")
		}
	case "rotate", "remove":
	default:
		h.errorPage(w, r, u, http.StatusBadRequest, "Choose to save, rotate or remove the webhook.")
		return
	}
	if !f.Failed() && action != "remove" && h.Secrets == nil {
		f.set("webhook_url", "Webhooks are not available on this server.")
	}
	if f.Failed() {
		h.refuseSettings(w, r, u, f)
		return
	}
	var secret string
	_, err := h.Store.UpdateProfile(r.Context(), u.ID, h.currentMonth(u), func(p *tally.Profile) error {
		switch action {
		case "remove":
			p.WebhookURL, p.WebhookSecret, p.WebhookDisabledAt, p.WebhookFailures = "", nil, nil, 0
			return nil
		case "rotate":
			if p.WebhookURL == "" {
				return tally.Errorf(tally.EINVALID, "there is no webhook to rotate the secret of")
			}
		case "set":
			if p.WebhookURL != "" && p.WebhookSecret != nil {
				p.WebhookURL, p.WebhookDisabledAt, p.WebhookFailures = raw, nil, 0
				return nil
			}
			p.WebhookURL, p.WebhookDisabledAt, p.WebhookFailures = raw, nil, 0
		}
		secret = notify.NewWebhookSecret()
		p.WebhookSecret = h.Secrets.Seal([]byte(secret), []byte(p.UserID))
		return nil
	})
	if err != nil {
		if tally.ErrorCode(err) == tally.EINVALID {
			f.set("webhook_url", capitalize(tally.ErrorMessage(err))+".")
			h.refuseSettings(w, r, u, f)
			return
		}
		h.failed(w, r, u, err)
		return
	}
	if secret == "" {
		msg := "Webhook saved."
		if action == "remove" {
			msg = "Webhook removed."
		}
		redirect(w, r, "/settings", msg)
		return
	}
	l := h.base(r, u, "Settings", "settings")
	l.Flash = "Webhook saved. Copy its signing secret now: it is not shown again."
	h.renderSettings(w, r, u, http.StatusOK, l, func(p *settingsPage) { p.WebhookSecret = secret })
}

// POST /settings/tokens: name. The token is shown once, on the answer.
func (h *Handler) createToken(w http.ResponseWriter, r *http.Request, u *tally.User) {
	f := newForm("token", r)
	name, err := tally.CheckTokenName(r.PostForm.Get("name"))
	if err != nil {
		f.set("name", capitalize(tally.ErrorMessage(err))+".")
	} else if name == "" {
		f.set("name", "Name the token after where you will use it, such as “spreadsheet”.")
	}
	if f.Failed() {
		h.refuseSettings(w, r, u, f)
		return
	}
	token, err := auth.NewToken()
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if _, err := h.Store.CreateNamedToken(r.Context(), u.ID, auth.HashToken(token), store.TokenAPI, name, nil); err != nil {
		h.serverError(w, r, err)
		return
	}
	l := h.base(r, u, "Settings", "settings")
	l.Flash = "Token created. Copy it now: it is not shown again."
	h.renderSettings(w, r, u, http.StatusCreated, l, func(p *settingsPage) { p.NewToken, p.NewTokenName = token, name })
}

// POST /settings/tokens/{id}/revoke
func (h *Handler) revokeToken(w http.ResponseWriter, r *http.Request, u *tally.User) {
	if err := h.Store.DeleteAPIToken(r.Context(), u.ID, r.PathValue("id")); err != nil {
		h.failed(w, r, u, err)
		return
	}
	redirect(w, r, "/settings", "Token revoked: programs using it are refused from now on.")
}

// POST /settings/delete: delete_password and, with two-factor sign-in on,
// delete_code. Every row of the user goes, then every object of theirs in
// the object store; the browser is signed out.
func (h *Handler) deleteMe(w http.ResponseWriter, r *http.Request, u *tally.User) {
	f := newForm("delete", r)
	password := r.PostForm.Get("delete_password")
	if password == "" {
		f.set("delete_password", "Enter your password to delete your account.")
		h.refuseSettings(w, r, u, f)
		return
	}
	_, err := h.gate().SignIn(r.Context(), u.Email, password, strings.TrimSpace(r.PostForm.Get("delete_code")), httpx.ClientAddr(r, h.TrustProxy))
	switch {
	case errors.Is(err, auth.ErrTOTPRequired), errors.Is(err, auth.ErrBadCode):
		f.set("delete_code", "Enter a current code from your authenticator app.")
	case tally.ErrorCode(err) == tally.EUNAUTHORIZED:
		f.set("delete_password", "That is not your password.")
	case err != nil:
		h.failed(w, r, u, err)
		return
	}
	if f.Failed() {
		h.refuseSettings(w, r, u, f)
		return
	}
	if err := h.Store.DeleteUser(r.Context(), u.ID); err != nil {
		h.failed(w, r, u, err)
		return
	}
	h.dropUserBlobs(r.Context(), u.ID)
	clearCookie(w, r, SessionCookie)
	redirect(w, r, "/signin", "Your account and everything in it were deleted.")
}

// POST /settings/password: current_password, new_password,
// new_password_confirm. Other browsers' sessions end.
func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request, u *tally.User) {
	f := newForm("password", r)
	cur, next := r.PostForm.Get("current_password"), r.PostForm.Get("new_password")
	if cur == "" {
		f.set("current_password", "Enter your current password.")
	} else if _, err := auth.SignIn(r.Context(), h.Store, u.Email, cur); err != nil {
		if tally.ErrorCode(err) != tally.EUNAUTHORIZED {
			h.serverError(w, r, err)
			return
		}
		f.set("current_password", "That is not your current password.")
	}
	if err := auth.CheckPassword(next); err != nil {
		f.set("new_password", capitalize(tally.ErrorMessage(err))+".")
	} else if next != r.PostForm.Get("new_password_confirm") {
		f.set("new_password_confirm", "The two new passwords differ.")
	}
	if f.Failed() {
		h.refuseSettings(w, r, u, f)
		return
	}
	hash, err := auth.HashPassword(next)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if err := h.Store.SetPassword(r.Context(), u.ID, hash); err != nil {
		h.failed(w, r, u, err)
		return
	}
	keep := ""
	if c, err := r.Cookie(SessionCookie); err == nil {
		keep = auth.HashToken(c.Value)
	}
	if err := h.Store.DeleteSessions(r.Context(), u.ID, keep); err != nil {
		h.serverError(w, r, err)
		return
	}
	redirect(w, r, "/settings", "Password changed. Other browsers must sign in again.")
}
