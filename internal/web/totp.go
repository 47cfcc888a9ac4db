package web

import (
	"errors"
	"html/template"
	"net/http"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/httpx"
)

// Two-factor sign-in pages and sign-out everywhere.
func (h *Handler) twoFactorRoutes(mux *http.ServeMux, cop *http.CrossOriginProtection) {
	mux.Handle("GET /settings/two-factor", cop.Handler(http.HandlerFunc(h.twoFactorPage)))
	mux.Handle("POST /settings/two-factor/enroll", cop.Handler(http.HandlerFunc(h.twoFactorEnroll)))
	mux.Handle("POST /settings/two-factor/confirm", cop.Handler(http.HandlerFunc(h.twoFactorConfirm)))
	mux.Handle("POST /settings/two-factor/disable", cop.Handler(http.HandlerFunc(h.twoFactorDisable)))
	mux.Handle("POST /signout/everywhere", cop.Handler(http.HandlerFunc(h.signOutEverywhere)))
}

func (h *Handler) gate() *auth.Gate {
	if h.Gate != nil {
		return h.Gate
	}
	return &auth.Gate{Store: h.Store}
}

// signInRefused turns a refused sign-in into the page to show again.
func signInRefused(err error, email string, sentCode bool) (signInPage, int, bool) {
	page := signInPage{layout: layout{Title: "Sign in"}, FormEmail: email}
	switch {
	case err == nil:
		return page, 0, false
	case errors.Is(err, auth.ErrTOTPRequired):
		page.NeedCode, page.Error = true, "Enter your password again with the code from your authenticator app."
		return page, http.StatusUnauthorized, true
	case errors.Is(err, auth.ErrBadCode):
		page.NeedCode, page.Error = true, "That two-factor code is incorrect or was already used."
		return page, http.StatusUnauthorized, true
	case tally.ErrorCode(err) == tally.EUNAUTHORIZED:
		page.NeedCode = sentCode
		page.Error = "Email or password is incorrect."
		return page, http.StatusUnauthorized, true
	case tally.ErrorCode(err) == tally.ERATELIMIT:
		page.Error = tally.ErrorMessage(err)
		return page, http.StatusTooManyRequests, true
	}
	return page, 0, false
}

// totpPage is the two-factor settings page's data.
type totpPage struct {
	layout
	Enabled       bool
	Enrolling     bool
	Secret        string
	QR            template.HTML // server-drawn SVG
	RecoveryCodes []string
	Error         string
}

// signedIn returns the session's user, or redirects a visitor to sign in.
func (h *Handler) signedIn(w http.ResponseWriter, r *http.Request) *tally.User {
	u, err := h.sessionUser(w, r)
	if err != nil {
		h.serverError(w, r, err)
		return nil
	}
	if u == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	return u
}

func (h *Handler) parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "Malformed form.", http.StatusBadRequest)
		return false
	}
	return true
}

// GET /settings/two-factor
func (h *Handler) twoFactorPage(w http.ResponseWriter, r *http.Request) {
	u := h.signedIn(w, r)
	if u == nil {
		return
	}
	on, err := h.gate().Enabled(r.Context(), u.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "totp", totpPage{layout: layout{Title: "Two-factor sign-in", Email: u.Email}, Enabled: on})
}

// POST /settings/two-factor/enroll
func (h *Handler) twoFactorEnroll(w http.ResponseWriter, r *http.Request) {
	u := h.signedIn(w, r)
	if u == nil || !h.parseForm(w, r) {
		return
	}
	e, err := h.gate().Enroll(r.Context(), u)
	page := totpPage{layout: layout{Title: "Two-factor sign-in", Email: u.Email}}
	if tally.ErrorCode(err) == tally.ECONFLICT || tally.ErrorCode(err) == tally.EUNAVAILABLE {
		page.Enabled, page.Error = tally.ErrorCode(err) == tally.ECONFLICT, tally.ErrorMessage(err)
		h.render(w, r, http.StatusConflict, "totp", page)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	page.Enrolling, page.Secret, page.QR = true, e.Secret, template.HTML(e.QRSVG) // drawn by auth.QRSVG, no user text
	h.render(w, r, http.StatusOK, "totp", page)
}

// POST /settings/two-factor/confirm
func (h *Handler) twoFactorConfirm(w http.ResponseWriter, r *http.Request) {
	u := h.signedIn(w, r)
	if u == nil || !h.parseForm(w, r) {
		return
	}
	codes, err := h.gate().Confirm(r.Context(), u, r.PostForm.Get("code"), httpx.ClientAddr(r, h.TrustProxy))
	page := totpPage{layout: layout{Title: "Two-factor sign-in", Email: u.Email}}
	if code := tally.ErrorCode(err); code != "" && code != tally.EINTERNAL {
		page.Error = tally.ErrorMessage(err)
		h.render(w, r, httpx.StatusOf(code), "totp", page)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	page.Enabled, page.RecoveryCodes = true, codes
	h.render(w, r, http.StatusOK, "totp", page)
}

// POST /settings/two-factor/disable
func (h *Handler) twoFactorDisable(w http.ResponseWriter, r *http.Request) {
	u := h.signedIn(w, r)
	if u == nil || !h.parseForm(w, r) {
		return
	}
	err := h.gate().Disable(r.Context(), u, r.PostForm.Get("code"), httpx.ClientAddr(r, h.TrustProxy))
	page := totpPage{layout: layout{Title: "Two-factor sign-in", Email: u.Email}}
	if code := tally.ErrorCode(err); code != "" && code != tally.EINTERNAL {
		page.Enabled, page.Error = true, tally.ErrorMessage(err)
		h.render(w, r, httpx.StatusOf(code), "totp", page)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/settings/two-factor", http.StatusSeeOther)
}

// POST /signout/everywhere ends every session and API token of the user.
func (h *Handler) signOutEverywhere(w http.ResponseWriter, r *http.Request) {
	u := h.signedIn(w, r)
	if u == nil {
		return
	}
	if _, err := h.Store.DeleteUserTokens(r.Context(), u.ID); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.clearSessionCookie(w, r)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
