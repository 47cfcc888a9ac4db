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
	TOTPCode string `json:"totp_code"` // POST /tokens, for accounts with two-factor sign-in
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
	if req.TOTPCode != "" {
		s.error(w, r, tally.Errorf(tally.EINVALID, "totp_code: unknown field for registration"))
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
	u, err := s.Store.CreateUser(r.Context(), email, hash)
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
}

// POST /api/v1/tokens
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	var req credentialsRequest
	if err := decodeJSON(r, &req); err != nil {
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
	if err := s.Store.CreateToken(r.Context(), u.ID, auth.HashToken(token), store.TokenAPI, nil); err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, tokenJSON{Token: token})
}
