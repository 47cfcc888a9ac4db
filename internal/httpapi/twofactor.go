package httpapi

import (
	"net/http"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/httpx"
)

func (s *Server) routeTwoFactor(mux *http.ServeMux) {
	const v1 = "/api/v1"
	s.handleAuth(mux, "GET "+v1+"/totp", s.getTOTP)
	s.handleAuth(mux, "POST "+v1+"/totp", s.enrollTOTP)
	s.handleAuth(mux, "POST "+v1+"/totp/confirm", s.confirmTOTP)
	s.handleAuth(mux, "DELETE "+v1+"/totp", s.disableTOTP)
	s.handleAuth(mux, "DELETE "+v1+"/sessions", s.signOutEverywhere)
}

type totpCodeRequest struct {
	Code string `json:"code"`
}

// GET /api/v1/totp: whether two-factor sign-in is on.
func (s *Server) getTOTP(w http.ResponseWriter, r *http.Request, u *tally.User) {
	on, err := s.gate().Enabled(r.Context(), u.ID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"enabled": on})
}

// POST /api/v1/totp: start enrolment. The answer carries the secret, its
// otpauth:// URL and a QR code of it as SVG; sign-in does not ask for codes
// until POST /totp/confirm gets one.
func (s *Server) enrollTOTP(w http.ResponseWriter, r *http.Request, u *tally.User) {
	e, err := s.gate().Enroll(r.Context(), u)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, struct {
		Secret     string `json:"secret"`
		OTPAuthURL string `json:"otpauth_url"`
		QRSVG      string `json:"qr_svg"`
	}{e.Secret, e.URL, e.QRSVG})
}

// POST /api/v1/totp/confirm {"code"}: turn two-factor sign-in on; the
// answer's recovery codes are shown this once.
func (s *Server) confirmTOTP(w http.ResponseWriter, r *http.Request, u *tally.User) {
	var req totpCodeRequest
	if err := decodeJSON(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	codes, err := s.gate().Confirm(r.Context(), u, req.Code, httpx.ClientAddr(r, s.TrustProxy))
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"enabled": true, "recovery_codes": codes})
}

// DELETE /api/v1/totp {"code"}: turn two-factor sign-in off with a current
// code or a recovery code.
func (s *Server) disableTOTP(w http.ResponseWriter, r *http.Request, u *tally.User) {
	var req totpCodeRequest
	if err := decodeJSON(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	if err := s.gate().Disable(r.Context(), u, req.Code, httpx.ClientAddr(r, s.TrustProxy)); err != nil {
		s.error(w, r, err)
		return
	}
	noContent(w)
}

// DELETE /api/v1/sessions: sign out everywhere. Every web session and API
// token of the user ends, the one making the request included.
func (s *Server) signOutEverywhere(w http.ResponseWriter, r *http.Request, u *tally.User) {
	if _, err := s.Store.DeleteUserTokens(r.Context(), u.ID); err != nil {
		s.error(w, r, err)
		return
	}
	noContent(w)
}
