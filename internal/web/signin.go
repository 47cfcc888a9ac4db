package web

import (
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/httpx"
	"github.com/tallyhq/tally/internal/store"
)

// signInPage is the data of the sign-in and sign-up forms.
type signInPage struct {
	layout
	FormEmail  string
	Error      string
	DemoHint   string
	Next       string // where to go after signing in
	SignupOpen bool   // show the link to the sign-up form
	NeedCode   bool   // ask for the two-factor code
}

// safeNext returns next when it is a path on this site, "/" otherwise: a
// sign-in link can never send the user to another site.
func safeNext(next string) string {
	if next == "" || len(next) > 2000 || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n\t\\") {
		return "/"
	}
	return next
}

// signupAllowed reports whether a visitor may sign up now.
func (h *Handler) signupAllowed(r *http.Request) (bool, error) {
	err := auth.SignupAllowed(r.Context(), h.Store, h.SignupOpen)
	if tally.ErrorCode(err) == tally.EFORBIDDEN {
		return false, nil
	}
	return err == nil, err
}

func (h *Handler) signInData(r *http.Request, email, msg, next string) signInPage {
	open, _ := h.signupAllowed(r)
	return signInPage{layout: layout{Title: "Sign in"}, FormEmail: email, Error: msg, DemoHint: h.DemoHint, Next: safeNext(next), SignupOpen: open}
}

// GET /: the dashboard, or the sign-in form for a visitor.
func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	u, err := h.sessionUser(w, r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if u == nil {
		h.render(w, r, http.StatusOK, "signin", h.signInData(r, "", "", "/"))
		return
	}
	h.dashboard(w, r, u)
}

// GET /signin?next=
func (h *Handler) signInForm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if u, err := h.sessionUser(w, r); err == nil && u != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	h.render(w, r, http.StatusOK, "signin", h.signInData(r, "", "", next))
}

// parseOpenForm reads a form posted by a visitor.
func parseOpenForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	return r.ParseForm() == nil
}

// POST /signin
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	if !parseOpenForm(w, r) {
		h.errorPage(w, r, nil, http.StatusBadRequest, "That form could not be read.")
		return
	}
	email, password, next := r.PostForm.Get("email"), r.PostForm.Get("password"), safeNext(r.PostForm.Get("next"))
	u, err := h.gate().SignIn(r.Context(), email, password, r.PostForm.Get("code"), httpx.ClientAddr(r, h.TrustProxy))
	if msg, needCode, status, ok := signInRefused(err, r.PostForm.Get("code") != ""); ok {
		page := h.signInData(r, email, msg, next)
		page.NeedCode = needCode
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
	if err := h.startSession(w, r, u); err != nil {
		h.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// startSession signs u in: a fresh session every time; the one the browser
// had, if any, ends.
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, u *tally.User) error {
	httpx.SetRequestUser(r.Context(), u.ID)
	if old, err := r.Cookie(SessionCookie); err == nil && old.Value != "" {
		if err := h.Store.DeleteToken(r.Context(), auth.HashToken(old.Value)); err != nil {
			return err
		}
	}
	token, err := auth.NewToken()
	if err != nil {
		return err
	}
	expires := h.now().Add(SessionIdle) // slid on use, up to SessionTTL
	if err := h.Store.CreateToken(r.Context(), u.ID, auth.HashToken(token), store.TokenSession, &expires); err != nil {
		return err
	}
	setSessionCookie(w, r, token, h.now().Add(SessionTTL))
	return nil
}

// signUpPage is the sign-up form's data.
type signUpPage struct {
	layout
	Closed bool
}

// GET /signup
func (h *Handler) signUpForm(w http.ResponseWriter, r *http.Request) {
	ok, err := h.signupAllowed(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if !ok {
		h.render(w, r, http.StatusForbidden, "signup", signUpPage{layout: layout{Title: "Sign up"}, Closed: true})
		return
	}
	h.render(w, r, http.StatusOK, "signup", signUpPage{layout: layout{Title: "Sign up"}})
}

// checkEmail validates an email address and returns it normalized.
func checkEmail(email string) (string, string) {
	email = strings.ToLower(strings.TrimSpace(email))
	switch {
	case email == "":
		return "", "Enter your email address."
	case len(email) > 254:
		return "", "An email address is at most 254 characters."
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" || !strings.Contains(email[strings.LastIndexByte(email, '@')+1:], ".") {
		return "", "Enter an email address such as you@example.com."
	}
	return email, ""
}

// POST /signup
func (h *Handler) signUp(w http.ResponseWriter, r *http.Request) {
	if !parseOpenForm(w, r) {
		h.errorPage(w, r, nil, http.StatusBadRequest, "That form could not be read.")
		return
	}
	ok, err := h.signupAllowed(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if !ok {
		h.render(w, r, http.StatusForbidden, "signup", signUpPage{layout: layout{Title: "Sign up"}, Closed: true})
		return
	}
	f := newForm("signup", r)
	email, msg := checkEmail(r.PostForm.Get("email"))
	if msg != "" {
		f.set("email", msg)
	}
	password := r.PostForm.Get("password")
	if err := auth.CheckPassword(password); err != nil {
		f.set("password", capitalize(tally.ErrorMessage(err))+".")
	} else if password != r.PostForm.Get("password_confirm") {
		f.set("password_confirm", "The two passwords differ.")
	}
	var u *tally.User
	if !f.Failed() {
		hash, err := auth.HashPassword(password)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		u, err = auth.CreateSignupUser(r.Context(), h.Store, h.SignupOpen, email, hash)
		if tally.ErrorCode(err) == tally.EFORBIDDEN {
			h.render(w, r, http.StatusForbidden, "signup", signUpPage{layout: layout{Title: "Sign up"}, Closed: true})
			return
		} else if tally.ErrorCode(err) == tally.ECONFLICT {
			f.set("email", "There is already an account with this email. Sign in instead.")
		} else if err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	if f.Failed() {
		h.render(w, r, http.StatusUnprocessableEntity, "signup", signUpPage{layout: layout{Title: "Sign up", Form: f}})
		return
	}
	if err := h.startSession(w, r, u); err != nil {
		h.serverError(w, r, err)
		return
	}
	redirect(w, r, "/", "Welcome to Tally. Link a bank or import a statement to begin.")
}

// POST /signout
func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		if err := h.Store.DeleteToken(r.Context(), auth.HashToken(c.Value)); err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	clearCookie(w, r, SessionCookie)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
