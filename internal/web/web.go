// Package web serves Tally's server-rendered web app at /: sign-up and
// sign-in, cookie sessions backed by store tokens, and a page for everything
// a user does (dashboard, accounts, investments, transactions, rules,
// budgets, recurring series, trends, alerts, settings, statement imports).
// Pages are html/template files embedded with go:embed and parsed once,
// each inside one layout with one navigation. Every form posts and
// redirects (POST-redirect-GET); a refused form is shown again with the
// message next to its field. State-changing requests are guarded twice:
// http.CrossOriginProtection refuses cross-origin posts, and every
// signed-in form carries a token bound to the session. No page needs
// JavaScript.
package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/blob"
	"github.com/tallyhq/tally/internal/categorize"
	"github.com/tallyhq/tally/internal/httpx"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/secret"
	"github.com/tallyhq/tally/internal/sqldb"
	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/summary"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// SessionCookie is the name of the session cookie.
const SessionCookie = "tally_session"

// flashCookie carries a one-line message across a redirect.
const flashCookie = "tally_flash"

// SessionTTL is how long a web session lasts at most, however much it is
// used; SessionIdle ends it sooner when it goes unused.
const (
	SessionTTL  = 30 * 24 * time.Hour
	SessionIdle = 7 * 24 * time.Hour
)

// maxFormBody caps a form post.
const maxFormBody = 64 << 10

// Linker links institutions and replaces refused credentials, verifying
// them with the institution first. *ingest.Service implements it.
type Linker interface {
	Connect(ctx context.Context, userID string, req ingest.ConnectRequest) (*tally.Connection, []*tally.Account, error)
	UpdateCredentials(ctx context.Context, userID, connectionID, login, password string) (*tally.Connection, error)
}

// Handler serves the web app. Use New, then call Routes.
type Handler struct {
	Store      *store.Store
	Logger     *slog.Logger
	Now        func() time.Time // time.Now when nil
	DemoHint   string           // shown on the sign-in page when set, e.g. the demo credentials
	Notify     *notify.Service  // budget plans; one over Store when nil
	Importer   Importer         // statement uploads at /imports; nil refuses them
	Linker     Linker           // nil: linking institutions is unavailable
	Categorize *categorize.Engine
	Secrets    *secret.Box // seals webhook secrets; nil refuses webhooks
	SignupOpen bool        // anyone may sign up; otherwise only the first user
	// Blobs is the object store of raw documents and uploads: removing a
	// connection or an account deletes their objects from it after the
	// rows. nil only where nothing is ever stored (tests).
	Blobs blob.Store
	// Gate signs users in with attempt limits and two-factor codes; one
	// over Store without two-factor enrolment when nil.
	Gate *auth.Gate
	// TrustProxy: a reverse proxy in front sets X-Forwarded-For and
	// X-Forwarded-Proto (the session cookie is Secure behind https).
	TrustProxy bool
	// Summary is what the dashboard shows, cached; one over Store without
	// a cache when nil.
	Summary *summary.Service

	patterns []string // registered by Routes, for tests that walk every route
}

// Config configures New.
type Config struct {
	Store      *store.Store
	Logger     *slog.Logger
	Now        func() time.Time
	DemoHint   string
	Notify     *notify.Service
	Importer   Importer
	Linker     Linker
	Categorize *categorize.Engine
	Secrets    *secret.Box
	SignupOpen bool
	Gate       *auth.Gate
	TrustProxy bool
	Blobs      blob.Store
	Summary    *summary.Service
}

// New returns a Handler after checking that the embedded templates parse.
func New(c Config) (*Handler, error) {
	if _, err := pages(); err != nil {
		return nil, err
	}
	return &Handler{Store: c.Store, Logger: c.Logger, Now: c.Now, DemoHint: c.DemoHint, Notify: c.Notify, Importer: c.Importer,
		Linker: c.Linker, Categorize: c.Categorize, Secrets: c.Secrets, SignupOpen: c.SignupOpen, Gate: c.Gate, TrustProxy: c.TrustProxy, Blobs: c.Blobs,
		Summary: c.Summary}, nil
}

// dropBlobs deletes objects whose rows are gone. The rows went first, so
// a failure here leaves only unreachable objects behind: it is logged, and
// the form still succeeds.
func (h *Handler) dropBlobs(ctx context.Context, userID string, keys []string) {
	if h.Blobs == nil || len(keys) == 0 {
		return
	}
	ctx = context.WithoutCancel(ctx)
	if err := h.Blobs.Delete(ctx, keys...); err != nil {
		h.logger().ErrorContext(ctx, "delete stored documents", "user_id", userID, "objects", len(keys), "error", err)
	}
}

// dropUserBlobs deletes every object of a user whose rows are gone.
func (h *Handler) dropUserBlobs(ctx context.Context, userID string) {
	if h.Blobs == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	if err := blob.DeleteUser(ctx, h.Blobs, userID); err != nil {
		h.logger().ErrorContext(ctx, "delete stored documents", "user_id", userID, "error", err)
	}
}

func (h *Handler) now() time.Time {
	if h.Now == nil {
		return time.Now()
	}
	return h.Now()
}

func (h *Handler) logger() *slog.Logger {
	if h.Logger == nil {
		return slog.Default()
	}
	return h.Logger
}

// defaultEngine is the embedded dictionary's categorizer, made once for
// handlers configured without one.
var defaultEngine = sync.OnceValue(categorize.New)

func (h *Handler) engine() *categorize.Engine {
	if h.Categorize == nil {
		return defaultEngine()
	}
	return h.Categorize
}

// userHandler is a page for a signed-in user.
type userHandler func(w http.ResponseWriter, r *http.Request, u *tally.User)

// Routes registers the web app on mux. Every route goes through
// http.CrossOriginProtection; pages for signed-in users send visitors to
// the sign-in form and check the session's form token on every POST.
func (h *Handler) Routes(mux *http.ServeMux) {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.errorPage(w, r, nil, http.StatusForbidden, "This form came from another site, so it was refused.")
	}))
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embedded directory exists
	}
	staticHandler := http.StripPrefix("/static/", http.FileServerFS(static))
	open := func(pattern string, fn http.HandlerFunc) { h.handle(mux, pattern, h.viaProxy(cop.Handler(fn))) }
	user := func(pattern string, fn userHandler) { h.handle(mux, pattern, h.viaProxy(cop.Handler(h.signedIn(fn)))) }
	h.twoFactorRoutes(mux, cop)

	open("GET /{$}", h.home)
	open("GET /signin", h.signInForm)
	open("POST /signin", h.signIn)
	open("GET /signup", h.signUpForm)
	open("POST /signup", h.signUp)
	open("POST /signout", h.signOut)

	user("GET /accounts", h.accounts)
	user("POST /accounts/link", h.link)
	user("POST /accounts/{id}", h.updateAccount)
	user("GET /accounts/{id}/delete", h.confirmDeleteAccount)
	user("POST /accounts/{id}/delete", h.deleteAccount)
	user("POST /connections/{id}/refresh", h.refresh)
	user("POST /connections/{id}/credentials", h.updateCredentials)
	user("GET /connections/{id}/remove", h.confirmRemoveConnection)
	user("POST /connections/{id}/remove", h.removeConnection)

	user("GET /transactions", h.transactions)
	user("GET /transactions.csv", h.exportCSV)
	user("GET /transactions/{id}", h.transaction)
	user("POST /transactions/{id}/category", h.recategorize)
	user("POST /transactions/{id}/transfer/unlink", h.unlinkTransfer)

	user("GET /rules", h.rules)
	user("POST /rules", h.createRule)
	user("POST /rules/{id}/delete", h.deleteRule)

	user("GET /budgets", h.budgets)
	user("POST /budgets/{category}", h.setBudget)
	user("POST /budgets/{category}/reset", h.resetBudget)

	user("GET /trends", h.trends)

	user("GET /recurring", h.recurringList)
	user("POST /recurring/{id}/confirm", h.setRecurring(tally.RecurringConfirmed))
	user("POST /recurring/{id}/ignore", h.setRecurring(tally.RecurringIgnored))
	user("GET /investments", h.investments)

	user("GET /alerts", h.alerts)
	user("POST /alerts/read-all", h.readAllAlerts)
	user("POST /alerts/{id}/read", h.readAlert)

	user("GET /settings", h.settings)
	user("POST /settings/profile", h.saveProfile)
	user("POST /settings/webhook", h.saveWebhook)
	user("POST /settings/tokens", h.createToken)
	user("POST /settings/tokens/{id}/revoke", h.revokeToken)
	user("POST /settings/password", h.changePassword)
	user("POST /settings/delete", h.deleteMe)

	user("GET /imports", h.imports)
	user("POST /imports", h.upload)

	h.handle(mux, "GET /static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		staticHandler.ServeHTTP(w, r)
	}))
	// Anything else is the web app's own 404 page, not ServeMux's text.
	open("/", func(w http.ResponseWriter, r *http.Request) {
		u, _ := h.sessionUser(w, r)
		h.errorPage(w, r, u, http.StatusNotFound, "There is no page at this address.")
	})
}

// handle registers a route and remembers its pattern for Patterns.
func (h *Handler) handle(mux *http.ServeMux, pattern string, handler http.Handler) {
	h.patterns = append(h.patterns, pattern)
	mux.Handle(pattern, handler)
}

// Patterns returns the ServeMux patterns Routes registered, so a test can
// try every page and form (a new route without a rule in that test fails
// it).
func (h *Handler) Patterns() []string {
	return append([]string(nil), h.patterns...)
}

// signedIn runs fn for a signed-in user. A visitor is sent to the sign-in
// form, which brings them back here afterwards; a POST without the
// session's form token is refused.
func (h *Handler) signedIn(fn userHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := h.sessionUser(w, r)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		if u == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			h.errorPage(w, r, nil, http.StatusForbidden, "Your session has ended. Sign in again, then repeat what you were doing.")
			return
		}
		if r.Method == http.MethodPost {
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				// Uploads read their own body; the token is a query
				// parameter of the form's action.
				if !h.csrfOK(r, r.URL.Query().Get("csrf")) {
					h.errorPage(w, r, u, http.StatusForbidden, "This form has expired. Reload the page and try again.")
					return
				}
			} else {
				r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
				if err := r.ParseForm(); err != nil {
					var tooBig *http.MaxBytesError
					if errors.As(err, &tooBig) {
						h.errorPage(w, r, u, http.StatusRequestEntityTooLarge, "That form was too large.")
						return
					}
					h.errorPage(w, r, u, http.StatusBadRequest, "That form could not be read.")
					return
				}
				if !h.csrfOK(r, r.PostForm.Get("csrf")) {
					h.errorPage(w, r, u, http.StatusForbidden, "This form has expired. Reload the page and try again.")
					return
				}
			}
		}
		fn(w, r, u)
	})
}

// csrfToken is the form token of a session: a hash of the session token,
// which only the session's browser knows.
func csrfToken(session string) string {
	sum := sha256.Sum256([]byte("tally form token\x00" + session))
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}

// csrfFor is the form token of the request's session.
func csrfFor(r *http.Request) string {
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		return csrfToken(c.Value)
	}
	return ""
}

func (h *Handler) csrfOK(r *http.Request, got string) bool {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" || got == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(csrfToken(c.Value)), []byte(got)) == 1
}

// pageNames lists every page template; each is parsed with layout.html.
var pageNames = []string{"signin", "signup", "error", "dashboard", "accounts", "confirm", "transactions", "transaction",
	"rules", "budgets", "trends", "alerts", "settings", "imports", "totp", "recurring", "investments"}

var funcs = template.FuncMap{
	"plural": func(n int64, one, many string) string {
		if n == 1 {
			return one
		}
		return many
	},
}

// pages parses every page once: each is templates/layout.html plus its own
// file.
var pages = sync.OnceValues(func() (map[string]*template.Template, error) {
	out := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
})

// render writes a page. It renders into a buffer first, so a template error
// is a clean 500 rather than half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := renderPage(&buf, name, data); err != nil {
		h.serverError(w, r, err)
		return
	}
	securityHeaders(w.Header())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

func renderPage(buf *bytes.Buffer, name string, data any) error {
	ps, err := pages()
	if err != nil {
		return err
	}
	t, ok := ps[name]
	if !ok {
		return fmt.Errorf("web: no page %q", name)
	}
	if err := t.ExecuteTemplate(buf, "layout", data); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	return nil
}

func securityHeaders(hd http.Header) {
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Cache-Control", "no-store")
}

// errorPage shows a styled error page inside the layout (with the
// navigation when u is signed in).
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, u *tally.User, status int, message string) {
	page := errorPageData{Status: status, Message: message}
	page.layout = layout{Title: http.StatusText(status)}
	if u != nil {
		page.layout = h.base(r, u, http.StatusText(status), "")
	}
	var buf bytes.Buffer
	if err := renderPage(&buf, "error", page); err != nil {
		h.logger().ErrorContext(r.Context(), "web: render error page", "error", err.Error())
		http.Error(w, message, status)
		return
	}
	securityHeaders(w.Header())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

type errorPageData struct {
	layout
	Status  int
	Message string
}

// serverError logs err whole and shows a generic page.
func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, err error) {
	if err = httpx.Unavailable(err); tally.ErrorCode(err) == tally.EUNAVAILABLE {
		h.logger().WarnContext(r.Context(), "web: database unavailable",
			"request_id", httpx.RequestID(r.Context()), "path", r.URL.Path, "error", err.Error())
		w.Header().Set("Retry-After", strconv.Itoa(int(tally.RetryAfter(err)/time.Second)))
		msg := "Tally is briefly unavailable. Please try again in a few seconds."
		if sqldb.IsFull(err) {
			msg = "Tally's server is out of storage space, so nothing was saved. Please try again later."
		}
		h.errorPage(w, r, nil, http.StatusServiceUnavailable, msg)
		return
	}
	h.logger().ErrorContext(r.Context(), "web: internal error",
		"request_id", httpx.RequestID(r.Context()), "path", r.URL.Path, "error", err.Error())
	h.errorPage(w, r, nil, http.StatusInternalServerError, "Something went wrong on our side. Please try again.")
}

// failed answers an error from a store or service: not found and forbidden
// get their pages, internal errors the 500 page, anything else the message
// on a page of its status.
func (h *Handler) failed(w http.ResponseWriter, r *http.Request, u *tally.User, err error) {
	code := tally.ErrorCode(err)
	if code == tally.EINTERNAL {
		h.serverError(w, r, err)
		return
	}
	if code == tally.ENOTFOUND {
		h.errorPage(w, r, u, http.StatusNotFound, "There is nothing of yours at this address.")
		return
	}
	h.errorPage(w, r, u, httpx.StatusOf(code), tally.ErrorMessage(err))
}

// sessionUser returns the signed-in user, or nil for a visitor. A cookie
// that names no live session is cleared.
func (h *Handler) sessionUser(w http.ResponseWriter, r *http.Request) (*tally.User, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	u, err := h.Store.SessionUser(r.Context(), auth.HashToken(c.Value), SessionIdle, SessionTTL)
	if tally.ErrorCode(err) == tally.ENOTFOUND {
		clearCookie(w, r, SessionCookie)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	httpx.SetRequestUser(r.Context(), u.ID)
	if err := h.Store.TouchUser(r.Context(), u); err != nil {
		h.logger().WarnContext(r.Context(), "touch user", "user_id", u.ID, "error", err)
	}
	return u, nil
}

func setSessionCookie(w http.ResponseWriter, r *http.Request, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name:     SessionCookie,
		Value:    token,
		Path:     "/",
		Expires:  expires,
		MaxAge:   int(SessionTTL / time.Second),
		HttpOnly: true,
		Secure:   secureCookie(r),
		SameSite: http.SameSiteLaxMode,
	})
}

// httpsKey marks a request a trusted proxy received over https.
type httpsKey struct{}

// secureCookie reports whether cookies of r's answer get Secure: the
// client came over TLS, directly or through a trusted proxy (see Routes).
func secureCookie(r *http.Request) bool {
	return r.TLS != nil || r.Context().Value(httpsKey{}) != nil
}

// viaProxy marks requests a trusted proxy says came over https.
func (h *Handler) viaProxy(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if httpx.IsHTTPS(r, h.TrustProxy) && r.TLS == nil {
			r = r.WithContext(context.WithValue(r.Context(), httpsKey{}, true))
		}
		next.ServeHTTP(w, r)
	})
}

func clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: secureCookie(r), SameSite: http.SameSiteLaxMode})
}

// redirect answers a successful POST: a 303 to path, with a message the
// next page shows once.
func redirect(w http.ResponseWriter, r *http.Request, path, flash string) {
	if flash != "" {
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(flash), Path: "/", MaxAge: 60, HttpOnly: true,
			Secure: secureCookie(r), SameSite: http.SameSiteLaxMode})
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// takeFlash returns the message a redirect left and clears it.
func takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil || c.Value == "" {
		return ""
	}
	clearCookie(w, r, flashCookie)
	msg, err := url.QueryUnescape(c.Value)
	if err != nil || len(msg) > 300 {
		return ""
	}
	return msg
}

// layout is what templates/layout.html needs from every page.
type layout struct {
	Title   string
	Email   string // the signed-in user's, "" for a visitor
	Nav     string // the navigation entry of the page
	Unread  int    // unread alerts, shown in the navigation
	CSRF    string // the session's form token
	Flash   string // a message left by the last redirect
	Syncing bool   // refresh the page every 3 s
	Form    form   // a refused form's values and errors
}

// base fills the layout of a signed-in page: one query, the unread count.
func (h *Handler) base(r *http.Request, u *tally.User, title, nav string) layout {
	l := layout{Title: title, Email: u.Email, Nav: nav, CSRF: csrfFor(r)}
	n, err := h.Store.UnreadCount(r.Context(), u.ID)
	if err != nil {
		h.logger().WarnContext(r.Context(), "unread count", "user_id", u.ID, "error", err)
	}
	l.Unread = n
	return l
}

// page is base plus the flash message of the last redirect.
func (h *Handler) page(w http.ResponseWriter, r *http.Request, u *tally.User, title, nav string) layout {
	l := h.base(r, u, title, nav)
	l.Flash = takeFlash(w, r)
	return l
}

// form is a submitted form shown again: what the user typed and what was
// wrong with it, by field name.
type form struct {
	Name   string // which form of the page was submitted
	Values url.Values
	Errors map[string]string
}

// newForm keeps r's posted values, passwords excepted.
func newForm(name string, r *http.Request) form {
	v := url.Values{}
	for k, vs := range r.PostForm {
		if k == "csrf" || strings.Contains(k, "password") {
			continue
		}
		v[k] = vs
	}
	return form{Name: name, Values: v, Errors: map[string]string{}}
}

// Value is what the user typed into a field, or def when the form was not
// submitted.
func (f form) Value(field string) string { return f.Values.Get(field) }

// Or is Value, or def when this form was not the one submitted.
func (f form) Or(name, field, def string) string {
	if f.Name != name {
		return def
	}
	return f.Values.Get(field)
}

// In is the message of a field of the form called name ("" when another
// form of the page was submitted, or the field is fine).
func (f form) In(name, field string) string {
	if f.Name != name {
		return ""
	}
	return f.Errors[field]
}

// Error is the message of a field ("" when it is fine).
func (f form) Error(field string) string { return f.Errors[field] }

// Failed reports whether the form has errors.
func (f form) Failed() bool { return len(f.Errors) > 0 }

// set records an error; the first one of a field wins.
func (f *form) set(field, msg string) {
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	if _, ok := f.Errors[field]; !ok {
		f.Errors[field] = msg
	}
}
