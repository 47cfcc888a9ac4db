// Package httpapi serves Tally's REST API v1 under /api/v1: JSON handlers,
// one file per resource, bearer-token authentication, the mapping from
// tally error codes to HTTP status, and the middleware every request passes
// through (request ids, access logs, metrics, panic recovery).
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/blob"
	"github.com/tallyhq/tally/internal/cache"
	"github.com/tallyhq/tally/internal/categorize"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/outbound"
	"github.com/tallyhq/tally/internal/secret"
	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/summary"
)

// Connector links a user to an institution: it verifies the credentials with
// the institution and stores the connection, its accounts and a first sync
// job. *ingest.Service implements it. Refused credentials are EUNPROCESSABLE,
// an unreachable institution EUPSTREAM, a bad URL EINVALID; nothing is
// stored on error.
type Connector interface {
	Connect(ctx context.Context, userID string, req ingest.ConnectRequest) (*tally.Connection, []*tally.Account, error)
}

// MaxJSONBody caps a JSON request body.
const MaxJSONBody = 1 << 20

// Server holds the dependencies of the API handlers. Set the fields, then
// call Routes.
type Server struct {
	Store     *store.Store
	Connector Connector
	Importer  Importer // statement file uploads; nil answers 503
	Logger    *slog.Logger
	// Categorize names sellers for rules and crowd votes; the embedded
	// dictionary's engine when nil.
	Categorize *categorize.Engine
	Now        func() time.Time // time.Now when nil
	Notify     *notify.Service  // budget plans; one over Store when nil
	Secrets    *secret.Box      // seals webhook secrets; webhooks are refused when nil
	// Blobs is the object store of raw documents and uploads: deleting a
	// connection, an account or a user deletes their objects from it
	// after the rows. nil only where nothing is ever stored (tests).
	Blobs blob.Store

	MaxImportBytes int64 // an uploaded file's limit; DefaultMaxImportBytes when 0

	// Outbound checks the addresses users give for Tally to call (webhook
	// URLs) when they are saved; public addresses only when nil.
	Outbound *outbound.Guard

	// Gate signs users in with attempt limits and two-factor codes; one
	// over Store and Secrets when nil.
	Gate     *auth.Gate
	patterns []string // registered by Routes, for tests that walk every route

	// TrustProxy takes the client address from X-Forwarded-For and the
	// scheme from X-Forwarded-Proto, as set by a reverse proxy in front.
	TrustProxy bool

	// SignupOpen lets anyone create a user through POST /users; when false
	// only the instance's first user may.
	SignupOpen bool
	// Cache holds summaries, spending, budgets and trends per user; nil
	// reads the database every time.
	Cache *cache.Cache
	// Summary builds GET /api/v1/summary; one over Store, Notify and Cache
	// when nil.
	Summary *summary.Service

	tokens   tokenCache // bearer tokens recently seen, checked against Cache
	variants variants   // tags and gzip copies of cached answers
}

func (s *Server) gate() *auth.Gate {
	if s.Gate != nil {
		return s.Gate
	}
	g := &auth.Gate{Store: s.Store}
	if s.Secrets != nil {
		g.Box = s.Secrets
	}
	return g
}

func (s *Server) guard() *outbound.Guard {
	if s.Outbound == nil {
		return new(outbound.Guard)
	}
	return s.Outbound
}

// dropBlobs deletes objects whose rows are gone. The rows went first, so
// a failure here leaves only unreachable objects behind: it is logged, and
// the request still succeeds.
func (s *Server) dropBlobs(ctx context.Context, userID string, keys []string, all bool) {
	if s.Blobs == nil || (len(keys) == 0 && !all) {
		return
	}
	ctx = context.WithoutCancel(ctx)
	err := s.Blobs.Delete(ctx, keys...)
	if err == nil && all {
		err = blob.DeleteUser(ctx, s.Blobs, userID)
	}
	if err != nil {
		s.logger().ErrorContext(ctx, "delete stored documents", "user_id", userID, "objects", len(keys), "error", err)
	}
}

func (s *Server) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// Routes registers the API's endpoints on mux under /api/v1. Wrap the mux in
// Middleware for logs, metrics and panic recovery.
func (s *Server) Routes(mux *http.ServeMux) {
	const v1 = "/api/v1"
	s.handle(mux, "POST "+v1+"/users", s.createUser)
	s.handle(mux, "POST "+v1+"/tokens", s.createToken)

	s.handleAuth(mux, "POST "+v1+"/account", s.connectAccount)
	s.handleAuth(mux, "GET "+v1+"/connections", s.listConnections)
	s.handleAuth(mux, "POST "+v1+"/connections", s.createConnection)
	s.handleAuth(mux, "DELETE "+v1+"/connections/{id}", s.deleteConnection)
	s.handleAuth(mux, "POST "+v1+"/connections/{id}/refresh", s.refreshConnection)
	s.handleAuth(mux, "GET "+v1+"/accounts", s.listAccounts)
	s.handleAuth(mux, "GET "+v1+"/accounts/{id}", s.getAccount)
	s.handleAuth(mux, "GET "+v1+"/transactions", s.listTransactions)
	s.handleAuth(mux, "GET "+v1+"/transactions/{id}", s.getTransaction)
	s.handleAuth(mux, "PATCH "+v1+"/transactions/{id}", s.patchTransaction)
	s.handleAuth(mux, "GET "+v1+"/categories", s.listCategories)
	s.handleAuth(mux, "GET "+v1+"/rules", s.listRules)
	s.handleAuth(mux, "POST "+v1+"/rules", s.createRule)
	s.handleAuth(mux, "DELETE "+v1+"/rules/{id}", s.deleteRule)
	s.handleAuth(mux, "GET "+v1+"/spending", s.getSpending)
	s.handleAuth(mux, "GET "+v1+"/budgets", s.getBudgets)
	s.handleAuth(mux, "PUT "+v1+"/budgets/{category}", s.putBudget)
	s.handleAuth(mux, "DELETE "+v1+"/budgets/{category}", s.deleteBudget)
	s.handleAuth(mux, "GET "+v1+"/profile", s.getProfile)
	s.handleAuth(mux, "PUT "+v1+"/profile", s.putProfile)
	s.handleAuth(mux, "GET "+v1+"/notifications", s.listNotifications)
	s.handleAuth(mux, "POST "+v1+"/notifications/{id}/read", s.readNotification)
	s.routeImports(mux)
	s.handleAuth(mux, "PATCH "+v1+"/accounts/{id}", s.patchAccount)
	s.handleAuth(mux, "DELETE "+v1+"/accounts/{id}", s.deleteAccount)
	s.handleAuth(mux, "GET "+v1+"/tokens", s.listTokens)
	s.handleAuth(mux, "DELETE "+v1+"/tokens/{id}", s.deleteToken)
	s.handleAuth(mux, "GET "+v1+"/transactions.csv", s.exportTransactions)
	s.handleAuth(mux, "GET "+v1+"/trends", s.getTrends)
	s.handleAuth(mux, "POST "+v1+"/notifications/read-all", s.readAllNotifications)
	s.routeTwoFactor(mux)
	s.routeUserData(mux)
	s.handleAuth(mux, "GET "+v1+"/summary", s.getSummary)
	s.handle(mux, "GET "+v1+"/openapi.json", serveOpenAPI)
	s.routeInsight(mux)

	// Anything else under /api/ answers in the API's error shape, not
	// ServeMux's plain-text 404.
	s.handle(mux, "/api/", func(w http.ResponseWriter, r *http.Request) {
		s.error(w, r, tally.Errorf(tally.ENOTFOUND, "no endpoint %s %s", r.Method, r.URL.Path))
	})
}

// handle registers an unauthenticated handler with the JSON body limit.
func (s *Server) handle(mux *http.ServeMux, pattern string, h http.HandlerFunc) {
	s.patterns = append(s.patterns, pattern)
	mux.Handle(pattern, limitBody(MaxJSONBody, h))
}

// Patterns returns the ServeMux patterns Routes registered, so a test can
// try every endpoint (a new route without a rule in that test fails it).
func (s *Server) Patterns() []string {
	return append([]string(nil), s.patterns...)
}

// authedHandler is a handler that runs for an authenticated user.
type authedHandler func(w http.ResponseWriter, r *http.Request, u *tally.User)

// handleAuth registers a handler that needs a bearer token.
func (s *Server) handleAuth(mux *http.ServeMux, pattern string, h authedHandler) {
	s.handle(mux, pattern, s.authed(h))
}

// authenticate returns the user of the request's bearer token.
func (s *Server) authenticate(r *http.Request) (*tally.User, error) {
	hash, err := bearerHash(r)
	if err != nil {
		return nil, err
	}
	u, err := s.Store.UserByToken(r.Context(), hash, store.TokenAPI)
	if tally.ErrorCode(err) == tally.ENOTFOUND {
		return nil, tally.Errorf(tally.EUNAUTHORIZED, "token is invalid or expired")
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}
