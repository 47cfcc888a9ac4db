package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/ingest"
)

// CredentialUpdater verifies and stores a connection's new credentials.
// The Connector implements it when it can (*ingest.Service does).
type CredentialUpdater interface {
	UpdateCredentials(ctx context.Context, userID, connectionID, login, password string) (*tally.Connection, error)
}

type patchConnectionRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

// PATCH /api/v1/connections/{id}: new credentials after the institution
// refused the old ones. They are verified first; on success the connection
// leaves needs_attention and syncs again.
func (s *Server) patchConnection(w http.ResponseWriter, r *http.Request, u *tally.User) {
	cu, ok := s.Connector.(CredentialUpdater)
	if !ok {
		s.error(w, r, tally.Errorf(tally.EUNAVAILABLE, "updating credentials is not available on this server"))
		return
	}
	var req patchConnectionRequest
	if err := decodeJSON(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	if req.Password == "" {
		s.error(w, r, tally.Errorf(tally.EINVALID, "password is required"))
		return
	}
	if len(req.Login) > 2048 || len(req.Password) > 2048 {
		s.error(w, r, tally.Errorf(tally.EINVALID, "login and password must be at most 2048 characters"))
		return
	}
	c, err := cu.UpdateCredentials(r.Context(), u.ID, r.PathValue("id"), req.Login, req.Password)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newConnectionJSON(c))
}

// simpleFINRequest validates a SimpleFIN connect call.
func simpleFINRequest(setupToken string) (ingest.ConnectRequest, error) {
	setupToken = strings.TrimSpace(setupToken)
	if setupToken == "" {
		return ingest.ConnectRequest{}, tally.Errorf(tally.EINVALID, "setup_token is required for kind simplefin")
	}
	if len(setupToken) > 4096 {
		return ingest.ConnectRequest{}, tally.Errorf(tally.EINVALID, "setup_token is longer than 4096 characters")
	}
	return ingest.ConnectRequest{Kind: tally.ConnectionSimpleFIN, SetupToken: setupToken}, nil
}
