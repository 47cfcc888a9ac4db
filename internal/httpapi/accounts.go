package httpapi

import (
	"context"
	"net/http"

	"github.com/tallyhq/tally"
)

// accountJSON is an account as the API shows it; the balance is a decimal
// string in the account's currency. Why an account needs attention is its
// connection's status_reason.
type accountJSON struct {
	ID           string  `json:"id"`
	ConnectionID string  `json:"connection_id"`
	Name         string  `json:"name"`
	Type         string  `json:"type"`
	Mask         string  `json:"mask"`
	Currency     string  `json:"currency"`
	Balance      string  `json:"balance"`
	Status       string  `json:"status"`
	LastSyncedAt *string `json:"last_synced_at"`
	Hidden       bool    `json:"hidden"`
}

func newAccountJSON(a *tally.Account) accountJSON {
	return accountJSON{
		ID:           a.ID,
		ConnectionID: a.ConnectionID,
		Name:         a.Name,
		Type:         a.Type,
		Mask:         a.Mask,
		Currency:     a.Currency,
		Balance:      tally.FormatAmount(a.Balance, a.Currency),
		Status:       a.Status,
		LastSyncedAt: optTime(a.LastSyncedAt),
		Hidden:       a.Hidden,
	}
}

func newAccountsJSON(accounts []*tally.Account) []accountJSON {
	out := make([]accountJSON, 0, len(accounts))
	for _, a := range accounts {
		out = append(out, newAccountJSON(a))
	}
	return out
}

// GET /api/v1/accounts
func (s *Server) listAccounts(w http.ResponseWriter, r *http.Request, u *tally.User) {
	s.cachedJSON(w, r, u, "accounts", func(ctx context.Context) (any, error) {
		accounts, err := s.Store.Accounts(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		return struct {
			Accounts []accountJSON `json:"accounts"`
		}{newAccountsJSON(accounts)}, nil
	})
}

// GET /api/v1/accounts/{id}
func (s *Server) getAccount(w http.ResponseWriter, r *http.Request, u *tally.User) {
	id := r.PathValue("id")
	s.cachedJSON(w, r, u, "account:"+id, func(ctx context.Context) (any, error) {
		a, err := s.Store.Account(ctx, u.ID, id)
		if err != nil {
			return nil, err
		}
		return newAccountJSON(a), nil
	})
}

// PATCH /api/v1/accounts/{id} {"name"?, "hidden"?}: rename or hide an
// account.
func (s *Server) patchAccount(w http.ResponseWriter, r *http.Request, u *tally.User) {
	var req struct {
		Name   *string `json:"name"`
		Hidden *bool   `json:"hidden"`
	}
	if err := decodeJSON(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	if req.Name != nil {
		name, err := tally.CheckAccountName(*req.Name)
		if err != nil {
			s.error(w, r, err)
			return
		}
		req.Name = &name
	}
	a, err := s.Store.UpdateAccount(r.Context(), u.ID, r.PathValue("id"), req.Name, req.Hidden)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newAccountJSON(a))
}

// DELETE /api/v1/accounts/{id}: delete an account made by file imports,
// with its transactions and their share of the monthly totals. A linked
// institution's account answers 409: remove its connection instead.
func (s *Server) deleteAccount(w http.ResponseWriter, r *http.Request, u *tally.User) {
	keys, err := s.Store.DeleteFileAccount(r.Context(), u.ID, r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.dropBlobs(r.Context(), u.ID, keys, false)
	noContent(w)
}
