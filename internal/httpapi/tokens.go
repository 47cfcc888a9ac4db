package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/store"
)

type apiTokenJSON struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	CreatedAt  string  `json:"created_at"`
	ExpiresAt  *string `json:"expires_at"`
	LastUsedAt *string `json:"last_used_at"`
}

func newAPITokenJSON(t *store.Token) apiTokenJSON {
	return apiTokenJSON{ID: t.ID, Name: t.Name, CreatedAt: timeJSON(t.CreatedAt), ExpiresAt: optTime(t.ExpiresAt), LastUsedAt: optTime(t.LastUsedAt)}
}

// GET /api/v1/tokens: the caller's API tokens, never the tokens themselves.
func (s *Server) listTokens(w http.ResponseWriter, r *http.Request, u *tally.User) {
	// Creating, revoking and recording the use of a token (at most once a
	// minute) move the owner's cache generation.
	s.cachedJSON(w, r, u, "tokens", func(ctx context.Context) (any, error) {
		ts, err := s.Store.APITokens(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		out := struct {
			Tokens []apiTokenJSON `json:"tokens"`
		}{Tokens: make([]apiTokenJSON, 0, len(ts))}
		for _, t := range ts {
			out.Tokens = append(out.Tokens, newAPITokenJSON(t))
		}
		return out, nil
	})
}

// DELETE /api/v1/tokens/{id}: revoke one of the caller's API tokens.
func (s *Server) deleteToken(w http.ResponseWriter, r *http.Request, u *tally.User) {
	if err := s.Store.DeleteAPIToken(r.Context(), u.ID, r.PathValue("id")); err != nil {
		s.error(w, r, err)
		return
	}
	noContent(w)
}

// parseExpiry reads an optional expires_at (RFC 3339), which must be in the
// future.
func parseExpiry(v *string, now time.Time) (*time.Time, error) {
	if v == nil || *v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, *v)
	if err != nil {
		return nil, tally.Errorf(tally.EINVALID, "expires_at %q: want an RFC 3339 time such as 2027-01-31T00:00:00Z", *v)
	}
	if !t.After(now) {
		return nil, tally.Errorf(tally.EINVALID, "expires_at %s is in the past", *v)
	}
	return &t, nil
}
