package httpapi

import (
	"net/http"
	"net/mail"
	"strings"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/httpx"
	"github.com/tallyhq/tally/internal/store"
)

type credentialsRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type tokenRequest struct {
	Email     string  `json:"email"`
	Password  string  `json:"password"`
	Name      string  `json:"name"`
	ExpiresAt *string `json:"expires_at"`
	TOTPCode  string  `json:"totp_code"` // for accounts with two-factor sign-in
}

type userJSON struct {
	ID    string `json:"id"`
	Email string `json:"email"`
}

// POST /api/v1/users. The answer does not tell whether the email already
// had an account: a taken email gets the same 201 and shape (with an id
// that names nothing) after the same hashing work, and nothing changes.
func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	var req credentialsRequest
	if err := decodeJSON(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	if err := auth.SignupAllowed(r.Context(), s.Store, s.SignupOpen); err != nil {
		s.error(w, r, err)
		return
	}
	email, err := checkEmail(req.Email)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if err := auth.CheckPassword(req.Password); err != nil {
		s.error(w, r, err)
		return
	}
	hash, err := auth.HashPassword(req.Password)
	if err != nil {
		s.error(w, r, err)
		return
	}
	u, err := auth.CreateSignupUser(r.Context(), s.Store, s.SignupOpen, email, hash)
	if tally.ErrorCode(err) == tally.ECONFLICT {
		writeJSON(w, http.StatusCreated, userJSON{ID: tally.NewID(), Email: email})
		return
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	httpx.SetRequestUser(r.Context(), u.ID)
	writeJSON(w, http.StatusCreated, userJSON{ID: u.ID, Email: u.Email})
}

// checkEmail validates an email address for sign-up and returns it
// normalized (trimmed, lowercase). Its error is EINVALID.
func checkEmail(email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return "", tally.Errorf(tally.EINVALID, "email is required")
	}
	if len(email) > 254 {
		return "", tally.Errorf(tally.EINVALID, "email is longer than 254 characters")
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" || !strings.Contains(email[strings.LastIndexByte(email, '@')+1:], ".") {
		return "", tally.Errorf(tally.EINVALID, "email %q is not a valid address", email)
	}
	return email, nil
}

type tokenJSON struct {
	Token string `json:"token"`
	apiTokenJSON
}

// POST /api/v1/tokens
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	var req tokenRequest
	if err := decodeJSON(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	name, err := tally.CheckTokenName(req.Name)
	if err != nil {
		s.error(w, r, err)
		return
	}
	expires, err := parseExpiry(req.ExpiresAt, s.now())
	if err != nil {
		s.error(w, r, err)
		return
	}
	u, err := s.gate().SignIn(r.Context(), req.Email, req.Password, req.TOTPCode, httpx.ClientAddr(r, s.TrustProxy))
	if err != nil {
		s.error(w, r, err)
		return
	}
	httpx.SetRequestUser(r.Context(), u.ID)
	token, err := auth.NewToken()
	if err != nil {
		s.error(w, r, err)
		return
	}
	t, err := s.Store.CreateNamedToken(r.Context(), u.ID, auth.HashToken(token), store.TokenAPI, name, expires)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, tokenJSON{Token: token, apiTokenJSON: newAPITokenJSON(t)})
}
