package httpapi

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/cache"
	"github.com/tallyhq/tally/internal/store"
)

// tokenCache remembers whose bearer tokens were recently seen, so that a
// GET need not look its token up in the database. An entry holds only
// while the user's cache generation is the one it was stored under: every
// write of the user's, a deleted token included, moves the generation on in
// the store every process shares, so a revoked token is refused at once by
// every process. Entries also expire with their token and after
// tokenCacheTTL.
type tokenCache struct {
	mu      sync.RWMutex
	entries map[string]tokenEntry // by token hash
}

type tokenEntry struct {
	user       tally.User
	generation string
	expires    time.Time // the token's expiry or the entry's, whichever is first
}

const (
	tokenCacheTTL  = time.Minute
	tokenCacheSize = 10_000
)

func (c *tokenCache) get(hash string, now time.Time) (tokenEntry, bool) {
	c.mu.RLock()
	e, ok := c.entries[hash]
	c.mu.RUnlock()
	if !ok || !now.Before(e.expires) {
		return tokenEntry{}, false
	}
	return e, true
}

func (c *tokenCache) put(hash string, e tokenEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]tokenEntry{}
	}
	if len(c.entries) >= tokenCacheSize {
		for k := range c.entries { // evict an arbitrary entry
			delete(c.entries, k)
			break
		}
	}
	c.entries[hash] = e
}

// bearerHash returns the hash of the request's bearer token.
func bearerHash(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", tally.Errorf(tally.EUNAUTHORIZED, "missing Authorization header; send Authorization: Bearer TOKEN")
	}
	scheme, token, ok := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", tally.Errorf(tally.EUNAUTHORIZED, "Authorization header must be Bearer TOKEN")
	}
	return auth.HashToken(token), nil
}

// authenticateRead authenticates a GET and prepares its reads (see
// readPath): the user's cache state is read once and serves to check a
// remembered token, to find cached answers and to choose the database.
func (s *Server) authenticateRead(r *http.Request) (*tally.User, *http.Request, error) {
	hash, err := bearerHash(r)
	if err != nil {
		return nil, r, err
	}
	ctx := r.Context()
	now := s.now()
	var st cache.State
	var stFor string
	if e, ok := s.tokens.get(hash, now); ok {
		st, stFor = s.Cache.State(ctx, e.user.ID), e.user.ID
		if st.Known() && st.Generation == e.generation {
			u := e.user
			return &u, s.readPath(r, &u, st), nil
		}
	}
	u, exp, err := s.Store.TokenUser(ctx, hash, store.TokenAPI)
	if tally.ErrorCode(err) == tally.ENOTFOUND {
		return nil, r, tally.Errorf(tally.EUNAUTHORIZED, "token is invalid or expired")
	}
	if err != nil {
		return nil, r, err
	}
	if stFor != u.ID {
		// Read before the token was looked up: a revocation that commits
		// after the lookup moves the generation past this one.
		st = s.Cache.State(ctx, u.ID)
	}
	if st.Known() {
		e := tokenEntry{user: *u, generation: st.Generation, expires: now.Add(tokenCacheTTL)}
		if exp != nil && exp.Before(e.expires) {
			e.expires = *exp
		}
		s.tokens.put(hash, e)
	}
	return u, s.readPath(r, u, st), nil
}
