package web_test

import (
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/httpx"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/web"
)

func TestMain(m *testing.M) {
	auth.DefaultParams = auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	os.Exit(m.Run())
}

var now = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

type env struct {
	t      *testing.T
	store  *store.Store
	srv    *httptest.Server
	client *http.Client
	// patterns are the routes the web app registered (newEnvWith's).
	patterns []string
}

func newEnv(t *testing.T, demoHint string) *env {
	t.Helper()
	return newEnvWith(t, func(c *web.Config) { c.DemoHint = demoHint })
}

// newEnvWith starts the web app over a fresh database; configure changes
// its configuration first.
func newEnvWith(t *testing.T, configure func(*web.Config)) *env {
	t.Helper()
	db := sqldbtest.Open(t)
	db.Statements = &atomic.Int64{}
	st := store.New(db, store.NoJobs{})
	st.Now = func() time.Time { return now }
	c := web.Config{Store: st, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}
	if configure != nil {
		configure(&c)
	}
	h, err := web.New(c)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Routes(mux)
	srv := httptest.NewServer(httpx.Middleware(mux, slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)
	e := newEnvOn(t, st, srv)
	e.patterns = h.Patterns()
	return e
}

// newEnvOn is an env for a server already started over st.
func newEnvOn(t *testing.T, st *store.Store, srv *httptest.Server) *env {
	jar, _ := cookiejar.New(nil)
	client := srv.Client()
	client.Jar = jar
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &env{t: t, store: st, srv: srv, client: client}
}

func (e *env) user(email string) *tally.User {
	e.t.Helper()
	hash, err := auth.HashPassword("password123")
	if err != nil {
		e.t.Fatal(err)
	}
	u, err := e.store.CreateUser(context.Background(), email, hash)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// get fetches a page and returns its status and body.
func (e *env) get(path string) (int, string) {
	e.t.Helper()
	res, err := e.client.Get(e.srv.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// csrf returns the form token of the signed-in session ("" for a visitor).
func (e *env) csrf() string {
	e.t.Helper()
	u, _ := url.Parse(e.srv.URL)
	for _, c := range e.client.Jar.Cookies(u) {
		if c.Name == web.SessionCookie {
			_, page := e.get("/settings")
			m := csrfRE.FindStringSubmatch(page)
			if m == nil {
				e.t.Fatalf("no form token on /settings: %.300s", page)
			}
			return m[1]
		}
	}
	return ""
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// post submits a form the way a browser on the same origin does, with the
// session's form token unless the form names its own "csrf".
func (e *env) post(path string, form url.Values, header map[string]string) *http.Response {
	e.t.Helper()
	if _, ok := form["csrf"]; !ok && path != "/signin" && path != "/signup" {
		if tok := e.csrf(); tok != "" {
			if form == nil {
				form = url.Values{}
			}
			form.Set("csrf", tok)
		}
	}
	req, _ := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSignInAndOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "Demo: sign in as demo@tally.local with password hunter22")
	alice := e.user("alice@example.com")

	status, page := e.get("/")
	if status != 200 || !strings.Contains(page, `action="/signin"`) || !strings.Contains(page, "demo@tally.local") {
		t.Fatalf("got %d, want the sign-in form with the demo hint: %s", status, page)
	}

	res := e.post("/signin", url.Values{"email": {"alice@example.com"}, "password": {"wrong-password"}}, nil)
	if page := body(t, res); res.StatusCode != 401 || !strings.Contains(page, "Email or password is incorrect.") || !strings.Contains(page, `value="alice@example.com"`) {
		t.Fatalf("wrong password: got %d, want 401 with the error and the email kept: %s", res.StatusCode, page)
	}
	if len(res.Cookies()) != 0 {
		t.Fatalf("wrong password set cookies %v", res.Cookies())
	}

	res = e.post("/signin", url.Values{"email": {"Alice@Example.com"}, "password": {"password123"}}, nil)
	body(t, res)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("sign in: got %d to %q, want 303 to /", res.StatusCode, res.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == web.SessionCookie {
			session = c
		}
	}
	if session == nil || session.Value == "" || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure || session.Path != "/" {
		t.Fatalf("got session cookie %+v, want HttpOnly, SameSite=Lax, not Secure over plain HTTP, Path=/", session)
	}
	if want := int(web.SessionTTL / time.Second); session.MaxAge != want {
		t.Fatalf("got MaxAge %d, want %d (30 days)", session.MaxAge, want)
	}
	// The session is a store token of kind session; only its hash is stored.
	u, err := e.store.UserByToken(t.Context(), auth.HashToken(session.Value), store.TokenSession)
	if err != nil || u.ID != alice.ID {
		t.Fatalf("session token: got %v, %v, want alice", u, err)
	}
	if _, err := e.store.UserByToken(t.Context(), auth.HashToken(session.Value), store.TokenAPI); err == nil {
		t.Fatal("a session token works as an API token")
	}

	status, page = e.get("/")
	if status != 200 || !strings.Contains(page, "Sign out") || !strings.Contains(page, "alice@example.com") || strings.Contains(page, `action="/signin"`) {
		t.Fatalf("got %d, want the dashboard: %s", status, page)
	}

	res = e.post("/signout", nil, nil)
	body(t, res)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: got %d, want 303", res.StatusCode)
	}
	if _, err := e.store.UserByToken(t.Context(), auth.HashToken(session.Value), store.TokenSession); tally.ErrorCode(err) != tally.ENOTFOUND {
		t.Fatalf("after sign out the session lookup got %v, want not found", err)
	}
	if status, page = e.get("/"); !strings.Contains(page, `action="/signin"`) {
		t.Fatalf("after sign out: got %d, want the sign-in form", status)
	}

	// An old cookie replayed after sign-out is a visitor, and is cleared.
	req, _ := http.NewRequest("GET", e.srv.URL+"/", nil)
	req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: session.Value})
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if page := body(t, res); !strings.Contains(page, `action="/signin"`) {
		t.Fatal("a signed-out session still shows the dashboard")
	}
	if c := res.Cookies(); len(c) != 1 || c[0].MaxAge >= 0 {
		t.Fatalf("got cookies %v, want the stale session cleared", c)
	}
}

func TestSessionExpires(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.user("alice@example.com")
	res := e.post("/signin", url.Values{"email": {"alice@example.com"}, "password": {"password123"}}, nil)
	body(t, res)
	if _, page := e.get("/"); !strings.Contains(page, "Sign out") {
		t.Fatal("not signed in")
	}
	e.store.Now = func() time.Time { return now.Add(web.SessionTTL + time.Minute) }
	if _, page := e.get("/"); !strings.Contains(page, `action="/signin"`) {
		t.Fatal("a session older than 30 days still works")
	}
}

func TestSecureCookieOverTLS(t *testing.T) {
	t.Parallel()
	st := store.New(sqldbtest.Open(t), store.NoJobs{})
	hash, _ := auth.HashPassword("password123")
	if _, err := st.CreateUser(t.Context(), "alice@example.com", hash); err != nil {
		t.Fatal(err)
	}
	h := &web.Handler{Store: st, Logger: slog.New(slog.DiscardHandler)}
	mux := http.NewServeMux()
	h.Routes(mux)
	req := httptest.NewRequest("POST", "https://tally.example/signin", strings.NewReader("email=alice%40example.com&password=password123"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.TLS = &tls.ConnectionState{}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	res := rec.Result()
	if res.StatusCode != http.StatusSeeOther || len(res.Cookies()) != 1 || !res.Cookies()[0].Secure {
		t.Fatalf("got %d and cookies %v, want 303 and a Secure session cookie", res.StatusCode, res.Cookies())
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.user("alice@example.com")
	form := url.Values{"email": {"alice@example.com"}, "password": {"password123"}}

	for _, tc := range []struct {
		name   string
		header map[string]string
	}{
		{"cross-site fetch metadata", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}},
		{"foreign origin, no fetch metadata", map[string]string{"Sec-Fetch-Site": "", "Origin": "https://evil.example"}},
		{"same-site but other origin", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://sub.tally.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/signin", "/signout"} {
				res := e.post(path, form, tc.header)
				body(t, res)
				if res.StatusCode != http.StatusForbidden {
					t.Fatalf("%s: got %d, want 403", path, res.StatusCode)
				}
				if len(res.Cookies()) != 0 {
					t.Fatalf("%s: a refused request set cookies %v", path, res.Cookies())
				}
			}
		})
	}
	// The same form from the same origin goes through.
	res := e.post("/signin", form, nil)
	body(t, res)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("same-origin sign in: got %d, want 303", res.StatusCode)
	}
}

func TestDashboard(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	alice := e.user("alice@example.com")
	ctx := t.Context()
	conn := &tally.Connection{UserID: alice.ID, Kind: tally.ConnectionOFX, URL: "https://bank.example/ofx", Login: "alice", Institution: "Demo Bank"}
	checking := &tally.Account{ExternalID: "1", Name: "Everyday Checking", Type: tally.AccountChecking, Mask: "1234", Currency: "USD", Balance: 123456}
	card := &tally.Account{ExternalID: "2", Name: "Rewards Visa", Type: tally.AccountCreditCard, Mask: "9876", Currency: "USD", Balance: -4250}
	if err := e.store.CreateConnection(ctx, conn, []byte("x"), []*tally.Account{checking, card}); err != nil {
		t.Fatal(err)
	}

	res := e.post("/signin", url.Values{"email": {"alice@example.com"}, "password": {"password123"}}, nil)
	body(t, res)

	// No transactions yet and the connection is syncing: the page says so
	// and refreshes itself.
	_, page := e.get("/")
	for _, want := range []string{"Syncing your accounts…", `<meta http-equiv="refresh" content="3">`, "Everyday Checking", "$1,234.56", "−$42.50", "··9876"} {
		if !strings.Contains(page, want) {
			t.Fatalf("syncing dashboard lacks %q: %s", want, page)
		}
	}

	if err := e.store.FinishSync(ctx, alice.ID, conn.ID, tally.StatusNeedsAttention, "The bank asks you to sign in on its website first."); err != nil {
		t.Fatal(err)
	}
	var txns []*tally.Transaction
	for i := range 25 {
		txns = append(txns, &tally.Transaction{
			AccountID: card.ID, ExternalID: "t" + string(rune('a'+i)), PostedOn: time.Date(2026, 3, 1+i%14, 0, 0, 0, 0, time.UTC),
			Amount: -1000, Currency: "USD", Description: "SQ *BLUE BOTTLE", Merchant: "Blue Bottle Coffee", Category: "coffee_shops", CategorySource: tally.SourceDictionary,
		})
	}
	txns = append(txns,
		&tally.Transaction{AccountID: checking.ID, ExternalID: "g1", PostedOn: time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC), Amount: -8412, Currency: "USD",
			Description: "WHOLEFDS #123", Merchant: "Whole Foods Market", Category: "groceries", CategorySource: tally.SourceDictionary},
		&tally.Transaction{AccountID: checking.ID, ExternalID: "p1", PostedOn: time.Date(2026, 3, 13, 0, 0, 0, 0, time.UTC), Amount: 250000, Currency: "USD",
			Description: "ACME PAYROLL", Merchant: "Acme Payroll", Category: "paycheck", CategorySource: tally.SourceDictionary},
		&tally.Transaction{AccountID: checking.ID, ExternalID: "old", PostedOn: time.Date(2026, 2, 10, 0, 0, 0, 0, time.UTC), Amount: -99999, Currency: "USD",
			Description: "OLD", Merchant: "Last Month Store", Category: "shopping", CategorySource: tally.SourceDictionary},
	)
	if _, err := e.store.InsertTransactions(ctx, alice.ID, txns); err != nil {
		t.Fatal(err)
	}

	_, page = e.get("/")
	for _, want := range []string{
		"Needs attention", "The bank asks you to sign in on its website first.",
		"Spending by category in March 2026", "Coffee Shops", "$250.00", "<td>25</td>", "Groceries", "$84.12", "$334.12", `width="100.0%"`, `width="33.6%"`,
		"Recent transactions", "Whole Foods Market", "Acme Payroll", "$2,500.00", "Net worth", "$1,192.06",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	for _, absent := range []string{"Syncing your accounts", "http-equiv", "<th scope=\"row\">Paycheck"} {
		if strings.Contains(page, absent) {
			t.Errorf("dashboard contains %q", absent)
		}
	}
	recent := page[strings.Index(page, "Recent transactions"):]
	recent = recent[:strings.Index(recent, "</ul>")]
	if n := strings.Count(recent, "<li>"); n != 10 {
		t.Errorf("got %d recent transactions, want 10", n)
	}
	if strings.Contains(recent, "Last Month Store") {
		t.Error("an old transaction is among the 10 most recent")
	}
	// Last month's dashboard shows last month.
	if _, page := e.get("/?month=2026-02"); !strings.Contains(page, "Last Month Store") || !strings.Contains(page, "February 2026") {
		t.Error("the dashboard of February lacks February's transaction")
	}
}

func TestStaticAndHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	res, err := e.client.Get(e.srv.URL + "/static/tally.css")
	if err != nil {
		t.Fatal(err)
	}
	css := body(t, res)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") || !strings.Contains(css, ".w100") {
		t.Fatalf("got %d %s, want the stylesheet", res.StatusCode, res.Header.Get("Content-Type"))
	}
	res, err = e.client.Get(e.srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body(t, res)
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Fatalf("got CSP %q", csp)
	}
	if status, _ := e.get("/nope"); status != 404 {
		t.Fatalf("got %d for an unknown page, want 404", status)
	}
}
