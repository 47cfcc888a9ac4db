package httpapi_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/cache"
	"github.com/tallyhq/tally/internal/httpapi"
	"github.com/tallyhq/tally/internal/httpx"
	"github.com/tallyhq/tally/internal/metrics"
	"github.com/tallyhq/tally/internal/store"
)

// sharedBackend is what several processes share: the Redis at
// TALLY_TEST_REDIS_URL under a key prefix of the test's own, or else one
// in-process LRU standing in for it.
func sharedBackend(t *testing.T) (cache.Backend, string) {
	t.Helper()
	prefix := fmt.Sprintf("tally-test:%s:%s:", strings.ReplaceAll(t.Name(), "/", "-"), tally.NewID())
	url := os.Getenv("TALLY_TEST_REDIS_URL")
	if url == "" {
		return cache.NewMemory(1000), prefix
	}
	r, err := cache.NewRedis(url)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := r.Ping(ctx); err != nil {
		t.Fatalf("TALLY_TEST_REDIS_URL=%s: %v", url, err)
	}
	t.Cleanup(func() { r.Close() })
	return r, prefix
}

// process is one more Tally process over e's database: its own store, its
// own cache over backend, and (unless it is a worker) its own API server.
func (e *env) process(backend cache.Backend, prefix string, api bool) *env {
	e.t.Helper()
	logger := slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := cache.New(backend, cache.Options{Logger: logger, Prefix: prefix})
	st := store.New(e.store.DB(), e.jobs)
	st.Now = e.store.Now
	st.SetInvalidator(c)
	p := &env{t: e.t, store: st, jobs: e.jobs, logs: e.logs}
	if api {
		s := &httpapi.Server{Store: st, Connector: &fakeConnector{store: st}, Logger: logger, Now: func() time.Time { return now }, Cache: c, SignupOpen: true}
		mux := http.NewServeMux()
		s.Routes(mux)
		p.srv = httptest.NewServer(httpx.Middleware(mux, logger))
		e.t.Cleanup(p.srv.Close)
	}
	return p
}

// summary reads GET /api/v1/summary.
func (e *env) summary(token string) response {
	e.t.Helper()
	return e.do("GET", "/api/v1/summary", token, nil).want(e.t, http.StatusOK)
}

func spendingOf(r response, category string) any {
	for _, c := range r.body["spending"].(map[string]any)["categories"].([]any) {
		if m := c.(map[string]any); m["category"] == category {
			return m["amount"]
		}
	}
	return nil
}

func budgetOf(r response, category string) map[string]any {
	for _, b := range r.list("budgets") {
		if b["category"] == category {
			return b
		}
	}
	return nil
}

// TestCacheReadYourWrites writes through one API process (or a worker)
// and reads the summary, spending and budgets through another, each with
// its own cache over one shared backend: every kind of write shows on the
// next read.
func TestCacheReadYourWrites(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	backend, prefix := sharedBackend(t)
	a := e.process(backend, prefix, true)
	b := e.process(backend, prefix, true)
	worker := e.process(backend, prefix, false)
	ctx := context.Background()

	id, token := a.signUp("cached@example.com")
	a.do("PUT", "/api/v1/profile", token, map[string]any{"monthly_income": "5000.00"}).want(t, http.StatusOK)
	_, accts := a.link(token)

	// Read through b until each step, so b holds a cached answer that the
	// write must make stale.
	steps := []struct {
		name  string
		write func()
		check func(r response) error
	}{
		{"sync chunk", func() {
			worker.seed(id, txn{account: accts[0], date: "2026-03-10", category: "groceries", merchant: "Corner Market", amount: -2500})
		}, func(r response) error {
			if got := spendingOf(r, "groceries"); got != "25.00" {
				return fmt.Errorf("groceries spending %v, want 25.00", got)
			}
			return nil
		}},
		{"recategorization", func() {
			tx := b.do("GET", "/api/v1/transactions", token, nil).want(t, http.StatusOK).list("transactions")[0]
			a.do("PATCH", "/api/v1/transactions/"+tx["id"].(string), token, map[string]any{"category": "restaurants"}).want(t, http.StatusOK)
		}, func(r response) error {
			if got := spendingOf(r, "restaurants"); got != "25.00" {
				return fmt.Errorf("restaurants spending %v, want 25.00", got)
			}
			return nil
		}},
		{"rule", func() {
			worker.seed(id, txn{account: accts[0], date: "2026-03-11", category: "shopping", merchant: "Corner Store", amount: -1000})
			b.summary(token)
			a.do("POST", "/api/v1/rules", token, map[string]any{"merchant": "Corner Store", "category": "groceries"}).want(t, http.StatusCreated)
		}, func(r response) error {
			if got := spendingOf(r, "groceries"); got != "10.00" {
				return fmt.Errorf("groceries spending %v, want 10.00 after the rule", got)
			}
			return nil
		}},
		{"crowd re-file", func() {
			worker.seed(id, txn{account: accts[0], date: "2026-03-12", category: "uncategorized", source: tally.SourceNone, merchant: "Zed Bakery", amount: -700})
			b.summary(token)
			if _, err := e.store.DB().ExecContext(ctx, e.store.DB().Rebind(`INSERT INTO crowd_categories (merchant_key, merchant, category, voters, updated_at) VALUES (?, ?, ?, ?, ?)`),
				seedEngine.Merchant("Zed Bakery").Key, "Zed Bakery", "coffee_shops", 3, now); err != nil {
				t.Fatal(err)
			}
			if _, err := worker.store.ApplyCrowd(ctx, seedEngine.Merchant("Zed Bakery").Key); err != nil {
				t.Fatal(err)
			}
		}, func(r response) error {
			if got := spendingOf(r, "coffee_shops"); got != "7.00" {
				return fmt.Errorf("coffee_shops spending %v, want 7.00 after the crowd re-file", got)
			}
			return nil
		}},
		{"budget", func() {
			a.do("PUT", "/api/v1/budgets/food_dining", token, map[string]any{"amount": "321.00"}).want(t, http.StatusOK)
		}, func(r response) error {
			if l := budgetOf(r, "food_dining"); l == nil || l["amount"] != "321.00" || l["source"] != "manual" {
				return fmt.Errorf("food_dining budget %v, want 321.00 manual", l)
			}
			return nil
		}},
		{"profile", func() {
			a.do("PUT", "/api/v1/profile", token, map[string]any{"monthly_income": "10000.00"}).want(t, http.StatusOK)
		}, func(r response) error {
			// The template's housing share follows the income.
			if l := budgetOf(r, "rent_mortgage"); l == nil || l["amount"] != "4000.00" {
				return fmt.Errorf("rent_mortgage budget %v, want 4000.00 (40%% of the new income)", l)
			}
			return nil
		}},
		{"balance", func() {
			if err := worker.store.SetAccountBalance(ctx, id, accts[0], 777700); err != nil {
				t.Fatal(err)
			}
		}, func(r response) error {
			if got := r.list("net_worth")[0]["assets"]; got != "7777.00" {
				return fmt.Errorf("assets %v, want 7777.00", got)
			}
			return nil
		}},
		{"budget alert", func() {
			if _, err := worker.store.AddNotifications(ctx, id, []*tally.Notification{
				{Kind: tally.NotifyBudgetExceeded, Category: "food_dining", Month: "2026-03", Message: "Food is over budget"},
			}, func(string) []string { return nil }); err != nil {
				t.Fatal(err)
			}
		}, func(r response) error {
			if got := r.body["unread_notifications"]; got != float64(1) {
				return fmt.Errorf("unread %v, want 1", got)
			}
			return nil
		}},
		{"alert read", func() {
			n := b.do("GET", "/api/v1/notifications", token, nil).want(t, http.StatusOK).list("notifications")[0]
			a.do("POST", "/api/v1/notifications/"+n["id"].(string)+"/read", token, nil).want(t, http.StatusOK)
		}, func(r response) error {
			if got := r.body["unread_notifications"]; got != float64(0) {
				return fmt.Errorf("unread %v, want 0", got)
			}
			return nil
		}},
	}
	for _, st := range steps {
		b.summary(token)
		b.do("GET", "/api/v1/budgets", token, nil).want(t, http.StatusOK)
		b.do("GET", "/api/v1/spending", token, nil).want(t, http.StatusOK)
		st.write()
		if err := st.check(b.summary(token)); err != nil {
			t.Fatalf("after a %s, process b's summary: %v", st.name, err)
		}
		if err := st.check(a.summary(token)); err != nil {
			t.Fatalf("after a %s, process a's summary: %v", st.name, err)
		}
	}
	// A cached page of transactions, too.
	page := b.do("GET", "/api/v1/transactions?limit=5", token, nil).want(t, http.StatusOK).list("transactions")
	a.do("PATCH", "/api/v1/transactions/"+page[0]["id"].(string), token, map[string]any{"category": "pets"}).want(t, http.StatusOK)
	if got := b.do("GET", "/api/v1/transactions?limit=5", token, nil).want(t, http.StatusOK).list("transactions")[0]["category"]; got != "pets" {
		t.Fatalf("transactions after a change elsewhere: got category %v, want pets", got)
	}
	a.do("PATCH", "/api/v1/transactions/"+page[0]["id"].(string), token, map[string]any{"category": page[0]["category"]}).want(t, http.StatusOK)

	// The same holds for /spending and /budgets.
	if got := b.do("GET", "/api/v1/spending", token, nil).want(t, http.StatusOK).str("total"); got != "42.00" {
		t.Errorf("spending total %q, want 42.00", got)
	}
	lines := b.budgetLines(token, "2026-03")
	if lines["food_dining"]["amount"] != "321.00" {
		t.Errorf("budgets: food_dining %v, want 321.00", lines["food_dining"])
	}
}

// TestCachePerUser: one user's cached answer is never another's.
func TestCachePerUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	backend, prefix := sharedBackend(t)
	a := e.process(backend, prefix, true)
	id1, tok1 := a.signUp("one@example.com")
	id2, tok2 := a.signUp("two@example.com")
	_, acc1 := a.link(tok1)
	_, acc2 := a.link(tok2)
	a.seed(id1, txn{account: acc1[0], date: "2026-03-03", category: "groceries", amount: -1100})
	a.seed(id2, txn{account: acc2[0], date: "2026-03-03", category: "groceries", amount: -2200})
	hits := func() float64 {
		return testutil.ToFloat64(metrics.CacheRequests.WithLabelValues("summary-json", "hit"))
	}
	var before float64
	for round := range 2 { // the second round is served from the cache
		if round == 1 {
			before = hits()
		}
		for _, c := range []struct{ token, want string }{{tok1, "11.00"}, {tok2, "22.00"}} {
			if got := spendingOf(a.summary(c.token), "groceries"); got != c.want {
				t.Fatalf("summary: got groceries %v, want %s", got, c.want)
			}
			if got := a.do("GET", "/api/v1/spending", c.token, nil).want(t, http.StatusOK).str("total"); got != c.want {
				t.Fatalf("spending: got total %v, want %s", got, c.want)
			}
		}
	}
	if got := hits() - before; got < 2 {
		t.Errorf("got %v summary cache hits in the second round, want 2", got)
	}
}

// TestCacheBackendDown: a cache that cannot be reached (Redis stopped,
// or never there) degrades to database reads, never to an error, and
// writes still show.
func TestCacheBackendDown(t *testing.T) {
	t.Parallel()
	// A port that nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	down, err := cache.NewRedis("redis://" + addr + "/0")
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()

	e := newEnv(t)
	a := e.process(down, "tally:", true)
	id, token := a.signUp("down@example.com")
	_, accts := a.link(token)
	a.seed(id, txn{account: accts[0], date: "2026-03-03", category: "groceries", amount: -1100})
	if got := spendingOf(a.summary(token), "groceries"); got != "11.00" {
		t.Fatalf("got groceries %v, want 11.00", got)
	}

	// A Redis that goes away mid-run: answers from the cache until then,
	// from the database after.
	backend, prefix := sharedBackend(t)
	r, ok := backend.(*cache.Redis)
	if !ok {
		t.Skip("set TALLY_TEST_REDIS_URL to stop a real Redis client mid-test")
	}
	b := e.process(r, prefix, true)
	b.summary(token)
	r.Close()
	a.seed(id, txn{account: accts[0], date: "2026-03-04", category: "groceries", amount: -1000})
	if got := spendingOf(b.summary(token), "groceries"); got != "21.00" {
		t.Fatalf("after Redis stopped: got groceries %v, want 21.00", got)
	}
}

// A token one process remembers is refused as soon as any process
// revokes it, and a profile change (the time zone) shows at once.
func TestCachedTokenRevoked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	backend, prefix := sharedBackend(t)
	a := e.process(backend, prefix, true)
	b := e.process(backend, prefix, false)
	_, token := a.signUp("revoke@example.com")
	for range 3 {
		a.summary(token)
	}
	if err := b.store.DeleteToken(context.Background(), auth.HashToken(token)); err != nil {
		t.Fatal(err)
	}
	a.do("GET", "/api/v1/summary", token, nil).wantError(t, http.StatusUnauthorized, "unauthenticated")
	a.do("GET", "/api/v1/spending", token, nil).wantError(t, http.StatusUnauthorized, "unauthenticated")
}

// revokingBackend revokes a token just before the first read of its
// owner's generation: the moment between a process's token lookup and its
// read of the user's cache state.
type revokingBackend struct {
	cache.Backend
	mu     sync.Mutex
	userID string
	revoke func()
}

func (b *revokingBackend) Get(ctx context.Context, key string) ([]byte, bool, error) {
	b.mu.Lock()
	if b.revoke != nil && strings.Contains(key, b.userID) {
		b.revoke()
		b.revoke = nil
	}
	b.mu.Unlock()
	return b.Backend.Get(ctx, key)
}

// A token revoked by another process between this process's lookup of it
// and its read of the user's cache generation is not remembered under the
// generation the revocation made: the next request with it is refused.
func TestTokenRevokedDuringItsFirstLookupIsNotRemembered(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	shared, prefix := sharedBackend(t)
	spy := &revokingBackend{Backend: shared}
	a := e.process(spy, prefix, true)
	b := e.process(shared, prefix, false)
	id, _ := a.signUp("race@example.com")
	const token = "tally-test-token-revoked-mid-lookup"
	if _, err := b.store.CreateNamedToken(context.Background(), id, auth.HashToken(token), store.TokenAPI, "laptop", nil); err != nil {
		t.Fatal(err)
	}
	spy.mu.Lock()
	spy.userID = id
	spy.revoke = func() {
		if err := b.store.DeleteToken(context.Background(), auth.HashToken(token)); err != nil {
			t.Error(err)
		}
	}
	spy.mu.Unlock()
	// This request began before the revocation; what matters is the next.
	a.do("GET", "/api/v1/summary", token, nil)
	spy.mu.Lock()
	fired := spy.revoke == nil
	spy.mu.Unlock()
	if !fired {
		t.Fatal("the request never read the user's generation")
	}
	a.do("GET", "/api/v1/summary", token, nil).wantError(t, http.StatusUnauthorized, "unauthenticated")
	a.do("GET", "/api/v1/spending", token, nil).wantError(t, http.StatusUnauthorized, "unauthenticated")
}

// Lists cached per user (accounts, connections, rules, profile,
// notifications) show a write made through another process at once.
func TestCachedListsShowWrites(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	backend, prefix := sharedBackend(t)
	a := e.process(backend, prefix, true)
	b := e.process(backend, prefix, true)
	id, token := a.signUp("lists@example.com")
	read := func() map[string]int {
		out := map[string]int{}
		for _, k := range []string{"accounts", "connections", "rules", "notifications"} {
			out[k] = len(b.do("GET", "/api/v1/"+k, token, nil).want(t, http.StatusOK).list(k))
		}
		if b.do("GET", "/api/v1/profile", token, nil).want(t, http.StatusOK).str("time_zone") == "Europe/Paris" {
			out["profile"] = 1
		}
		return out
	}
	if got := read(); got["accounts"]+got["connections"]+got["rules"]+got["notifications"]+got["profile"] != 0 {
		t.Fatalf("a new user: got %v", got)
	}
	connID, _ := a.link(token)
	a.do("POST", "/api/v1/rules", token, map[string]any{"merchant": "Corner Store", "category": "groceries"}).want(t, http.StatusCreated)
	a.do("PUT", "/api/v1/profile", token, map[string]any{"time_zone": "Europe/Paris"}).want(t, http.StatusOK)
	if _, err := a.store.AddNotifications(context.Background(), id, []*tally.Notification{
		{Kind: tally.NotifyBudgetExceeded, Category: "groceries", Month: "2026-03", Message: "Groceries is over budget"},
	}, func(string) []string { return nil }); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"accounts": 2, "connections": 1, "rules": 1, "notifications": 1, "profile": 1}
	if got := read(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after the writes: got %v, want %v", got, want)
	}
	a.do("DELETE", "/api/v1/connections/"+connID, token, nil).want(t, http.StatusNoContent)
	if got := read(); got["accounts"] != 0 || got["connections"] != 0 {
		t.Fatalf("after deleting the connection: got %v", got)
	}
}

// counting is a backend that counts the round trips made to it.
type counting struct {
	cache.Backend
	trips atomic.Int64
}

func (c *counting) Get(ctx context.Context, key string) ([]byte, bool, error) {
	c.trips.Add(1)
	return c.Backend.Get(ctx, key)
}

func (c *counting) Set(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	c.trips.Add(1)
	return c.Backend.Set(ctx, key, v, ttl)
}

func (c *counting) SetNX(ctx context.Context, key string, v []byte, ttl time.Duration) ([]byte, error) {
	c.trips.Add(1)
	return c.Backend.SetNX(ctx, key, v, ttl)
}

func (c *counting) Fetch(ctx context.Context, f cache.FetchKeys) ([]byte, []byte, bool, error) {
	c.trips.Add(1)
	return c.Backend.Fetch(ctx, f)
}

// TestCachedReadIsOneRoundTrip: once a process knows a token, a GET whose
// answer is cached costs one round trip to the cache (the user's
// generation and the answer read together), and a write through another
// process still shows on the next read, with the token checked again.
func TestCachedReadIsOneRoundTrip(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	shared, prefix := sharedBackend(t)
	backend := &counting{Backend: shared}
	a := e.process(backend, prefix, true)
	b := e.process(shared, prefix, true)
	id, token := a.signUp("trips@example.com")
	_, accts := a.link(token)
	a.seed(id, txn{account: accts[0], date: "2026-03-03", category: "groceries", amount: -1100})
	txnID := a.do("GET", "/api/v1/transactions?limit=1", token, nil).want(t, http.StatusOK).list("transactions")[0]["id"].(string)
	paths := []string{"/api/v1/summary", "/api/v1/spending", "/api/v1/budgets", "/api/v1/trends", "/api/v1/accounts",
		"/api/v1/transactions?limit=5", "/api/v1/rules", "/api/v1/profile", "/api/v1/notifications", "/api/v1/connections",
		"/api/v1/accounts/" + accts[0], "/api/v1/transactions/" + txnID, "/api/v1/networth", "/api/v1/recurring", "/api/v1/holdings", "/api/v1/tokens"}
	for _, p := range paths { // the token and the answers are remembered
		a.do("GET", p, token, nil).want(t, http.StatusOK)
	}
	for _, p := range paths {
		before := backend.trips.Load()
		a.do("GET", p, token, nil).want(t, http.StatusOK)
		if got := backend.trips.Load() - before; got != 1 {
			t.Errorf("GET %s: %d round trips to the cache, want 1", p, got)
		}
	}

	// A write through b: a's next read sees it.
	b.do("PUT", "/api/v1/budgets/groceries", token, map[string]any{"amount": "50.00"}).want(t, http.StatusOK)
	if got := budgetOf(a.summary(token), "groceries"); got == nil || got["amount"] != "50.00" {
		t.Fatalf("after a budget set through another process: got %v, want groceries at 50.00", got)
	}
	before := backend.trips.Load()
	a.summary(token)
	if got := backend.trips.Load() - before; got != 1 {
		t.Errorf("the read after that: %d round trips, want 1", got)
	}
}

// TestRememberedTokenRevokedBeforeABadQuery: a remembered token that another
// process revoked is refused even when the request's parameters are wrong,
// not answered 400 before the token is checked again.
func TestRememberedTokenRevokedBeforeABadQuery(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	backend, prefix := sharedBackend(t)
	a := e.process(backend, prefix, true)
	b := e.process(backend, prefix, false)
	_, token := a.signUp("badquery@example.com")
	a.do("GET", "/api/v1/spending", token, nil).want(t, http.StatusOK)
	a.do("GET", "/api/v1/spending?month=13", token, nil).wantError(t, http.StatusBadRequest, "invalid_argument")
	if err := b.store.DeleteToken(context.Background(), auth.HashToken(token)); err != nil {
		t.Fatal(err)
	}
	a.do("GET", "/api/v1/spending?month=13", token, nil).wantError(t, http.StatusUnauthorized, "unauthenticated")
}

// TestImportProgressReadYourWrites: an import's progress is a cached
// answer, and each step a worker records shows on the next read from an
// API process, never to another user.
func TestImportProgressReadYourWrites(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	backend, prefix := sharedBackend(t)
	a := e.process(backend, prefix, true)
	worker := e.process(backend, prefix, false)
	ctx := context.Background()
	userID, token := a.signUp("polls@example.com")

	imp := &tally.Import{UserID: userID, Filename: "checking.csv", Format: "csv", BlobKey: "uploads/x", Size: 10}
	if err := a.store.CreateImport(ctx, imp, false); err != nil {
		t.Fatal(err)
	}
	status := func() response {
		return a.do("GET", "/api/v1/imports/"+imp.ID, token, nil).want(t, http.StatusOK)
	}
	if got := status().str("status"); got != tally.ImportQueued {
		t.Fatalf("import %s, want queued", got)
	}
	if err := worker.store.StartImport(ctx, userID, imp.ID); err != nil {
		t.Fatal(err)
	}
	if got := status().str("status"); got != tally.ImportRunning {
		t.Fatalf("after the worker started it: import %s, want running", got)
	}
	imp.Status, imp.Parsed, imp.Inserted = tally.ImportDone, 3, 3
	if err := worker.store.UpdateImport(ctx, imp); err != nil {
		t.Fatal(err)
	}
	if got := status(); got.str("status") != tally.ImportDone || got.body["inserted"] != 3.0 {
		t.Fatalf("after the worker finished it: %s", got.raw)
	}
	// Another user's read of the id is not served from the owner's entry.
	_, other := a.signUp("other@example.com")
	a.do("GET", "/api/v1/imports/"+imp.ID, other, nil).wantError(t, http.StatusNotFound, "not_found", "import")
}

// TestTokenListReadYourWrites: the token list is a cached answer; a token
// created, used and revoked through another process shows on the next read.
func TestTokenListReadYourWrites(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	backend, prefix := sharedBackend(t)
	a := e.process(backend, prefix, true)
	b := e.process(backend, prefix, true)
	_, token := a.signUp("tokens@example.com")
	tokens := func() map[string]map[string]any {
		out := map[string]map[string]any{}
		for _, tk := range a.do("GET", "/api/v1/tokens", token, nil).want(t, http.StatusOK).list("tokens") {
			out[tk["id"].(string)] = tk
		}
		return out
	}
	if n := len(tokens()); n != 1 {
		t.Fatalf("%d tokens listed, want the one signed in with", n)
	}
	named := b.do("POST", "/api/v1/tokens", "", map[string]any{"email": "tokens@example.com", "password": "password123", "name": "spreadsheet"}).
		want(t, http.StatusCreated)
	namedID := named.str("id")
	if tk := tokens()[namedID]; tk == nil || tk["last_used_at"] != nil {
		t.Fatalf("after a token was created through another process: %v, want it listed, never used", tk)
	}
	b.do("GET", "/api/v1/accounts", named.str("token"), nil).want(t, http.StatusOK)
	if tk := tokens()[namedID]; tk == nil || tk["last_used_at"] == nil {
		t.Fatalf("after the token was used through another process: %v, want its last use", tk)
	}
	b.do("DELETE", "/api/v1/tokens/"+namedID, token, nil).want(t, http.StatusNoContent)
	if _, ok := tokens()[namedID]; ok {
		t.Fatal("a token revoked through another process is still listed")
	}
}
