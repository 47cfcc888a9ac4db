// Package web serves Tally's server-rendered web app at /: the sign-in form,
// cookie sessions backed by store tokens, and the dashboard (accounts,
// this month's spending by category, recent transactions). Pages are
// html/template files embedded with go:embed and parsed once; state-changing
// requests are guarded by http.CrossOriginProtection.
package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/httpx"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// SessionCookie is the name of the session cookie.
const SessionCookie = "tally_session"

// SessionTTL is how long a web session lasts at most, however much it is
// used; SessionIdle ends it sooner when it goes unused.
const (
	SessionTTL  = 30 * 24 * time.Hour
	SessionIdle = 7 * 24 * time.Hour
)

// maxFormBody caps a form post.
const maxFormBody = 64 << 10

// Handler serves the web app. Set the fields (or use New), then call Routes.
type Handler struct {
	Store    *store.Store
	Logger   *slog.Logger
	Now      func() time.Time // time.Now when nil
	DemoHint string           // shown on the sign-in page when set, e.g. the demo credentials
	Notify   *notify.Service  // budget plans; one over Store when nil
	Importer Importer         // statement uploads at /imports; nil refuses them
	// Gate signs users in with attempt limits and two-factor codes; one
	// over Store without two-factor enrolment when nil.
	Gate *auth.Gate
	// TrustProxy: a reverse proxy in front sets X-Forwarded-For and
	// X-Forwarded-Proto (the session cookie is Secure behind https).
	TrustProxy bool
}

// Config configures New.
type Config struct {
	Store      *store.Store
	Logger     *slog.Logger
	Now        func() time.Time
	DemoHint   string
	Notify     *notify.Service
	Importer   Importer
	Gate       *auth.Gate
	TrustProxy bool
}

// New returns a Handler after checking that the embedded templates parse.
func New(c Config) (*Handler, error) {
	if _, err := pages(); err != nil {
		return nil, err
	}
	return &Handler{Store: c.Store, Logger: c.Logger, Now: c.Now, DemoHint: c.DemoHint, Notify: c.Notify, Importer: c.Importer,
		Gate: c.Gate, TrustProxy: c.TrustProxy}, nil
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

// Routes registers the web app on mux: GET / (the dashboard, or the sign-in
// form for a visitor), POST /signin, POST /signout and /static/. Every route
// goes through http.CrossOriginProtection, which refuses cross-origin
// POSTs.
func (h *Handler) Routes(mux *http.ServeMux) {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Cross-origin request refused.", http.StatusForbidden)
	}))
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embedded directory exists
	}
	staticHandler := http.StripPrefix("/static/", http.FileServerFS(static))

	mux.Handle("GET /{$}", cop.Handler(http.HandlerFunc(h.home)))
	mux.Handle("POST /signin", cop.Handler(http.HandlerFunc(h.signIn)))
	mux.Handle("POST /signout", cop.Handler(http.HandlerFunc(h.signOut)))
	h.importRoutes(mux, cop)
	h.twoFactorRoutes(mux, cop)
	mux.Handle("GET /static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		staticHandler.ServeHTTP(w, r)
	}))
}

// pages parses every page once: each is templates/layout.html plus its own
// file.
var pages = sync.OnceValues(func() (map[string]*template.Template, error) {
	out := map[string]*template.Template{}
	for _, name := range []string{"signin", "dashboard", "imports", "totp"} {
		t, err := template.New(name).Funcs(template.FuncMap{}).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
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
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Cache-Control", "no-store")
}

// serverError logs err whole and shows a generic page.
func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, err error) {
	if err = httpx.Unavailable(err); tally.ErrorCode(err) == tally.EUNAVAILABLE {
		h.logger().WarnContext(r.Context(), "web: database unavailable",
			"request_id", httpx.RequestID(r.Context()), "path", r.URL.Path, "error", err.Error())
		securityHeaders(w.Header())
		w.Header().Set("Retry-After", strconv.Itoa(int(httpx.DatabaseRetryAfter/time.Second)))
		http.Error(w, "Tally is briefly unavailable. Please try again in a few seconds.", http.StatusServiceUnavailable)
		return
	}
	h.logger().ErrorContext(r.Context(), "web: internal error",
		"request_id", httpx.RequestID(r.Context()), "path", r.URL.Path, "error", err.Error())
	securityHeaders(w.Header())
	http.Error(w, "Something went wrong on our side. Please try again.", http.StatusInternalServerError)
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
		h.clearSessionCookie(w, r)
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

func (h *Handler) setSessionCookie(w http.ResponseWriter, r *http.Request, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name:     SessionCookie,
		Value:    token,
		Path:     "/",
		Expires:  expires,
		MaxAge:   int(SessionTTL / time.Second),
		HttpOnly: true,
		Secure:   httpx.IsHTTPS(r, h.TrustProxy),
		SameSite: http.SameSiteLaxMode,
	})
}

func (h *Handler) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name:     SessionCookie,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   httpx.IsHTTPS(r, h.TrustProxy),
		SameSite: http.SameSiteLaxMode,
	})
}

// layout is what templates/layout.html needs from every page.
type layout struct {
	Title   string
	Email   string // the signed-in user's, "" for a visitor
	Syncing bool   // refresh the page every 3 s
}

// signInPage is the sign-in form's data.
type signInPage struct {
	layout
	FormEmail string
	Error     string
	DemoHint  string
	NeedCode  bool // ask for the two-factor code
}

// GET /
func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	u, err := h.sessionUser(w, r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if u == nil {
		h.render(w, r, http.StatusOK, "signin", signInPage{layout: layout{Title: "Sign in"}, DemoHint: h.DemoHint})
		return
	}
	page, err := h.dashboard(r, u)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "dashboard", page)
}

// POST /signin
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "Form too large.", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "Malformed form.", http.StatusBadRequest)
		return
	}
	email, password := r.PostForm.Get("email"), r.PostForm.Get("password")
	u, err := h.gate().SignIn(r.Context(), email, password, r.PostForm.Get("code"), httpx.ClientAddr(r, h.TrustProxy))
	if page, status, ok := signInRefused(err, email, r.PostForm.Get("code") != ""); ok {
		page.DemoHint = h.DemoHint
		if d := tally.RetryAfter(err); d > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
		}
		h.render(w, r, status, "signin", page)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	httpx.SetRequestUser(r.Context(), u.ID)
	// A fresh session every sign-in; the one the browser had, if any, ends.
	if old, err := r.Cookie(SessionCookie); err == nil && old.Value != "" {
		if err := h.Store.DeleteToken(r.Context(), auth.HashToken(old.Value)); err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	token, err := auth.NewToken()
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	expires := h.now().Add(SessionIdle) // slid on use, up to SessionTTL
	if err := h.Store.CreateToken(r.Context(), u.ID, auth.HashToken(token), store.TokenSession, &expires); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.setSessionCookie(w, r, token, h.now().Add(SessionTTL))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// POST /signout
func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		if err := h.Store.DeleteToken(r.Context(), auth.HashToken(c.Value)); err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	h.clearSessionCookie(w, r)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
