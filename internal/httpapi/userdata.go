package httpapi

import (
	"bufio"
	"net/http"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/httpx"
)

func (s *Server) routeUserData(mux *http.ServeMux) {
	const v1 = "/api/v1"
	s.handleAuth(mux, "GET "+v1+"/export", s.exportUser)
	s.handleAuth(mux, "DELETE "+v1+"/users/me", s.deleteUser)
}

// GET /api/v1/export: every row of the user's, as one JSON document
// streamed table by table (credentials and hashes left out).
func (s *Server) exportUser(w http.ResponseWriter, r *http.Request, u *tally.User) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="tally-export.json"`)
	h.Set("Cache-Control", "no-store")
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := s.Store.ExportUser(r.Context(), u.ID, bw); err != nil {
		// Once the answer has begun its status cannot change: the
		// document is left unterminated, which no JSON reader accepts.
		s.logger().ErrorContext(r.Context(), "export", "request_id", httpx.RequestID(r.Context()), "user_id", u.ID, "error", err)
		return
	}
	_ = bw.Flush()
}

type deleteUserRequest struct {
	Password string `json:"password"`
	TOTPCode string `json:"totp_code"`
}

// DELETE /api/v1/users/me {"password", "totp_code"?}: once the password
// (and the two-factor code, when on) are confirmed, every row of the
// account goes, then every object of it in the object store.
func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request, u *tally.User) {
	var req deleteUserRequest
	if err := decodeJSON(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	if req.Password == "" {
		s.error(w, r, tally.Errorf(tally.EINVALID, "password is required to delete the account"))
		return
	}
	if _, err := s.gate().SignIn(r.Context(), u.Email, req.Password, req.TOTPCode, httpx.ClientAddr(r, s.TrustProxy)); err != nil {
		s.error(w, r, err)
		return
	}
	if err := s.Store.DeleteUser(r.Context(), u.ID); err != nil {
		s.error(w, r, err)
		return
	}
	s.dropBlobs(r.Context(), u.ID, nil, true)
	noContent(w)
}
