package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/ingest"
)

// connectionJSON is a connection as the API shows it: never its credential.
type connectionJSON struct {
	ID           string  `json:"id"`
	Kind         string  `json:"kind"`
	URL          string  `json:"url"`
	Login        string  `json:"login"`
	Institution  string  `json:"institution"`
	Status       string  `json:"status"`
	StatusReason string  `json:"status_reason"`
	LastSyncedAt *string `json:"last_synced_at"`
	CreatedAt    string  `json:"created_at"`
}

func newConnectionJSON(c *tally.Connection) connectionJSON {
	return connectionJSON{
		ID:           c.ID,
		Kind:         c.Kind,
		URL:          c.URL,
		Login:        c.Login,
		Institution:  c.Institution,
		Status:       c.Status,
		StatusReason: c.StatusReason,
		LastSyncedAt: optTime(c.LastSyncedAt),
		CreatedAt:    timeJSON(c.CreatedAt),
	}
}

// GET /api/v1/connections
func (s *Server) listConnections(w http.ResponseWriter, r *http.Request, u *tally.User) {
	s.cachedJSON(w, r, u, "connections", func(ctx context.Context) (any, error) {
		conns, err := s.Store.Connections(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		out := struct {
			Connections []connectionJSON `json:"connections"`
		}{Connections: make([]connectionJSON, 0, len(conns))}
		for _, c := range conns {
			out.Connections = append(out.Connections, newConnectionJSON(c))
		}
		return out, nil
	})
}

type createConnectionRequest struct {
	Kind       string `json:"kind"`
	URL        string `json:"url"`
	Login      string `json:"login"`
	Password   string `json:"password"`
	SetupToken string `json:"setup_token"` // kind simplefin
}

// POST /api/v1/connections: verify the credentials with the institution and
// link it. The answer is the connection with its accounts.
func (s *Server) createConnection(w http.ResponseWriter, r *http.Request, u *tally.User) {
	var req createConnectionRequest
	if err := decodeJSON(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	switch req.Kind {
	case "":
		req.Kind = tally.ConnectionOFX
	case tally.ConnectionOFX, tally.ConnectionSimpleFIN:
	default:
		s.error(w, r, tally.Errorf(tally.EINVALID, "kind %q: want %q or %q", req.Kind, tally.ConnectionOFX, tally.ConnectionSimpleFIN))
		return
	}
	creq, err := connectRequest(req.Kind, req.URL, req.Login, req.Password, "url", "login", "password")
	if req.Kind == tally.ConnectionSimpleFIN {
		creq, err = simpleFINRequest(req.SetupToken)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	c, accounts, err := s.connect(r, u, creq)
	if err != nil {
		s.error(w, r, err)
		return
	}
	out := struct {
		connectionJSON
		Accounts []accountJSON `json:"accounts"`
	}{connectionJSON: newConnectionJSON(c), Accounts: newAccountsJSON(accounts)}
	writeJSON(w, http.StatusCreated, out)
}

type connectAccountRequest struct {
	UserID          *string `json:"user_id"`
	AccountURL      string  `json:"account_url"`
	AccountLogin    string  `json:"account_login"`
	AccountPassword string  `json:"account_password"`
}

type connectAccountJSON struct {
	UserID    string        `json:"user_id"`
	AccountID string        `json:"account_id"`
	Action    string        `json:"action"`
	Status    string        `json:"status"`
	Accounts  []accountJSON `json:"accounts"`
}

// POST /api/v1/account: the design's original connect call. account_id in
// the answer is the new connection's id.
func (s *Server) connectAccount(w http.ResponseWriter, r *http.Request, u *tally.User) {
	var req connectAccountRequest
	if err := decodeJSON(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	if req.UserID != nil && *req.UserID != u.ID {
		s.error(w, r, tally.Errorf(tally.EFORBIDDEN, "user_id must be the id of the authenticated user"))
		return
	}
	creq, err := connectRequest(tally.ConnectionOFX, req.AccountURL, req.AccountLogin, req.AccountPassword,
		"account_url", "account_login", "account_password")
	if err != nil {
		s.error(w, r, err)
		return
	}
	c, accounts, err := s.connect(r, u, creq)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, connectAccountJSON{
		UserID:    u.ID,
		AccountID: c.ID,
		Action:    "connect",
		Status:    "success",
		Accounts:  newAccountsJSON(accounts),
	})
}

// connectRequest validates the fields of a connect call, naming them as the
// caller's body does.
func connectRequest(kind, url, login, password, urlField, loginField, passwordField string) (ingest.ConnectRequest, error) {
	url, login = strings.TrimSpace(url), strings.TrimSpace(login)
	for _, f := range []struct{ name, value string }{{urlField, url}, {loginField, login}, {passwordField, password}} {
		if f.value == "" {
			return ingest.ConnectRequest{}, tally.Errorf(tally.EINVALID, "%s is required", f.name)
		}
		if len(f.value) > 2048 {
			return ingest.ConnectRequest{}, tally.Errorf(tally.EINVALID, "%s is longer than 2048 characters", f.name)
		}
	}
	return ingest.ConnectRequest{Kind: kind, URL: url, Login: login, Password: password}, nil
}

func (s *Server) connect(r *http.Request, u *tally.User, req ingest.ConnectRequest) (*tally.Connection, []*tally.Account, error) {
	if s.Connector == nil {
		return nil, nil, tally.Errorf(tally.EUNAVAILABLE, "linking institutions is not available on this server")
	}
	return s.Connector.Connect(r.Context(), u.ID, req)
}

// DELETE /api/v1/connections/{id}: the connection's rows, then its raw
// documents and uploads in the object store.
func (s *Server) deleteConnection(w http.ResponseWriter, r *http.Request, u *tally.User) {
	keys, err := s.Store.DeleteConnection(r.Context(), u.ID, r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.dropBlobs(r.Context(), u.ID, keys, false)
	noContent(w)
}

// POST /api/v1/connections/{id}/refresh: at most once per RefreshCooldown;
// sooner is 429 with Retry-After.
func (s *Server) refreshConnection(w http.ResponseWriter, r *http.Request, u *tally.User) {
	wait, err := s.Store.RequestRefresh(r.Context(), u.ID, r.PathValue("id"), RefreshCooldown)
	if err != nil {
		if wait > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
		}
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, struct {
		Status string `json:"status"`
	}{"queued"})
}
