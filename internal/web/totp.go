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
	user := func(pattern string, fn userHandler) { h.handle(mux, pattern, h.viaProxy(cop.Handler(h.signedIn(fn)))) }
	user("GET /settings/two-factor", h.twoFactorPage)
	user("POST /settings/two-factor/enroll", h.twoFactorEnroll)
	user("POST /settings/two-factor/confirm", h.twoFactorConfirm)
	user("POST /settings/two-factor/disable", h.twoFactorDisable)
	user("POST /signout/everywhere", h.signOutEverywhere)
}

func (h *Handler) gate() *auth.Gate {
	if h.Gate != nil {
		return h.Gate
	}
	return &auth.Gate{Store: h.Store}
}

// signInRefused turns a refused sign-in into the message to show again,
// whether to ask for the two-factor code, and the status.
func signInRefused(err error, sentCode bool) (msg string, needCode bool, status int, ok bool) {
	switch {
	case err == nil:
		return "", false, 0, false
	case errors.Is(err, auth.ErrTOTPRequired):
		return "Enter your password again with the code from your authenticator app.", true, http.StatusUnauthorized, true
	case errors.Is(err, auth.ErrBadCode):
		return "That two-factor code is incorrect or was already used.", true, http.StatusUnauthorized, true
	case tally.ErrorCode(err) == tally.EUNAUTHORIZED:
		return "Email or password is incorrect.", sentCode, http.StatusUnauthorized, true
	case tally.ErrorCode(err) == tally.ERATELIMIT:
		return tally.ErrorMessage(err), false, http.StatusTooManyRequests, true
	}
	return "", false, 0, false
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

// GET /settings/two-factor
func (h *Handler) twoFactorPage(w http.ResponseWriter, r *http.Request, u *tally.User) {
	on, err := h.gate().Enabled(r.Context(), u.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "totp", totpPage{layout: h.base(r, u, "Two-factor sign-in", "settings"), Enabled: on})
}

// POST /settings/two-factor/enroll
func (h *Handler) twoFactorEnroll(w http.ResponseWriter, r *http.Request, u *tally.User) {
	e, err := h.gate().Enroll(r.Context(), u)
	page := totpPage{layout: h.base(r, u, "Two-factor sign-in", "settings")}
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
func (h *Handler) twoFactorConfirm(w http.ResponseWriter, r *http.Request, u *tally.User) {
	codes, err := h.gate().Confirm(r.Context(), u, r.PostForm.Get("code"), httpx.ClientAddr(r, h.TrustProxy))
	page := totpPage{layout: h.base(r, u, "Two-factor sign-in", "settings")}
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
func (h *Handler) twoFactorDisable(w http.ResponseWriter, r *http.Request, u *tally.User) {
	err := h.gate().Disable(r.Context(), u, r.PostForm.Get("code"), httpx.ClientAddr(r, h.TrustProxy))
	page := totpPage{layout: h.base(r, u, "Two-factor sign-in", "settings")}
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
func (h *Handler) signOutEverywhere(w http.ResponseWriter, r *http.Request, u *tally.User) {
	if _, err := h.Store.DeleteUserTokens(r.Context(), u.ID); err != nil {
		h.serverError(w, r, err)
		return
	}
	clearCookie(w, r, SessionCookie)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
