package httpapi

import (
	"context"
	"errors"
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

// cachedRoutes answer from the cache alone (through cachedJSON) after
// checking their parameters, reading nothing else first; a GET to one of
// them with a remembered token is authenticated in the same cache round
// trip that finds its answer (see authenticateCached).
var cachedRoutes = map[string]bool{
	"GET /api/v1/summary":           true,
	"GET /api/v1/spending":          true,
	"GET /api/v1/budgets":           true,
	"GET /api/v1/trends":            true,
	"GET /api/v1/accounts":          true,
	"GET /api/v1/transactions":      true,
	"GET /api/v1/rules":             true,
	"GET /api/v1/profile":           true,
	"GET /api/v1/notifications":     true,
	"GET /api/v1/connections":       true,
	"GET /api/v1/accounts/{id}":     true,
	"GET /api/v1/transactions/{id}": true,
	"GET /api/v1/networth":          true,
	"GET /api/v1/recurring":         true,
	"GET /api/v1/holdings":          true,
	"GET /api/v1/tokens":            true,
	"GET /api/v1/imports/{id}":      true,
}

// errReauthenticate stops a request authenticated by a remembered token
// whose user has written since: it is served again from the start with the
// token looked up (see authenticateCached).
var errReauthenticate = errors.New("httpapi: the user wrote since the token was remembered")

// deferredAuth is a remembered token not yet checked against its user's
// cache generation. The check happens when the handler first reads the
// cache, with the same round trip, or before it answers an error.
type deferredAuth struct {
	s          *Server
	userID     string
	generation string // the user's when the token was remembered
	checked    bool
	retry      bool // the generation moved: serve the request again
}

// check is a cache.Check: the remembered token holds while the user's
// generation is the one it was remembered under, as a revocation moves it
// on. On a miss the answer is read from a replica that has replayed the
// user's last write, or from the primary.
func (d *deferredAuth) check(ctx context.Context, st cache.State) (context.Context, error) {
	d.checked = true
	if !st.Known() || st.Generation != d.generation {
		d.retry = true
		return ctx, errReauthenticate
	}
	return d.s.readFrom(ctx, st), nil
}

type deferredKey struct{}

// settleDeferred checks a request's remembered token before an answer that
// did not come from the cache (an error); it reports false when the request
// must be served again instead.
func (s *Server) settleDeferred(r *http.Request) bool {
	d, ok := r.Context().Value(deferredKey{}).(*deferredAuth)
	if !ok {
		return true
	}
	if !d.checked {
		_, _ = d.check(r.Context(), s.Cache.State(r.Context(), d.userID))
	}
	return !d.retry
}

// authenticateCached authenticates a GET to one of cachedRoutes by a token
// this process remembers, without a round trip: the token's check waits
// for the handler's cache read, which reads the user's generation with the
// answer. It returns nil when the token is not remembered.
func (s *Server) authenticateCached(r *http.Request) (*tally.User, *http.Request, *deferredAuth) {
	hash, err := bearerHash(r)
	if err != nil {
		return nil, r, nil
	}
	e, ok := s.tokens.get(hash, s.now())
	if !ok {
		return nil, r, nil
	}
	u := e.user
	d := &deferredAuth{s: s, userID: u.ID, generation: e.generation}
	ctx := cache.WithCheck(r.Context(), u.ID, d.check)
	ctx = context.WithValue(ctx, deferredKey{}, d)
	return &u, r.WithContext(ctx), d
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
	remember := true
	if stFor != u.ID {
		// This state is read after the token was looked up, so a
		// revocation that committed in between is already counted in its
		// generation: the token is remembered under it only if a second
		// lookup still finds it. (A state read before the lookup, above,
		// needs no second look: a later revocation moves the generation
		// past it.)
		st = s.Cache.State(ctx, u.ID)
		if st.Known() {
			again, _, err := s.Store.TokenUser(ctx, hash, store.TokenAPI)
			remember = err == nil && again.ID == u.ID
		}
	}
	if st.Known() && remember {
		e := tokenEntry{user: *u, generation: st.Generation, expires: now.Add(tokenCacheTTL)}
		if exp != nil && exp.Before(e.expires) {
			e.expires = *exp
		}
		s.tokens.put(hash, e)
	}
	return u, s.readPath(r, u, st), nil
}
